import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parsePgUrl } from '../../../src/postgres/config.js'
import { PgConnection } from '../../../src/postgres/connection.js'
import { QueryBuilder } from '../../../src/query/builder.js'
import { getPostgres } from '../../harness/index.js'
import { ALL_CASES } from '../../unit/query/cases/index.js'
import { schema } from '../../unit/query/cases/schema.js'
import { executeCases } from './run-cases.js'

/** Every PostgreSQL statement of the case table, executed with covet's PgConnection (issue 6, Tests). */
describe('QueryBuilder on PostgreSQL (PgConnection)', () => {
  let conn: PgConnection
  before(async () => {
    const pg = await getPostgres()
    conn = await PgConnection.connect({ ...parsePgUrl(pg.urls.trust), sslmode: 'disable' })
    await conn.query('DROP SCHEMA IF EXISTS covet_query CASCADE', [], { simple: true })
    await conn.query('CREATE SCHEMA covet_query; SET search_path TO covet_query', [], { simple: true })
    await conn.query(`${schema('postgres').join(';\n')};`, [], { simple: true })
  })
  after(async () => {
    await conn?.query('DROP SCHEMA IF EXISTS covet_query CASCADE', [], { simple: true })
    await conn?.close()
  })

  executeCases(
    () => ({
      dialect: 'postgres',
      isolated: async (body) => {
        await conn.query('BEGIN', [], { simple: true })
        try {
          await body(async (sql, params) => [...(await conn.query(sql, params))])
        } finally {
          await conn.query('ROLLBACK', [], { simple: true })
        }
      },
    }),
    ALL_CASES,
    'postgres',
  )

  it('a value with NUL stays a bound parameter and PostgreSQL refuses it (22021), storing nothing', async () => {
    const { sql, params } = new QueryBuilder('postgres')
      .insert('items')
      .values({ id: 7, label: 'a\0b' })
      .build()
    assert.equal(sql, 'INSERT INTO items (id, label) VALUES ($1, $2)')
    await assert.rejects(conn.query(sql, params), (err: { sqlState?: string; code?: string }) => {
      assert.equal(err.sqlState, '22021')
      return true
    })
    assert.deepEqual([...(await conn.query('SELECT id FROM items'))], [])
  })
})
