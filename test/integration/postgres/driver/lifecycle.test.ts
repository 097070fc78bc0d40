import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { connect } from '../../../../src/index.js'
import { PgConnection } from '../../../../src/postgres/connection.js'
import { PostgresDriver } from '../../../../src/postgres/driver.js'
import { QueryBuilder } from '../../../../src/query/builder.js'
import { getPostgres } from '../../../harness/index.js'
import { untilRunning } from '../../../support/pg-activity.js'

// connect(), builders from covet/query, close() and COPY cancellation (issue 5).
describe('PostgresDriver lifecycle', () => {
  it('connect() opens a checked driver for postgres:// and postgresql:// URLs', async () => {
    const url = (await getPostgres()).urls.trust
    const db = await connect(url.replace(/^postgres:/, 'postgresql:'), { poolSize: 2 })
    assert.ok(db instanceof PostgresDriver)
    assert.equal((await db.executeOne<{ n: number }>('select 1::int4 as n'))!.n, 1)
    await db.close()
    const port = new URL(url).port
    await assert.rejects(connect(`postgres://covet_trust@127.0.0.1:${port}/no_such_db`), {
      sqlState: '3D000',
    })
  })

  it('executes a covet/query builder directly', async () => {
    const db = new PostgresDriver((await getPostgres()).urls.trust, { poolSize: 1 })
    await db.execute('create table if not exists drv_qb (id int, status text)')
    await db.execute('truncate drv_qb')
    await db.execute("insert into drv_qb values (1, 'active'), (2, 'gone'), (3, 'active')")
    const b = new QueryBuilder('postgresql')
      .select('id')
      .from('drv_qb')
      .where('status', '=', 'active')
      .orderBy('id', 'desc')
    const rows = await db.execute<{ id: number }>(b)
    assert.deepEqual(
      rows.map((r) => r.id),
      [3, 1],
    )
    await assert.rejects(db.execute(new QueryBuilder('mysql').select('id').from('drv_qb')), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    await db.close()
  })

  it('close() waits for in-flight work, then refuses new work', async () => {
    const url = (await getPostgres()).urls.trust
    const db = new PostgresDriver(url, { poolSize: 2 })
    // The in-flight statement waits for an advisory lock the test holds, and ends when it lets go.
    const holder = await PgConnection.connect(url)
    await holder.query('select pg_advisory_lock(4711)')
    const order: string[] = []
    const slow = db.execute('select pg_advisory_xact_lock(4711), 1::int4 as in_flight').then((rows) => {
      order.push('work done')
      return rows
    })
    await untilRunning(holder, 'as in_flight', { waitingForLock: true })
    const closing = db.close().then(() => order.push('closed'))
    await assert.rejects(db.execute('select 1'), { code: 'ERR_POOL_CLOSED' })
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(order, [], 'close() is still waiting for the statement')
    await holder.query('select pg_advisory_unlock(4711)')
    await holder.close()
    assert.equal((await slow)[0]!.in_flight, 1)
    await closing
    assert.deepEqual(order, ['work done', 'closed'])
    assert.equal(db.metrics().size, 0)
    await assert.rejects(
      db.transaction(async () => {}),
      { code: 'ERR_POOL_CLOSED' },
    )
    await assert.rejects(
      db.listen('x', () => {}),
      { code: 'ERR_POOL_CLOSED' },
    )
  })

  it('close() past its timeout closes connections under running work', async () => {
    const db = new PostgresDriver((await getPostgres()).urls.trust, { poolSize: 1 })
    const reserved = await db.reserve()
    const order: string[] = []
    const stuck = reserved.execute('select pg_sleep(60)').then(
      () => order.push('work done'),
      (error: { code: string }) => order.push(`work failed: ${error.code}`),
    )
    // The timeout is the behaviour under test: 200 ms pass. Had close() waited for the work, the
    // sleep would have finished first ('work done') instead of failing under the closed socket.
    await db.close({ timeoutMs: 200 }).then(() => order.push('closed'))
    await stuck
    assert.deepEqual(order, ['work failed: ERR_CONNECTION_CLOSED', 'closed'])
    reserved.release()
  })

  it('a COPY cancelled by its signal or timeout inserts nothing and frees the connection', async () => {
    const db = new PostgresDriver((await getPostgres()).urls.trust, { poolSize: 1 })
    await db.execute('create table if not exists drv_copy_cancel (a int)')
    await db.execute('truncate drv_copy_cancel')
    // A source that never ends, pacing its lines on a timer: only the 100 ms timeout (the
    // behaviour under test) can end this COPY.
    async function* slow() {
      for (let i = 0; ; i++) {
        yield `${i}\n`
        await new Promise((r) => setTimeout(r, 5))
      }
    }
    await assert.rejects(db.copyFrom('copy drv_copy_cancel from stdin', slow(), { timeoutMs: 100 }), {
      code: 'ERR_QUERY_TIMEOUT',
    })
    // The signal fires from the source itself, after 1000 rows have gone into the COPY.
    const ac = new AbortController()
    let produced = 0
    await assert.rejects(
      db.bulkInsert(
        'drv_copy_cancel',
        ['a'],
        (async function* () {
          for (let i = 0; ; i++) {
            if (i === 1000) ac.abort()
            produced++
            yield [i]
            if (i % 100 === 0) await new Promise((r) => setImmediate(r))
          }
        })(),
        { signal: ac.signal },
      ),
      { code: 'ERR_QUERY_CANCELLED' },
    )
    assert.ok(produced > 1000 && produced < 1100, `the source stopped being read (${produced} rows)`)
    assert.equal(
      (await db.executeOne<{ n: number }>('select count(*)::int4 as n from drv_copy_cancel'))!.n,
      0,
    )
    assert.equal(db.metrics().inUse, 0)
    await db.close()
  })
})
