import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PgConnection } from '../../../src/postgres/connection.js'
import { getPostgres } from '../../harness/index.js'

// Cancel, timeouts and a backend killed under a query (issue 4, "Cancel & timeouts").
describe('PgConnection cancel and termination', () => {
  let url: string
  let conn: PgConnection
  before(async () => {
    url = (await getPostgres()).urls.trust
    conn = await PgConnection.connect(url)
  })
  after(() => conn?.close())

  it('cancels pg_sleep(10) from an AbortSignal within 100 ms and stays usable', async () => {
    const ac = new AbortController()
    const started = performance.now()
    const sleeping = conn.query('select pg_sleep(10)', [], { signal: ac.signal })
    setTimeout(() => ac.abort(), 50)
    await assert.rejects(sleeping, { code: 'ERR_QUERY_CANCELLED' })
    assert.ok(performance.now() - started < 150, 'settled within 100 ms of the abort')
    // The server really stopped: the next query does not wait for the sleep.
    assert.deepEqual([...(await conn.query('select 1::int4 as one'))], [{ one: 1 }])
    assert.ok(performance.now() - started < 2000)
    assert.equal(conn.transactionStatus, 'I')
  })

  it('times out with ERR_QUERY_TIMEOUT and the cancel does not hit the next query', async () => {
    const slow = conn.query('select pg_sleep(10)', [], { timeoutMs: 100 })
    const next = conn.query('select pg_sleep(0.2), 7::int4 as seven')
    await assert.rejects(slow, { code: 'ERR_QUERY_TIMEOUT' })
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
    await new Promise((r) => setTimeout(r, 50))
    await conn.query('select pg_terminate_backend($1::int4)', [victim.processId])
    assert.equal((await pending).code, 'ERR_CONNECTION_CLOSED')
    assert.equal((await queued).code, 'ERR_CONNECTION_CLOSED')
    assert.equal(victim.closed, true)
    await assert.rejects(victim.query('select 1'), { code: 'ERR_CONNECTION_CLOSED' })
  })
})
