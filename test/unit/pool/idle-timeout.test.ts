import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it, mock } from 'node:test'
import { ConnectionPool } from '../../../src/pool/pool.js'
import { StubFactory } from './stub-factory.js'

/**
 * idleTimeoutMs with a factory that has validate() (the PostgreSQL driver's default): the sweep's
 * validation must not count as use (issue 14: it reset idleSince, so idle connections were kept
 * for ever). Mocked timers drive the sweep interval and an injected clock the pool's time: no sleeps.
 */
describe('ConnectionPool idle timeout with validate()', () => {
  let clock = 0
  beforeEach(() => {
    clock = 1_000_000
    mock.timers.enable({ apis: ['setInterval', 'setTimeout'] })
  })
  afterEach(() => mock.timers.reset())

  /** Moves both clocks by `ms` in sweep-sized steps, letting validate()'s promises settle between. */
  async function advance(ms: number, step: number): Promise<void> {
    for (let done = 0; done < ms; done += step) {
      clock += step
      mock.timers.tick(step)
      for (let i = 0; i < 10; i++) await Promise.resolve()
    }
  }

  const options = {
    max: 3,
    idleTimeoutMs: 10_000,
    validateAfterIdleMs: 1000,
    healthCheckIntervalMs: 1000,
    now: () => clock,
  }

  it('closes connections idle past idleTimeoutMs although the sweep validated them', async () => {
    const stub = new StubFactory()
    const pool = new ConnectionPool(stub, options)
    const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()])
    for (const c of held) pool.release(c)
    await advance(9000, 1000)
    assert.ok(stub.validated >= 3, 'the sweep validated the idle connections')
    assert.equal(pool.state().idle, 3, 'not idle long enough yet')
    await advance(2000, 1000)
    assert.equal(pool.metrics().destroyed.idle, 3)
    assert.equal(pool.state().size, 0)
    await pool.close()
  })

  it('keeps min connections, and a borrow restarts the idle time', async () => {
    const stub = new StubFactory()
    const pool = new ConnectionPool(stub, { ...options, min: 1 })
    const held = await Promise.all([pool.acquire(), pool.acquire()])
    for (const c of held) pool.release(c)
    await advance(6000, 1000)
    // Borrowing one again (LIFO: the last released) makes it fresh; the other keeps ageing.
    const again = await pool.acquire()
    assert.equal(again, held[1])
    pool.release(again)
    await advance(5000, 1000)
    assert.equal(pool.metrics().destroyed.idle, 1)
    assert.ok(stub.live.has(held[1]!) && !stub.live.has(held[0]!))
    await advance(20_000, 1000)
    assert.equal(pool.state().size, 1, 'min is kept')
    await pool.close()
  })
})
