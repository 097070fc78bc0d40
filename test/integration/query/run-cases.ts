import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { Dialect } from '../../../src/query/nodes.js'
import { expected, newBuilder, normalizeRows, type SqlCase, sortRows } from '../../unit/query/cases/case.js'

/** Runs one statement on a server and returns its rows (empty for statements without rows). */
export type Execute = (sql: string, params: readonly unknown[]) => Promise<readonly Record<string, unknown>[]>

export interface CaseRunner {
  dialect: Dialect
  /** Runs `body` so that what the case changes is undone afterwards (a rolled-back transaction). */
  isolated(body: (execute: Execute) => Promise<void>): Promise<void>
}

/**
 * Registers one test per case that compiles for this runner's dialect: the statement is executed
 * and its rows (and the rows of the case's check query) compared with the case's expectations.
 */
export function executeCases(runner: () => CaseRunner, cases: readonly SqlCase[], dialect: Dialect): void {
  for (const c of cases) {
    if (typeof expected(c, dialect) === 'string' || c.notOn?.[dialect] !== undefined) continue
    it(c.name, async () => {
      const r = runner()
      const { sql, params } = c.build(newBuilder(dialect), dialect).build()
      try {
        await r.isolated(async (execute) => {
          for (const statement of c.setup?.(dialect) ?? []) await execute(statement, [])
          const rows = normalizeRows(await execute(sql, params))
          if (c.rows !== undefined) assert.deepEqual(c.ordered ? rows : sortRows(rows), c.rows, sql)
          if (c.check !== undefined) {
            const checked = normalizeRows(await execute(c.check.sql, []))
            assert.deepEqual(sortRows(checked), c.check.rows, `${sql}\nthen ${c.check.sql}`)
          }
        })
      } finally {
        const teardown = c.teardown?.(dialect) ?? []
        if (teardown.length > 0) {
          await r.isolated(async (execute) => {
            for (const statement of teardown) await execute(statement, [])
          })
        }
      }
    })
  }
}
