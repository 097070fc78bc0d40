import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConnectionPool } from '../../../src/pool/pool.js'
import type { PoolFactory } from '../../../src/pool/pool-options.js'
import { type StubConnection, StubFactory, tick } from './stub-factory.js'

class Refused extends Error {
  readonly code = 'ERR_AUTH'
}

/** A factory whose create() fails with `error`; isTransient says false for a Refused. */
function refusing(stub: StubFactory, error: Error): PoolFactory<StubConnection> {
  stub.createError = error
  return {
    create: (signal) => stub.create(signal),
    destroy: (c) => stub.destroy(c),
    validate: (c) => stub.validate(c),
    isTransient: (e) => !(e instanceof Refused),
  }
}

// Issue 14: a wrong password made 5 attempts in 46 ms and surfaced as ERR_CIRCUIT_OPEN.
describe('ConnectionPool: creation errors that retrying would not fix', () => {
  it('reach the caller at once, unwrapped, after one attempt, without tripping the breaker', async () => {
    const stub = new StubFactory()
    const refused = new Refused('password authentication failed')
    const pool = new ConnectionPool(refusing(stub, refused), { max: 4 })
    for (let i = 0; i < 7; i++) {
      await assert.rejects(pool.acquire(), (e) => e === refused)
    }
    await tick()
    const m = pool.metrics()
    assert.equal(m.createErrors, 7, 'one attempt per acquire, no retries')
    assert.equal(m.rejected.createFailed, 7)
    assert.equal(m.breaker.state, 'closed')
    assert.equal(m.breaker.consecutiveFailures, 0)
    assert.equal(m.waiting + m.pending, 0)
    await pool.close()
  })

  it('many callers at once: every one gets the error, with no more attempts than max', async () => {
    const stub = new StubFactory()
    const refused = new Refused('password authentication failed')
    const pool = new ConnectionPool(refusing(stub, refused), { max: 3 })
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => pool.acquire()))
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason === refused))
    await tick()
    assert.ok(pool.metrics().createErrors <= 3, `attempts: ${pool.metrics().createErrors}`)
    assert.equal(pool.metrics().breaker.state, 'closed')
    await pool.close()
  })

  it('a caller that a borrowed connection could serve is not refused for another caller', async () => {
    const stub = new StubFactory()
    const pool = new ConnectionPool(refusing(stub, new Refused('no')), { max: 2 })
    stub.createError = undefined
    const held = await pool.acquire()
    stub.createError = new Refused('no')
    const first = pool.acquire() // room for one more connection: its creation is refused
    const second = pool.acquire() // the pool is full (1 + 1 being created): waits for `held`
    await assert.rejects(first, Refused)
    assert.equal(pool.state().waiting, 1, 'the second caller still waits')
    pool.release(held)
    assert.equal(await second, held)
    pool.release(held)
    assert.equal(pool.metrics().createErrors, 1)
    await pool.close()
  })

  it('an isTransient that throws counts the failure as transient (breaker and retries as before)', async () => {
    const stub = new StubFactory()
    stub.createError = new Error('ECONNREFUSED')
    const pool = new ConnectionPool(
      {
        create: (signal) => stub.create(signal),
        destroy: (c) => stub.destroy(c),
        isTransient: () => {
          throw new Error('classifier bug')
        },
      },
      { breaker: { failureThreshold: 2, baseBackoffMs: 10_000, jitter: 0 } },
    )
    await assert.rejects(pool.acquire(), { code: 'ERR_CIRCUIT_OPEN' })
    assert.equal(pool.metrics().breaker.state, 'open')
    await pool.close()
  })

  it('a half-open probe that gets a non-transient error closes the breaker: the server answered', async () => {
    const stub = new StubFactory()
    stub.createError = new Error('ECONNREFUSED')
    let t = 0
    const pool = new ConnectionPool(refusing(stub, stub.createError), {
      now: () => t,
      breaker: { failureThreshold: 1, baseBackoffMs: 100, jitter: 0 },
    })
    await assert.rejects(pool.acquire(), { code: 'ERR_CIRCUIT_OPEN' })
    t += 100
    stub.createError = new Refused('database "x" does not exist')
    await assert.rejects(pool.acquire(), Refused)
    assert.equal(pool.metrics().breaker.state, 'closed')
    await pool.close()
  })
})
