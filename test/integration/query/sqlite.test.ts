import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ALL_CASES } from '../../unit/query/cases/index.js'
import { schema } from '../../unit/query/cases/schema.js'
import { executeCases } from './run-cases.js'
import { sqlite, sqliteExecute } from './sqlite-cli.js'

/** Every SQLite statement of the case table, executed by the sqlite3 shell (issue 6, Tests). */
describe('QueryBuilder on SQLite (sqlite3 shell)', () => {
  let dir: string
  let base: string
  let copies = 0
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'covet-query-sqlite-'))
    base = join(dir, 'base.db')
    await sqlite(base, `${schema('sqlite').join(';\n')};\n`)
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('the shell is new enough for RETURNING, FULL JOIN and NULLS LAST (≥ 3.39)', async () => {
    const [row] = await sqliteExecute(base, 'SELECT sqlite_version() AS v', [])
    const [major, minor] = String(row!.v).split('.').map(Number)
    assert.ok(major! > 3 || minor! >= 39, String(row!.v))
  })

  executeCases(
    () => ({
      dialect: 'sqlite',
      // A copy of the seeded file per case: each case starts from the same rows.
      isolated: async (body) => {
        const file = join(dir, `case-${++copies}.db`)
        copyFileSync(base, file)
        try {
          await body((sql, params) => sqliteExecute(file, sql, params))
        } finally {
          rmSync(file, { force: true })
        }
      },
    }),
    ALL_CASES,
    'sqlite',
  )
})
