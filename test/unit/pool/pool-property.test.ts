import assert from 'node:assert/strict'
import { it } from 'node:test'
import { ConnectionPool } from '../../../src/pool/pool.js'
import { fakeClock, type StubConnection, StubFactory, sleep, tick } from './stub-factory.js'

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with COVET_TEST_SEED. */
function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

it('keeps its counts consistent and leaks no connection over 10,000 random operations', async () => {
  const seed = Number(process.env.COVET_TEST_SEED ?? Date.now() % 1_000_000)
  const random = prng(seed)
  const clock = fakeClock()
  const stub = new StubFactory()
  const MAX = 4
  const pool = new ConnectionPool<StubConnection>(stub, {
    max: MAX,
    maxWaiting: 8,
    maxLifetimeMs: 5000,
    validateAfterIdleMs: 500,
    breaker: { failureThreshold: 1_000_000 },
    now: clock.now,
    random,
  })
  const held: StubConnection[] = []
  const pending = new Map<number, AbortController>()
  let nextWaiter = 0
  let settledWithError = 0
  let step = 0
  try {
    for (; step < 10_000; step++) {
      const op = random()
      if (op < 0.35) {
        const id = nextWaiter++
        const controller = new AbortController()
        pending.set(id, controller)
        pool.acquire(random() < 0.3 ? { signal: controller.signal } : undefined).then(
          (c) => {
            pending.delete(id)
            held.push(c)
          },
          (e: { code?: string }) => {
            pending.delete(id)
            assert.ok(e.code === 'ERR_ABORTED' || e.code === 'ERR_POOL_QUEUE_FULL', e.code)
            settledWithError++
          },
        )
      } else if (op < 0.65 && held.length > 0) {
        pool.release(held.splice(Math.floor(random() * held.length), 1)[0]!)
      } else if (op < 0.72 && held.length > 0) {
        pool.destroy(held.splice(Math.floor(random() * held.length), 1)[0]!)
      } else if (op < 0.8 && pending.size > 0) {
        const ids = [...pending.keys()]
        pending.get(ids[Math.floor(random() * ids.length)]!)!.abort()
      } else if (op < 0.9) {
        clock.t += Math.floor(random() * 400)
      } else if (op < 0.93) {
        const idle = [...stub.live].filter((c) => !held.includes(c))
        if (idle.length > 0) idle[Math.floor(random() * idle.length)]!.alive = false // died while idle
      } else {
        stub.createError = random() < 0.3 ? new Error('refused') : undefined
      }
      await tick()
      const s = pool.state()
      assert.equal(s.inUse, held.length, 'in use = borrowed by the test')
      assert.ok(s.size + s.pending <= MAX, 'never more than max')
      assert.ok(s.idle + s.inUse <= s.size, 'idle + in use within size')
      assert.ok(s.waiting <= 8, 'maxWaiting holds')
      assert.equal(s.waiting, [...pending.keys()].length, 'waiting = unsettled acquires')
      assert.equal(stub.live.size, s.size, 'every live connection is in the pool')
    }
    stub.createError = undefined
    // Serve every remaining waiter, giving each connection straight back. After a failed create the
    // pool retries from a real setTimeout (pool.ts #scheduleRetry), which a loop of setImmediate
    // ticks can outrun on a busy machine: each round waits a timer turn too.
    for (let round = 0; round < 100 && (held.length > 0 || pending.size > 0); round++) {
      for (const c of held.splice(0)) pool.release(c)
      await tick()
      await sleep(1)
    }
    assert.equal(pending.size, 0, 'every waiter was served')
    await pool.drain()
    await pool.close()
    assert.equal(stub.live.size, 0, 'every connection created was destroyed')
    assert.equal(stub.created, stub.destroyed)
    assert.ok(settledWithError > 0 && stub.created > MAX, 'the run exercised errors and replacement')
  } catch (error) {
    throw new Error(`pool property failed at step ${step} with COVET_TEST_SEED=${seed}`, { cause: error })
  } finally {
    await pool.close()
  }
})
