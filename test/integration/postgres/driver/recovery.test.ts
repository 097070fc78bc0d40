import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PostgresDriver } from '../../../../src/postgres/driver.js'
import { type PgServer, startPostgres } from '../../../harness/index.js'

/**
 * Recovery against a real server the test owns (issue 5, "Recovery"): backends terminated under
 * load, the server down for a while under load, and a soak of 200 callers on a pool of 10 with
 * random cancellations. COVET_SOAK_MS sets the soak's length: 10 s by default, 60000 for the
 * issue's full 60 s. COVET_OUTAGE_MS sets the outage (default 10 s, as in the issue).
 */
const SOAK_MS = Number(process.env.COVET_SOAK_MS ?? 10_000)
const OUTAGE_MS = Number(process.env.COVET_OUTAGE_MS ?? 10_000)
const APP = 'covet-recovery'

describe('PostgresDriver recovery', { timeout: 120_000 }, () => {
  let server: PgServer
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  before(async () => {
    server = await startPostgres()
    await server.psql('create table if not exists rec (id int primary key, v int)')
    await server.psql('insert into rec select i, i from generate_series(1, 100) i on conflict do nothing')
    await server.psql('grant all on rec to public')
    process.on('unhandledRejection', onUnhandled)
  })
  after(async () => {
    process.off('unhandledRejection', onUnhandled)
    await server?.stop()
  })

  const driver = (options: ConstructorParameters<typeof PostgresDriver>[1] = {}) =>
    new PostgresDriver(server.urls.trust, { applicationName: APP, ...options })

  /** Sessions the server has for the driver's application_name. */
  const serverSessions = async () =>
    Number(await server.psql(`select count(*) from pg_stat_activity where application_name = '${APP}'`))

  /** Callers looping point selects until `stop`; returns the error codes seen. */
  function load(db: PostgresDriver, callers: number, stop: { done: boolean }): Promise<string[]> {
    const codes: string[] = []
    const caller = async () => {
      while (!stop.done) {
        try {
          await db.execute('select v from rec where id = $1', [1 + Math.floor(Math.random() * 100)])
        } catch (error) {
          codes.push((error as { code: string }).code)
          await new Promise((r) => setTimeout(r, 5))
        }
      }
    }
    return Promise.all(Array.from({ length: callers }, caller)).then(() => codes)
  }

  it('pg_terminate_backend under load: affected queries fail with ERR_CONNECTION_CLOSED, the pool heals', async () => {
    const db = driver({ poolSize: 5 })
    const stop = { done: false }
    const running = load(db, 40, stop)
    await new Promise((r) => setTimeout(r, 500))
    await server.psql(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = '${APP}'`,
    )
    await new Promise((r) => setTimeout(r, 1000))
    stop.done = true
    const codes = await running
    assert.ok(
      codes.every((c) => c === 'ERR_CONNECTION_CLOSED'),
      `only ERR_CONNECTION_CLOSED, got ${[...new Set(codes)]}`,
    )
    assert.deepEqual([...(await db.execute('select v from rec where id = 7'))], [{ v: 7 }])
    // A connection whose query settled early (cancelled, timed out) goes back to the pool only
    // once the server has finished that query (connections.ts giveBack): allow it a moment.
    for (let waited = 0; db.metrics().inUse !== 0 && waited < 5000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50))
    }
    const m = db.metrics()
    assert.equal(m.inUse, 0)
    assert.ok(m.destroyed.borrower + m.destroyed.validation > 0, 'dead connections were destroyed')
    assert.equal(await serverSessions(), m.size, 'pool counts match pg_stat_activity')
    await db.close()
    assert.equal(await serverSessions(), 0)
    assert.deepEqual(unhandled, [])
  })

  it('statements queued but never written when their connection dies are re-run elsewhere', async () => {
    const db = driver({ poolSize: 1 })
    await server.psql('create table if not exists rec_lock (a int); grant all on rec_lock to public')
    // Another session holds the table: Parse of the first statement waits for the lock, and a
    // statement being described holds the ones pipelined behind it unwritten.
    const locker = server.psql(
      'begin; lock table rec_lock in access exclusive mode; select pg_sleep(2); commit',
    )
    await new Promise((r) => setTimeout(r, 300))
    const first = db.execute('select count(*)::int4 as n from rec_lock')
    const queued = Array.from({ length: 5 }, (_, i) =>
      db.executeOne<{ i: number }>('select $1::int4 as i', [i]),
    )
    await new Promise((r) => setTimeout(r, 300))
    await server.psql(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = '${APP}'`,
    )
    // Only described (Parse has no effect), never executed: it is re-run too.
    assert.deepEqual([...(await first)], [{ n: 0 }])
    assert.deepEqual(
      (await Promise.all(queued)).map((r) => r!.i),
      [0, 1, 2, 3, 4],
    )
    assert.equal(db.metrics().queries.retriedUnsent, 6)
    await locker
    await db.close()
  })

  it('server down under load: the breaker opens, fails fast, half-opens and recovers; nothing leaks', async () => {
    const db = driver({ poolSize: 5, pool: { acquireTimeoutMs: 2000, createTimeoutMs: 2000 } })
    await db.execute('select 1')
    const stop = { done: false }
    const running = load(db, 20, stop)
    await new Promise((r) => setTimeout(r, 300))
    await server.kill()
    await new Promise((r) => setTimeout(r, OUTAGE_MS))
    const during = db.metrics()
    assert.ok(during.breaker.transitions.open >= 1, 'the breaker opened')
    assert.ok(during.rejected.circuitOpen > 0, 'callers failed fast with ERR_CIRCUIT_OPEN')
    // No connect storm: attempts are paced by the breaker's backoff, not one per caller per loop.
    assert.ok(during.createErrors < 60, `${during.createErrors} connection attempts in ${OUTAGE_MS} ms`)
    await server.restart()
    const deadline = performance.now() + 15_000
    for (;;) {
      const ok = await db.execute('select 1 as one').then(
        () => true,
        () => false,
      )
      if (ok) break
      assert.ok(performance.now() < deadline, 'recovered within 15 s of the restart')
      await new Promise((r) => setTimeout(r, 100))
    }
    await new Promise((r) => setTimeout(r, 300))
    stop.done = true
    const codes = new Set(await running)
    for (const code of codes) {
      assert.ok(
        ['ERR_CONNECTION_CLOSED', 'ERR_CIRCUIT_OPEN', 'ERR_CONNECTION_FAILED', 'ERR_POOL_TIMEOUT'].includes(
          code,
        ),
        `unexpected ${code}`,
      )
    }
    assert.ok(codes.has('ERR_CIRCUIT_OPEN'))
    const m = db.metrics()
    assert.equal(m.breaker.state, 'closed')
    assert.ok(m.breaker.transitions.halfOpen >= 1)
    assert.equal(m.inUse, 0)
    assert.equal(await serverSessions(), m.size, 'zero leaked connections')
    await db.close()
    assert.deepEqual(unhandled, [])
  })

  it(`200 callers on a pool of 10 for ${SOAK_MS} ms with random cancellations: every promise settles`, async () => {
    const db = driver({ poolSize: 10 })
    const deadline = performance.now() + SOAK_MS
    const outcomes = { ok: 0, cancelled: 0, timeout: 0, other: [] as string[] }
    const caller = async () => {
      while (performance.now() < deadline) {
        const roll = Math.random()
        const ac = new AbortController()
        const options =
          roll < 0.1
            ? { signal: ac.signal }
            : roll < 0.15
              ? { timeoutMs: 1 + Math.floor(Math.random() * 5) }
              : {}
        if (roll < 0.1) setTimeout(() => ac.abort(), Math.random() * 5)
        const sql = roll > 0.97 ? 'select pg_sleep(0.01), $1::int4 as v' : 'select v from rec where id = $1'
        try {
          if (roll > 0.95 && roll <= 0.97)
            await db.transaction((tx) => tx.execute('select v from rec where id = $1', [1]))
          else await db.execute(sql, [1 + Math.floor(Math.random() * 100)], options)
          outcomes.ok++
        } catch (error) {
          const code = (error as { code: string }).code
          if (code === 'ERR_QUERY_CANCELLED' || code === 'ERR_ABORTED') outcomes.cancelled++
          else if (code === 'ERR_QUERY_TIMEOUT') outcomes.timeout++
          else outcomes.other.push(code)
        }
      }
    }
    await Promise.all(Array.from({ length: 200 }, caller))
    assert.deepEqual(outcomes.other, [])
    assert.ok(outcomes.ok > 1000, `${outcomes.ok} succeeded`)
    assert.ok(outcomes.cancelled + outcomes.timeout > 0)
    // A connection whose query settled early (cancelled, timed out) goes back to the pool only
    // once the server has finished that query (connections.ts giveBack): allow it a moment.
    for (let waited = 0; db.metrics().inUse !== 0 && waited < 5000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50))
    }
    const m = db.metrics()
    assert.equal(m.inUse, 0)
    assert.equal(m.waiting, 0)
    assert.ok(m.size <= 10)
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(await serverSessions(), m.size, 'no leaked sessions')
    await db.close()
    assert.equal(await serverSessions(), 0)
    assert.deepEqual(unhandled, [])
  })
})
