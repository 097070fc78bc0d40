import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CompiledQuery, Kysely, MysqlAdapter, MysqlQueryCompiler, type QueryResult, sql } from 'kysely'
import { CovetMysqlDialect } from '../../../src/kysely/index.js'
import { mysqlResult } from '../../../src/kysely/mysql-driver.js'
import { MySqlDriver } from '../../../src/mysql/driver.js'
import type { MySqlResult } from '../../../src/mysql/handlers.js'

/** A covet result as MySqlConnection makes it: rows plus the OK packet's fields. */
function covetResult(
  rows: unknown[],
  ok: { affectedRows?: number; insertId?: number | bigint; info?: string },
  columns = 0,
) {
  return Object.assign(rows, {
    affectedRows: ok.affectedRows ?? 0,
    insertId: ok.insertId ?? 0,
    warnings: 0,
    info: ok.info ?? '',
    fields: Array.from({ length: columns }, () => ({})),
  }) as unknown as MySqlResult<unknown>
}

// The dialect's configuration, what it hands Kysely, and its result mapping; nothing here opens a connection.
describe('CovetMysqlDialect configuration', () => {
  const url = 'mysql://u@127.0.0.1:1/db'
  type Db = { t: { id: number; a: number } }

  it('is Kysely’s MySQL compiler and adapter on covet’s driver', () => {
    const dialect = new CovetMysqlDialect({ connection: url })
    assert.ok(dialect.createQueryCompiler() instanceof MysqlQueryCompiler)
    assert.ok(dialect.createAdapter() instanceof MysqlAdapter)
    const db = new Kysely<Db>({ dialect })
    const compiled = db.selectFrom('t').select('a').where('a', '=', 1).compile()
    assert.equal(compiled.sql, 'select `a` from `t` where `a` = ?')
  })

  it('refuses a bad config at construction, naming the option', () => {
    const driver = new MySqlDriver(url)
    for (const config of [{}, { connection: url, driver }]) {
      assert.throws(() => new CovetMysqlDialect(config), {
        code: 'ERR_INVALID_ARGUMENT',
        message: /connection.*driver/,
      })
    }
    assert.throws(() => new CovetMysqlDialect(null as never), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => new CovetMysqlDialect({ driver: 'x' as never }), {
      message: /MySqlDriver or a function/,
    })
    assert.throws(() => new CovetMysqlDialect({ driver, onCreateConnection: async () => {} }), {
      message: /onConnect/,
    })
    assert.throws(() => new CovetMysqlDialect({ connection: url, onCreateConnection: 1 as never }), {
      message: /onCreateConnection/,
    })
    assert.throws(() => new CovetMysqlDialect({ connection: url, onReserveConnection: 'x' as never }), {
      message: /onReserveConnection/,
    })
    assert.throws(() => new CovetMysqlDialect({ connection: { poolSize: 0 } }), { message: /poolSize/ })
    assert.throws(() => new CovetMysqlDialect({ connection: { types: { bigint: 'nope' as never } } }), {
      message: /bigint/,
    })
    // Kysely builds rows from objects.
    assert.throws(() => new CovetMysqlDialect({ connection: { rowMode: 'array' } }), { message: /rowMode/ })
    assert.throws(() => new CovetMysqlDialect({ connection: 'postgres://u@h/db' }), {
      code: 'ERR_INVALID_ARGUMENT',
    })
  })

  it('a result set is { rows }; an OK packet has insertId (undefined for 0), numAffectedRows, numChangedRows', () => {
    const select = CompiledQuery.raw('select 1')
    assert.deepEqual(mysqlResult(covetResult([{ a: 1 }], {}, 1), select), { rows: [{ a: 1 }] })
    assert.deepEqual(mysqlResult(covetResult([], {}, 1), select), { rows: [] })
    const insert = CompiledQuery.raw('insert into t values (1)')
    assert.deepEqual(mysqlResult(covetResult([], { affectedRows: 2, insertId: 7 }), insert), {
      insertId: 7n,
      numAffectedRows: 2n,
      numChangedRows: 0n,
      rows: [],
    })
    const noId: QueryResult<unknown> = mysqlResult(covetResult([], { affectedRows: 1 }), insert)
    assert.ok('insertId' in noId && noId.insertId === undefined)
    // Unsigned BIGINT ids past 2^53 stay exact.
    assert.equal(
      mysqlResult(covetResult([], { affectedRows: 1, insertId: 2n ** 63n }), insert).insertId,
      2n ** 63n,
    )
  })

  it('UPDATE: numAffectedRows is the rows matched from the info text, numChangedRows the rows changed', () => {
    const db = new Kysely<Db>({ dialect: new CovetMysqlDialect({ connection: url }) })
    const update = db.updateTable('t').set({ a: 1 }).compile()
    const ok = { affectedRows: 1, info: 'Rows matched: 3  Changed: 1  Warnings: 0' }
    assert.deepEqual(mysqlResult(covetResult([], ok), update), {
      insertId: undefined,
      numAffectedRows: 3n,
      numChangedRows: 1n,
      rows: [],
    })
    // Other server languages (lc_messages = de_DE) keep the numbers in order.
    const german = { affectedRows: 1, info: 'Datensätze gefunden: 3  Geändert: 1  Warnungen: 0' }
    assert.equal(mysqlResult(covetResult([], german), update).numAffectedRows, 3n)
    // A raw UPDATE too; without a readable info text, the changed rows are all covet knows.
    const raw = sql`update t set a = 1`.compile(db)
    assert.equal(mysqlResult(covetResult([], ok), raw).numAffectedRows, 3n)
    assert.equal(mysqlResult(covetResult([], { affectedRows: 1 }), raw).numAffectedRows, 1n)
    // The same info shape after an INSERT (ER_INSERT_INFO: "Records: 3  Duplicates: 0  Warnings: 0") is not read.
    const insert = db
      .insertInto('t')
      .values([{ id: 1, a: 1 }])
      .compile()
    const records = { affectedRows: 3, info: 'Records: 3  Duplicates: 0  Warnings: 0' }
    assert.equal(mysqlResult(covetResult([], records), insert).numAffectedRows, 3n)
  })
})
