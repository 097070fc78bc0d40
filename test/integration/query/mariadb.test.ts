import { after, before, describe } from 'node:test'
import mysql from 'mysql2/promise'
import { getMariaDb } from '../../harness/index.js'
import { ALL_CASES } from '../../unit/query/cases/index.js'
import { schema } from '../../unit/query/cases/schema.js'
import { executeCases } from './run-cases.js'

/**
 * Every MariaDB statement of the case table, executed through mysql2's `execute()` (server-side
 * prepared statements, so values really travel as bound parameters) (issue 6, Tests).
 */
describe('QueryBuilder on MariaDB (mysql2)', () => {
  let conn: mysql.Connection
  before(async () => {
    const my = await getMariaDb()
    conn = await mysql.createConnection({ uri: my.url, charset: 'utf8mb4' })
    await conn.query('DROP DATABASE IF EXISTS covet_query')
    await conn.query('CREATE DATABASE covet_query CHARACTER SET utf8mb4 COLLATE utf8mb4_bin')
    await conn.query('USE covet_query')
    for (const statement of schema('mariadb')) await conn.query(statement)
  })
  after(async () => {
    await conn?.query('DROP DATABASE IF EXISTS covet_query')
    await conn?.end()
  })

  executeCases(
    () => ({
      dialect: 'mariadb',
      isolated: async (body) => {
        await conn.query('START TRANSACTION')
        try {
          await body(async (sql, params) => {
            const [rows] = await conn.execute(sql, params as mysql.ExecuteValues)
            return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : []
          })
        } finally {
          await conn.query('ROLLBACK')
        }
      },
    }),
    ALL_CASES,
    'mariadb',
  )
})
