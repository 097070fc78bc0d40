import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PgConnection } from '../../../../src/postgres/connection.js'
import { PostgresDriver } from '../../../../src/postgres/driver.js'
import { getPostgres } from '../../../harness/index.js'
import { untilNotRunning, untilRunning } from '../../../support/pg-activity.js'

// PostgresDriver, issue 5 "API": execute, executeOne, the sql tag, builders, pooling, metrics.
describe('PostgresDriver execute', () => {
  let db: PostgresDriver
  before(async () => {
    db = new PostgresDriver((await getPostgres()).urls.trust, { poolSize: 4 })
    await db.execute('create table if not exists drv_users (id int primary key, name text, age int)')
    await db.execute('truncate drv_users')
    await db.transaction([
      ['insert into drv_users values ($1, $2, $3)', [1, 'Ada', 36]],
      ['insert into drv_users values ($1, $2, $3)', [2, 'Bob', 17]],
      ['insert into drv_users values ($1, $2, $3)', [3, 'Cy', 52]],
    ])
  })
  after(() => db?.close())

  it('returns rows with rowCount, command and fields', async () => {
    const rows = await db.execute<{ name: string }>(
      'select name from drv_users where age > $1 order by id',
      [18],
    )
    assert.deepEqual([...rows], [{ name: 'Ada' }, { name: 'Cy' }])
    assert.equal(rows.rowCount, 2)
    assert.equal(rows.command, 'SELECT')
    assert.equal(rows.fields[0]!.name, 'name')
  })

  it('executeOne gives the first row or null', async () => {
    assert.deepEqual(await db.executeOne('select name from drv_users where id = $1', [2]), { name: 'Bob' })
    assert.equal(await db.executeOne('select name from drv_users where id = $1', [99]), null)
  })

  it('sql tag: interpolations are parameters, with identifiers and IN lists', async () => {
    const evil = "x'; drop table drv_users; --"
    const none = await db.sql`select id from drv_users where name = ${evil}`
    assert.equal(none.length, 0)
    const col = 'name'
    const rows = await db.sql`select ${db.sql.id(col)} from ${db.sql.id('public', 'drv_users')}
      where id in ${db.sql.in([1, 3])} order by id`
    assert.deepEqual([...rows], [{ name: 'Ada' }, { name: 'Cy' }])
    assert.equal((await db.sql`select 1 from drv_users where id in ${db.sql.in([])}`).length, 0)
    const cond = db.sql.fragment`age > ${18}`
    assert.equal((await db.sql`select id from drv_users where ${cond} and id > ${1}`).length, 1)
    // A fragment can also be passed to execute() without running it first.
    assert.equal((await db.execute(db.sql`select ${5}::int4 as five`))[0]!.five, 5)
  })

  it('runs a builder structurally and refuses another dialect', async () => {
    const builder = { dialect: 'postgresql', build: () => ({ sql: 'select $1::int4 as n', params: [7] }) }
    assert.deepEqual([...(await db.execute(builder))], [{ n: 7 }])
    const mysql = { dialect: 'mysql', build: () => ({ sql: 'select ?', params: [1] }) }
    await assert.rejects(db.execute(mysql), { code: 'ERR_INVALID_ARGUMENT' })
    await assert.rejects(db.execute(42 as never), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('pipelines many callers over a small pool and settles each in order', async () => {
    const n = 200
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => db.executeOne<{ i: number }>('select $1::int4 as i', [i])),
    )
    assert.deepEqual(
      results.map((r) => r!.i),
      Array.from({ length: n }, (_, i) => i),
    )
    const m = db.metrics()
    assert.ok(m.size <= 4, `pool size ${m.size}`)
    assert.equal(m.inUse, 0)
  })

  it('an error fails only its own statement', async () => {
    const results = await Promise.allSettled([
      db.execute('select 1 as a'),
      db.execute('select 1 / 0'),
      db.execute('select 2 as b'),
    ])
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    )
    assert.equal((results[1] as PromiseRejectedResult).reason.sqlState, '22012')
  })

  it('cancels with a signal and times out, and the pool stays healthy', async () => {
    const observer = await PgConnection.connect((await getPostgres()).urls.trust)
    try {
      const ac = new AbortController()
      const sleeping = db.execute('select pg_sleep(60) as abort_me', [], { signal: ac.signal })
      await untilRunning(observer, 'pg_sleep(60) as abort_me')
      ac.abort()
      await assert.rejects(sleeping, { code: 'ERR_QUERY_CANCELLED' })
      await untilNotRunning(observer, 'pg_sleep(60) as abort_me')
      // timeoutMs is under test here, so its 50 ms pass.
      await assert.rejects(db.execute('select pg_sleep(60) as time_me_out', [], { timeoutMs: 50 }), {
        code: 'ERR_QUERY_TIMEOUT',
      })
      await untilNotRunning(observer, 'pg_sleep(60) as time_me_out')
    } finally {
      await observer.close()
    }
    assert.equal((await db.executeOne<{ n: number }>('select 1::int4 as n'))!.n, 1)
  })

  it('metrics: queries, errors by SQLSTATE class and by code, bytes', async () => {
    await db.execute('select 1 / 0').catch(() => {})
    const m = db.metrics()
    assert.ok(m.queries.total > 200)
    assert.ok(m.queries.bySqlStateClass['22']! >= 1)
    assert.ok(m.queries.byCode.ERR_DATABASE! >= 1)
    assert.ok(m.queries.byCode.ERR_QUERY_TIMEOUT! >= 1)
    assert.ok(m.bytes.in > 0 && m.bytes.out > 0)
    assert.equal(typeof m.breaker.state, 'string')
  })

  it('checks options at construction', () => {
    assert.throws(() => new PostgresDriver({ poolSize: 0 }), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => new PostgresDriver('postgres://x/y?bogus=1'), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => new PostgresDriver(7 as never), { code: 'ERR_INVALID_ARGUMENT' })
  })
})
