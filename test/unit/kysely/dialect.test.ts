import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Kysely, PostgresAdapter, PostgresQueryCompiler, sql } from 'kysely'
import { AbortSignalPlugin, CovetPostgresDialect, withSignal } from '../../../src/kysely/index.js'
import { PostgresDriver } from '../../../src/postgres/driver.js'

// The dialect's configuration and what it hands Kysely; nothing here opens a connection.
describe('CovetPostgresDialect configuration', () => {
  const url = 'postgres://u@127.0.0.1:1/db'

  it('is Kysely’s PostgreSQL compiler and adapter on covet’s driver', () => {
    const dialect = new CovetPostgresDialect({ connection: url })
    assert.ok(dialect.createQueryCompiler() instanceof PostgresQueryCompiler)
    assert.ok(dialect.createAdapter() instanceof PostgresAdapter)
    const db = new Kysely<{ t: { a: number } }>({ dialect })
    const compiled = db.selectFrom('t').select('a').where('a', '=', 1).compile()
    assert.equal(compiled.sql, 'select "a" from "t" where "a" = $1')
  })

  it('refuses a config without exactly one of connection and driver', () => {
    const driver = new PostgresDriver(url)
    for (const config of [{}, { connection: url, driver }]) {
      assert.throws(() => new CovetPostgresDialect(config), {
        code: 'ERR_INVALID_ARGUMENT',
        message: /connection.*driver/,
      })
    }
    assert.throws(() => new CovetPostgresDialect(null as never), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => new CovetPostgresDialect({ driver: 'x' as never }), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /driver/,
    })
  })

  it('refuses onCreateConnection with a driver of your own (it goes to the driver as onConnect)', () => {
    assert.throws(
      () => new CovetPostgresDialect({ driver: new PostgresDriver(url), onCreateConnection: async () => {} }),
      { code: 'ERR_INVALID_ARGUMENT', message: /onConnect/ },
    )
  })

  it('checks hooks and driver options at construction', () => {
    assert.throws(() => new CovetPostgresDialect({ connection: url, onCreateConnection: 1 as never }), {
      message: /onCreateConnection/,
    })
    assert.throws(() => new CovetPostgresDialect({ connection: url, onReserveConnection: 'x' as never }), {
      message: /onReserveConnection/,
    })
    assert.throws(() => new CovetPostgresDialect({ connection: { poolSize: 0 } }), { message: /poolSize/ })
    assert.throws(() => new CovetPostgresDialect({ connection: { types: { int8: 'nope' as never } } }), {
      message: /int8/,
    })
  })

  it('AbortSignalPlugin takes an AbortSignal and leaves queries and results as they are', async () => {
    assert.throws(() => new AbortSignalPlugin({} as never), { code: 'ERR_INVALID_ARGUMENT' })
    const db = new Kysely<{ t: { a: number } }>({ dialect: new CovetPostgresDialect({ connection: url }) })
    const signalled = withSignal(db, new AbortController().signal)
    assert.equal(
      signalled.selectFrom('t').selectAll().compile().sql,
      db.selectFrom('t').selectAll().compile().sql,
    )
    const plugin = new AbortSignalPlugin(new AbortController().signal)
    const result = { rows: [{ a: 1 }] }
    assert.equal(await plugin.transformResult({ queryId: { queryId: 'q' }, result }), result)
    assert.equal(sql`select 1`.compile(signalled).sql, 'select 1')
  })
})
