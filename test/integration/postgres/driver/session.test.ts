import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PgConnection } from '../../../../src/postgres/connection.js'
import { PostgresDriver } from '../../../../src/postgres/driver.js'
import { getPostgres } from '../../../harness/index.js'
import { untilNotRunning } from '../../../support/pg-activity.js'

// reserve(), session reset on release (HikariCP dirty bits) and stream() (issue 5).
describe('PostgresDriver sessions', () => {
  let db: PostgresDriver
  before(async () => {
    // One connection, so every test sees the connection the previous borrower used.
    db = new PostgresDriver((await getPostgres()).urls.trust, { poolSize: 1 })
  })
  after(() => db?.close())

  it('reserve keeps one session; release resets what it changed', async () => {
    const r = await db.reserve()
    const pid = r.connection.processId
    await r.execute("set application_name = 'reserved'")
    await r.execute('create temp table drv_tmp (a int)')
    await r.execute('select pg_advisory_lock(4242)')
    await r.execute('listen drv_channel')
    await r.execute('prepare user_stmt as select 1')
    assert.equal(
      (await r.executeOne<{ n: string }>("select current_setting('application_name') as n"))!.n,
      'reserved',
    )
    r.release()
    r.release() // idempotent
    await assert.rejects(r.execute('select 1'), { code: 'ERR_INVALID_ARGUMENT' })

    const after = await db.executeOne<{
      pid: number
      app: string
      tmp: string | null
      locks: bigint
      listening: bigint
      prepared: bigint
    }>(
      `select pg_backend_pid() as pid, current_setting('application_name') as app,
        to_regclass('drv_tmp')::text as tmp,
        (select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()) as locks,
        (select count(*) from pg_listening_channels()) as listening,
        (select count(*) from pg_prepared_statements where name = 'user_stmt') as prepared`,
    )
    assert.equal(after!.pid, pid, 'the same connection was reused')
    assert.equal(after!.app, '')
    assert.equal(after!.tmp, null)
    assert.equal(after!.locks, 0n)
    assert.equal(after!.listening, 0n)
    assert.equal(after!.prepared, 0n)
  })

  it('a clean borrower costs no reset round trip, and cached statements survive', async () => {
    const before = db.metrics()
    await db.execute('select $1::int4 as n', [1])
    await db.execute('select $1::int4 as n', [2])
    const after = db.metrics()
    assert.equal(after.destroyed.borrower, before.destroyed.borrower)
    assert.equal(after.created, before.created)
  })

  it('an open transaction left on a reserved connection is rolled back on release', async () => {
    await db.execute('create table if not exists drv_sess (a int)')
    await db.execute('truncate drv_sess')
    const r = await db.reserve()
    await r.execute('begin')
    await r.execute('insert into drv_sess values (1)')
    r.release()
    assert.equal((await db.executeOne<{ n: number }>('select count(*)::int4 as n from drv_sess'))!.n, 0)
  })

  it('DISCARD ALL by a borrower makes the driver forget its prepared statements', async () => {
    await db.execute('select $1::int4 as n', [1])
    const r = await db.reserve()
    await r.execute('discard all')
    assert.deepEqual([...(await r.execute('select $1::int4 as n', [3]))], [{ n: 3 }])
    r.release()
  })

  it('a reserved transaction commits and rolls back on its connection', async () => {
    await db.execute('truncate drv_sess')
    const r = await db.reserve()
    await r.transaction((tx) => tx.execute('insert into drv_sess values (1)'))
    await assert.rejects(
      r.transaction(async (tx) => {
        await tx.execute('insert into drv_sess values (2)')
        throw new Error('no')
      }),
    )
    r.release()
    assert.equal((await db.executeOne<{ n: number }>('select count(*)::int4 as n from drv_sess'))!.n, 1)
  })

  it('stream yields every row with bounded buffering and frees the connection', async () => {
    let n = 0
    for await (const row of db.stream<{ i: number }>(
      'select i from generate_series(1, $1::int4) i',
      [20_000],
      {
        batchSize: 100,
      },
    )) {
      n++
      assert.equal(row.i, n)
    }
    assert.equal(n, 20_000)
    assert.equal(db.metrics().inUse, 0)
  })

  it('breaking out of a stream cancels it and returns the connection clean', async () => {
    let n = 0
    const sql = 'select i, pg_sleep(0.0005) as break_me from generate_series(1, 100000) i'
    for await (const _ of db.stream(sql, [], { batchSize: 10 })) {
      if (++n === 5) break
    }
    // The server stopped instead of running 50 s of sleeps.
    const observer = await PgConnection.connect((await getPostgres()).urls.trust)
    try {
      await untilNotRunning(observer, 'pg_sleep(0.0005) as break_me')
    } finally {
      await observer.close()
    }
    assert.equal((await db.executeOne<{ n: number }>('select 7::int4 as n'))!.n, 7)
    assert.equal(db.metrics().inUse, 0)
  })
})
