import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PgConnection } from '../../../src/postgres/connection.js'
import { getPostgres } from '../../harness/index.js'
import { untilNotRunning, untilRunning } from '../../support/pg-activity.js'

// Cancel, timeouts and a backend killed under a query (issue 4, "Cancel & timeouts").
describe('PgConnection cancel and termination', () => {
  let url: string
  let conn: PgConnection
  /** A second session that watches pg_stat_activity. */
  let observer: PgConnection
  before(async () => {
    url = (await getPostgres()).urls.trust
    conn = await PgConnection.connect(url)
    observer = await PgConnection.connect(url)
  })
  after(async () => {
    await conn?.close()
    await observer?.close()
  })

  // The sleeps below last a minute so that a statement the cancel failed to stop is still running
  // when the bounded wait for it to stop gives up.
  it('cancels a running pg_sleep from an AbortSignal: settles at once, the server stops, stays usable', async () => {
    const ac = new AbortController()
    const sleeping = conn.query('select pg_sleep(60) as cancel_me', [], { signal: ac.signal })
    await untilRunning(observer, 'pg_sleep(60) as cancel_me', { pid: conn.processId })
    let settled = false
    sleeping.catch(() => {
      settled = true
    })
    ac.abort()
    // "Settles the query at once" (docs/postgres.md): before the next event-loop turn, which
    // comes before any answer to a CancelRequest that has yet to open its own connection.
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(settled, true, 'rejected without waiting for the server')
    await assert.rejects(sleeping, { code: 'ERR_QUERY_CANCELLED' })
    await untilNotRunning(observer, 'pg_sleep(60) as cancel_me')
    assert.deepEqual([...(await conn.query('select 1::int4 as one'))], [{ one: 1 }])
    assert.equal(conn.transactionStatus, 'I')
  })

  it('times out with ERR_QUERY_TIMEOUT and the cancel does not hit the next query', async () => {
    // timeoutMs is the behaviour under test, so 100 ms really pass; the next query sleeps so that
    // a cancel arriving late would find it running (the assertion is on its result, not on time).
    const slow = conn.query('select pg_sleep(60) as time_me_out', [], { timeoutMs: 100 })
    const next = conn.query('select pg_sleep(0.2), 7::int4 as seven')
    await assert.rejects(slow, { code: 'ERR_QUERY_TIMEOUT' })
    await untilNotRunning(observer, 'pg_sleep(60) as time_me_out')
    assert.equal((await next)[0]!.seven, 7)
  })

  it('rejects at once for an already aborted signal', async () => {
    await assert.rejects(conn.query('select 1', [], { signal: AbortSignal.abort() }), {
      code: 'ERR_QUERY_CANCELLED',
    })
  })

  it('cancels inside a transaction, leaving it failed (E) for the caller to roll back', async () => {
    await conn.query('begin')
    await assert.rejects(conn.query('select pg_sleep(10)', [], { timeoutMs: 50 }), {
      code: 'ERR_QUERY_TIMEOUT',
    })
    await conn.query('select 1').catch(() => {})
    assert.equal(conn.transactionStatus, 'E')
    await conn.query('rollback')
    assert.equal(conn.transactionStatus, 'I')
  })

  it('pg_terminate_backend: the pending query rejects with ERR_CONNECTION_CLOSED, nothing hangs', async () => {
    const victim = await PgConnection.connect(url)
    // Settle-handlers attached at once: the rejection may arrive before the terminate call returns.
    const pending = victim.query('select pg_sleep(10)').catch((e) => e)
    const queued = victim.query('select 1').catch((e) => e)
    await untilRunning(observer, 'pg_sleep(10)', { pid: victim.processId })
    await conn.query('select pg_terminate_backend($1::int4)', [victim.processId])
    assert.equal((await pending).code, 'ERR_CONNECTION_CLOSED')
    assert.equal((await queued).code, 'ERR_CONNECTION_CLOSED')
    assert.equal(victim.closed, true)
    await assert.rejects(victim.query('select 1'), { code: 'ERR_CONNECTION_CLOSED' })
  })
})
