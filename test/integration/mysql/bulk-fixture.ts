import assert from 'node:assert/strict'
import type { MySqlConnection } from '../../../src/mysql/connection.js'

/**
 * The table and rows bulkInsert's integration tests share: one column per kind of value the
 * binary protocol sends (types/params.ts), and the values each should read back as.
 */

export const COLUMNS = ['id', 'big', 'price', 'name', 'data', 'at', 'note', 'doc'] as const

export async function createTable(conn: MySqlConnection, table: string): Promise<void> {
  await conn.query(`DROP TABLE IF EXISTS ${table}`)
  await conn.query(
    `CREATE TABLE ${table} (id INT PRIMARY KEY, big BIGINT, price DECIMAL(12, 2), ` +
      'name VARCHAR(40), data BLOB, at DATETIME(6), note VARCHAR(20) NULL, doc JSON) ' +
      'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  )
}

const BASE = Date.UTC(2024, 0, 1)

/** Row `i`: a BIGINT past 2^53, a DECIMAL as text, emoji, bytes, a Date with ms, NULLs, JSON. */
export function row(i: number): unknown[] {
  return [
    i,
    2n ** 60n + BigInt(i),
    `${i}.25`,
    `name ${i} 😀ż`,
    Buffer.from([i & 0xff, (i >> 8) & 0xff, 0, 0xff]),
    new Date(BASE + i * 1000 + (i % 1000)),
    i % 3 === 0 ? null : `note ${i}`,
    i % 5 === 0 ? null : { i, tags: ['a', i], ok: i % 2 === 0 },
  ]
}

export function rows(n: number, from = 0): unknown[][] {
  return Array.from({ length: n }, (_, k) => row(from + k))
}

/** The table's rows as objects, in id order. */
export async function readBack(conn: MySqlConnection, table: string): Promise<Record<string, unknown>[]> {
  const result = await conn.execute(`SELECT ${COLUMNS.join(', ')} FROM ${table} ORDER BY id`)
  return result.map((r) => ({ ...r }))
}

/** Asserts the table holds exactly rows(`n`) (the first difference is what fails). */
export async function assertTableHolds(conn: MySqlConnection, table: string, n: number): Promise<void> {
  const got = await readBack(conn, table)
  assert.equal(got.length, n)
  for (let i = 0; i < n; i++) {
    const expected = Object.fromEntries(COLUMNS.map((c, k) => [c, row(i)[k]]))
    assert.deepStrictEqual(got[i], expected, `row ${i}`)
  }
}

export async function count(conn: MySqlConnection, table: string): Promise<number> {
  const [r] = await conn.query<{ n: bigint }>(`SELECT COUNT(*) AS n FROM ${table}`)
  return Number(r!.n)
}

/** A session status counter, e.g. Com_stmt_prepare: what this connection sent so far. */
export async function sessionStatus(conn: MySqlConnection, name: string): Promise<number> {
  const [r] = await conn.query<{ Value: string }>(`SHOW SESSION STATUS LIKE '${name}'`)
  return Number(r!.Value)
}
