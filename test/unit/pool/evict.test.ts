import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, it } from 'node:test'
import { ConnectionPool } from '../../../src/pool/pool.js'
import { plainFactory, StubFactory, tick } from './stub-factory.js'

// Issue 14 / DESIGN §4: an idle connection that dies is removed at once and reported.
describe('ConnectionPool.evict', () => {
  it('destroys an idle connection at once, counts it as broken, publishes it and refills min', async () => {
    const stub = new StubFactory()
    const pool = new ConnectionPool(plainFactory(stub), { min: 1, max: 2 })
    const [a, b] = [await pool.acquire(), await pool.acquire()]
    pool.release(a)
    pool.release(b)
    const seen: unknown[] = []
    const onDestroy = (message: unknown) => seen.push(message)
    subscribe('covet:pool:destroy', onDestroy)
    try {
      assert.equal(pool.evict(a), true)
    } finally {
      unsubscribe('covet:pool:destroy', onDestroy)
    }
    assert.equal(pool.metrics().destroyed.broken, 1)
    assert.deepEqual(pool.state(), { size: 1, idle: 1, inUse: 0, waiting: 0, pending: 0 })
    assert.deepEqual(seen, [{ pool, connection: a, reason: 'broken' }])
    assert.equal(await pool.acquire(), b, 'the evicted one is never handed out')
    assert.equal(pool.evict(a), false, 'already gone')
    pool.evict(b) // borrowed: destroyed when it comes back
    assert.equal(pool.state().inUse, 1)
    pool.release(b)
    await tick()
    assert.equal(pool.metrics().destroyed.broken, 2)
    assert.ok(!stub.live.has(a) && !stub.live.has(b))
    assert.equal(pool.state().size, 1, 'min refilled with a new connection')
    await pool.close()
  })

  it('a borrowed connection reported dead and then destroyed by its borrower counts once, as broken', async () => {
    const stub = new StubFactory()
    const pool = new ConnectionPool(plainFactory(stub), { max: 1 })
    const a = await pool.acquire()
    pool.evict(a)
    pool.destroy(a)
    assert.equal(pool.metrics().destroyed.broken, 1)
    assert.equal(pool.metrics().destroyed.borrower, 0)
    await pool.close()
  })
})
