import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, it } from 'node:test'
import { ConnectionError } from '../../../src/errors/classes.js'
import { ConnectionPool, type PoolStateError } from '../../../src/pool/pool.js'
import { fakeTime } from '../../support/fake-time.js'
import { deferred, waitFor } from '../../support/wait-for.js'
import { fakeClock, plainFactory, type StubConnection, StubFactory, tick } from './stub-factory.js'

const isCode = (code: string) => (e: unknown) => (e as { code?: string }).code === code

describe('ConnectionPool options', () => {
  it('rejects bad options at construction, naming the option', () => {
    const stub = new StubFactory()
    for (const [options, name] of [
      [{ max: 0 }, 'max'],
      [{ max: 2, min: 3 }, 'min'],
      [{ acquireTimeoutMs: Number.POSITIVE_INFINITY }, 'acquireTimeoutMs'],
      [{ acquireTimeoutMs: 0 }, 'acquireTimeoutMs'],
      [{ maxWaiting: -1 }, 'maxWaiting'],
      [{ idleTimeoutMs: 1.5 }, 'idleTimeoutMs'],
      [{ maxLifetimeMs: 100, maxLifetimeJitterMs: 200 }, 'maxLifetimeJitterMs'],
      [{ validateAfterIdleMs: '1s' }, 'validateAfterIdleMs'],
      [{ healthCheckIntervalMs: 1 }, 'healthCheckIntervalMs'],
      [{ now: 5 }, 'now'],
      [{ breaker: 'on' }, 'breaker'],
      [{ breaker: { failureThreshold: 0 } }, 'failureThreshold'],
    ] as const) {
      assert.throws(
        () => new ConnectionPool(stub, options as never),
        (e: Error) => isCode('ERR_INVALID_ARGUMENT')(e) && e.message.includes(name),
        name,
      )
    }
    assert.throws(() => new ConnectionPool({ create: () => {} } as never), /factory\.destroy/)
    assert.throws(() => new ConnectionPool({ ...plainFactory(stub), validate: 1 } as never), /validate/)
  })

  it('has finite defaults: a 30 s acquire timeout and a bounded queue', () => {
    const pool = new ConnectionPool(new StubFactory())
    assert.equal(pool.options.acquireTimeoutMs, 30_000)
    assert.equal(pool.options.maxWaiting, 1000)
    assert.equal(pool.options.maxLifetimeJitterMs, 1_800_000 / 40)
    return pool.close()
  })
})

describe('ConnectionPool acquire and release', () => {
  it('creates on demand, reuses the most recently returned connection, and counts', async () => {
    const stub = new StubFactory()
    const pool = new ConnectionPool(plainFactory(stub), { max: 3 })
    const a = await pool.acquire()
    const b = await pool.acquire()
    assert.deepEqual(pool.state(), { size: 2, idle: 0, inUse: 2, waiting: 0, pending: 0 })
    pool.release(a)
    pool.release(b)
    assert.equal(await pool.acquire(), b) // LIFO idle: the warmest connection first
    const m = pool.metrics()
    assert.equal(m.created, 2)
    assert.equal(m.acquired, 3)
    assert.equal(m.released, 2)
    assert.equal(m.latency.acquireWaitMs.count, 3)
    assert.equal(m.latency.createMs.count, 2)
    assert.throws(() => pool.release(a), isCode('ERR_INVALID_ARGUMENT')) // a is idle, not borrowed
    assert.throws(() => pool.release({ id: 99, alive: true }), isCode('ERR_INVALID_ARGUMENT'))
    await pool.close()
  })

  it('serves waiters first in, first out under contention', async () => {
    const stub = new StubFactory()
    const pool = new ConnectionPool(plainFactory(stub), { max: 2 })
    const held = [await pool.acquire(), await pool.acquire()]
    const order: number[] = []
    const waiters = Array.from({ length: 10 }, (_, i) =>
      pool.acquire().then((c) => {
        order.push(i)
        return c
      }),
    )
    assert.equal(pool.state().waiting, 10)
    for (let i = 0; i < 10; i++) {
      pool.release(held[i % 2]!)
      held[i % 2] = await waiters[i]!
    }
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert.equal(stub.created, 2)
    assert.equal(pool.metrics().waitingPeak, 10)
    await pool.close()
  })

  it('times out with ERR_POOL_TIMEOUT at acquireTimeoutMs, carrying the pool state', async () => {
    const time = fakeTime()
    try {
      const pool = new ConnectionPool(plainFactory(new StubFactory()), {
        max: 1,
        acquireTimeoutMs: 30,
        now: time.now,
      })
      const held = await pool.acquire()
      const seen: { error?: PoolStateError } = {}
      void pool.acquire().catch((e: PoolStateError) => {
        seen.error = e
      })
      await time.advance(29)
      assert.equal(seen.error, undefined, 'still waiting 1 ms before acquireTimeoutMs')
      assert.equal(pool.state().waiting, 1)
      await time.advance(1)
      const error = seen.error!
      assert.equal(error?.code, 'ERR_POOL_TIMEOUT')
      assert.deepEqual(error.state, { size: 1, idle: 0, inUse: 1, waiting: 1, pending: 0 })
      assert.match(error.message, /in use 1, waiting 1/)
      assert.equal(pool.metrics().timeouts, 1)
      assert.equal(pool.state().waiting, 0)
      pool.release(held)
      await pool.close()
    } finally {
      time.restore()
    }
  })

  it('puts the last creation error as the timeout cause', async () => {
    const stub = new StubFactory()
    stub.createError = new Error('ECONNREFUSED 127.0.0.1:5432')
    const pool = new ConnectionPool(plainFactory(stub), {
      acquireTimeoutMs: 40,
      breaker: { failureThreshold: 1000 },
    })
    const error = (await pool.acquire().catch((e: unknown) => e)) as PoolStateError
    assert.equal(error.code, 'ERR_POOL_TIMEOUT')
    assert.equal(error.cause, stub.createError)
    assert.ok(pool.metrics().createErrors >= 1)
    await pool.close()
  })

  it('rejects at once past maxWaiting with ERR_POOL_QUEUE_FULL', async () => {
    const pool = new ConnectionPool(plainFactory(new StubFactory()), { max: 1, maxWaiting: 2 })
    const held = await pool.acquire()
    const waiting = [pool.acquire(), pool.acquire()]
    await assert.rejects(pool.acquire(), isCode('ERR_POOL_QUEUE_FULL'))
    assert.equal(pool.metrics().rejected.queueFull, 1)
    pool.release(held)
    pool.release(await waiting[0]!)
    pool.release(await waiting[1]!)
    await pool.close()
  })

  it('aborts a waiter with ERR_ABORTED and serves the next one', async () => {
    const pool = new ConnectionPool(plainFactory(new StubFactory()), { max: 1 })
    const held = await pool.acquire()
    const controller = new AbortController()
    const aborted = pool.acquire({ signal: controller.signal })
    const next = pool.acquire()
    controller.abort(new Error('client went away'))
    const error = (await aborted.catch((e: unknown) => e)) as Error
    assert.equal((error as PoolStateError).code, 'ERR_ABORTED')
    assert.match(String((error.cause as Error).message), /client went away/)
    assert.equal(pool.state().waiting, 1)
    pool.release(held)
    assert.equal(await next, held)
    await assert.rejects(pool.acquire({ signal: AbortSignal.abort() }), isCode('ERR_ABORTED'))
    assert.equal(pool.metrics().rejected.aborted, 2)
    pool.release(held)
    await pool.close()
  })

  it('use() releases after success and ordinary errors, destroys after connection errors', async () => {
    const stub = new StubFactory()
    const pool = new ConnectionPool(plainFactory(stub), { max: 1 })
    assert.equal(await pool.use((c) => c.id), 1)
    await assert.rejects(
      pool.use(() => {
        throw new Error('syntax error')
      }),
      /syntax error/,
    )
    assert.equal(pool.state().idle, 1)
    await assert.rejects(
      pool.use(() => {
        throw new ConnectionError('ERR_CONNECTION_CLOSED', 'socket closed')
      }),
      isCode('ERR_CONNECTION_CLOSED'),
    )
    assert.equal(stub.destroyed, 1)
    assert.equal(pool.metrics().destroyed.borrower, 1)
    assert.equal(pool.state().size, 0)
    await pool.close()
  })

  it('destroy() replaces a connection in an unknown state for the next waiter', async () => {
    const stub = new StubFactory()
    const pool = new ConnectionPool(plainFactory(stub), { max: 1 })
    const first = await pool.acquire()
    const waiter = pool.acquire()
    pool.destroy(first)
    const second = await waiter
    assert.notEqual(second, first)
    assert.equal(first.alive, false)
    assert.throws(() => pool.destroy(first), isCode('ERR_INVALID_ARGUMENT'))
    pool.release(second)
    await pool.close()
  })

  it('resets on release and destroys a connection whose reset fails', async () => {
    const stub = new StubFactory()
    const pool = new ConnectionPool(stub, { max: 1 })
    const c = await pool.acquire()
    pool.release(c)
    assert.equal(pool.state().idle, 0) // being reset
    assert.equal(await pool.acquire(), c)
    assert.equal(stub.resets, 1)
    stub.resetError = new Error('DISCARD ALL failed')
    pool.release(c)
    await tick()
    assert.equal(c.alive, false)
    assert.equal(pool.metrics().destroyed.reset, 1)
    await pool.close()
  })
})

describe('ConnectionPool lifetime, validation and health', () => {
  it('retires connections at maxLifetimeMs minus a random jitter', async () => {
    const clock = fakeClock()
    const stub = new StubFactory()
    const pool = new ConnectionPool(plainFactory(stub), {
      max: 2,
      maxLifetimeMs: 1000,
      maxLifetimeJitterMs: 100,
      now: clock.now,
      random: () => 0.5, // lifetime 1000 - 50 = 950 ms
    })
    const c = await pool.acquire()
    clock.t += 949
    pool.release(c)
    assert.equal(pool.state().idle, 1)
    assert.equal(await pool.acquire(), c)
    clock.t += 1
    pool.release(c) // returned after its lifetime: destroyed, not kept
    await tick()
    assert.equal(c.alive, false)
    assert.equal(pool.metrics().destroyed.lifetime, 1)
    const d = await pool.acquire()
    pool.release(d)
    clock.t += 950 // expires while idle: skipped at the next acquire
    const e = await pool.acquire()
    assert.notEqual(e, d)
    assert.equal(pool.metrics().destroyed.lifetime, 2)
    pool.release(e)
    await pool.close()
  })

  it('spreads expiry across the jitter range', async () => {
    const clock = fakeClock()
    let r = 0
    const pool = new ConnectionPool(plainFactory(new StubFactory()), {
      max: 10,
      maxLifetimeMs: 1000,
      now: clock.now,
      random: () => (r++ % 10) / 10, // jitter defaults to 2.5%: 25 ms
    })
    const held = await Promise.all(Array.from({ length: 10 }, () => pool.acquire()))
    for (const c of held) pool.release(c)
    clock.t += 990 // lifetimes are 1000 - 25 * (0, 0.1, ... 0.9): those with 0.4..0.9 are over
    // Idle is LIFO: the acquire skips (and destroys) held[9]..held[4], then takes held[3].
    assert.equal(await pool.use(async (c) => c), held[3])
    assert.equal(pool.metrics().destroyed.lifetime, 6)
    assert.equal(pool.state().size, 4)
    await pool.close()
  })

  it('validates on borrow only after validateAfterIdleMs idle, replacing a dead connection', async () => {
    const clock = fakeClock()
    const stub = new StubFactory()
    const pool = new ConnectionPool(stub, { max: 1, validateAfterIdleMs: 1000, now: clock.now })
    const c = await pool.acquire()
    pool.release(c)
    await tick()
    clock.t += 1000
    pool.release(await pool.acquire())
    await tick()
    assert.equal(stub.validated, 0)
    clock.t += 1001
    assert.equal(await pool.acquire(), c)
    assert.equal(stub.validated, 1)
    pool.release(c)
    await tick()
    clock.t += 5000
    c.alive = false // the server closed it while idle
    const replacement = await pool.acquire()
    assert.notEqual(replacement, c)
    assert.equal(pool.metrics().destroyed.validation, 1)
    pool.release(replacement)
    await pool.close()
  })

  it('the health sweep closes idle connections above min and refills min', async () => {
    const time = fakeTime()
    try {
      const stub = new StubFactory()
      const pool = new ConnectionPool(plainFactory(stub), {
        min: 1,
        max: 3,
        idleTimeoutMs: 1000,
        healthCheckIntervalMs: 10,
        now: time.now,
      })
      await time.settle()
      assert.equal(stub.created, 1) // min filled at start
      const held = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()])
      for (const c of held) pool.release(c)
      await time.advance(999)
      assert.equal(pool.state().size, 3, 'idle 999 ms: kept')
      await time.advance(1) // the sweep at 1000 ms
      assert.equal(pool.state().size, 1)
      assert.equal(pool.metrics().destroyed.idle, 2)
      const [survivor] = [...stub.live]
      survivor!.alive = false
      pool.destroy(await pool.acquire()) // size drops below min: refilled
      await time.settle()
      assert.equal(pool.state().size, 1)
      assert.equal(stub.created, 4)
      await pool.close()
    } finally {
      time.restore()
    }
  })

  it('the health sweep evicts idle connections that fail validate', async () => {
    const time = fakeTime()
    try {
      const stub = new StubFactory()
      const pool = new ConnectionPool(stub, { max: 2, healthCheckIntervalMs: 10, now: time.now })
      const held = await Promise.all([pool.acquire(), pool.acquire()])
      for (const c of held) pool.release(c)
      await time.settle()
      held[0]!.alive = false
      await time.advance(1000) // validateAfterIdleMs (1000 by default) not exceeded yet
      assert.equal(stub.validated, 0)
      await time.advance(10) // the next sweep validates both
      assert.equal(stub.validated, 2)
      assert.equal(pool.metrics().destroyed.validation, 1)
      assert.equal(pool.state().idle, 1)
      await pool.close()
    } finally {
      time.restore()
    }
  })
})

describe('ConnectionPool breaker', () => {
  it('fails fast with ERR_CIRCUIT_OPEN while creation keeps failing, then recovers', async () => {
    const time = fakeTime()
    try {
      const stub = new StubFactory()
      stub.createError = new Error('ECONNREFUSED')
      const pool = new ConnectionPool(plainFactory(stub), {
        acquireTimeoutMs: 5000,
        now: time.now,
        breaker: { failureThreshold: 3, baseBackoffMs: 20, jitter: 0 },
      })
      const seen: { error?: PoolStateError } = {}
      void pool.acquire().catch((e: PoolStateError) => {
        seen.error = e
      })
      await time.advance(10) // three failed creates, each retried from a 0 ms (so 1 ms) timer
      const error = seen.error!
      assert.equal(error?.code, 'ERR_CIRCUIT_OPEN', 'failed 10 ms into a 5000 ms acquireTimeoutMs')
      assert.equal(error.cause, stub.createError)
      assert.equal(pool.metrics().createErrors, 3)
      assert.equal(stub.created, 0)
      await assert.rejects(pool.acquire(), isCode('ERR_CIRCUIT_OPEN'))
      assert.equal(pool.metrics().rejected.circuitOpen, 2)
      assert.equal(pool.metrics().breaker.state, 'open')
      stub.createError = undefined
      await time.advance(pool.metrics().breaker.retryAt - time.now() - 1)
      assert.equal(pool.breaker.state, 'open', '1 ms before the 20 ms backoff ends')
      await time.advance(1)
      assert.equal(pool.breaker.state, 'half-open')
      const c = await pool.acquire() // the half-open probe succeeds
      assert.equal(pool.metrics().breaker.state, 'closed')
      pool.release(c)
      await pool.close()
    } finally {
      time.restore()
    }
  })

  it('re-opens with a longer backoff when the half-open probe fails', async () => {
    const stub = new StubFactory()
    stub.createError = new Error('ECONNREFUSED')
    const clock = fakeClock()
    const pool = new ConnectionPool(plainFactory(stub), {
      now: clock.now,
      breaker: { failureThreshold: 1, baseBackoffMs: 20, jitter: 0 },
    })
    await assert.rejects(pool.acquire(), isCode('ERR_CIRCUIT_OPEN'))
    assert.equal(pool.breaker.state, 'open')
    clock.t += 20
    assert.equal(pool.breaker.state, 'half-open')
    const errorsBefore = pool.metrics().createErrors
    await assert.rejects(pool.acquire(), isCode('ERR_CIRCUIT_OPEN')) // the probe ran and failed
    assert.equal(pool.metrics().createErrors, errorsBefore + 1)
    const m = pool.metrics().breaker
    assert.equal(m.state, 'open')
    assert.deepEqual(m.transitions, { open: 2, halfOpen: 1, closed: 0 })
    assert.equal(m.retryAt - clock.t, 40, 'the second backoff is doubled')
    await pool.close()
  })
})

describe('ConnectionPool diagnostics', () => {
  it('publishes create, acquire, release, destroy and timeout on covet:pool:*', async () => {
    const events: string[] = []
    const names = ['create', 'acquire', 'release', 'destroy', 'timeout']
    const listeners = names.map((name) => {
      const listener = (message: unknown) => {
        const m = message as { pool?: unknown; reason?: string }
        assert.ok(m.pool instanceof ConnectionPool)
        events.push(m.reason === undefined ? name : `${name}:${m.reason}`)
      }
      subscribe(`covet:pool:${name}`, listener)
      return listener
    })
    try {
      const pool = new ConnectionPool(plainFactory(new StubFactory()), { max: 1, acquireTimeoutMs: 10 })
      const c = await pool.acquire()
      await assert.rejects(pool.acquire(), isCode('ERR_POOL_TIMEOUT'))
      pool.destroy(c)
      await pool.close()
      assert.deepEqual(events, ['create', 'acquire', 'timeout', 'destroy:borrower'])
      const m = pool.metrics()
      assert.equal(m.destroyed.borrower, 1)
      assert.equal(m.latency.heldMs.count, 1)
    } finally {
      for (const [i, name] of names.entries()) unsubscribe(`covet:pool:${name}`, listeners[i]!)
    }
  })
})

describe('ConnectionPool drain and close', () => {
  it('drain() refuses new acquires and resolves when every connection is back', async () => {
    const pool = new ConnectionPool(plainFactory(new StubFactory()), { max: 1 })
    const c = await pool.acquire()
    const queued = pool.acquire()
    let drained = false
    const drain = pool.drain().then(() => {
      drained = true
    })
    await assert.rejects(pool.acquire(), isCode('ERR_POOL_CLOSED'))
    pool.release(c)
    const d = await queued // already queued: still served
    await tick()
    assert.equal(drained, false)
    pool.release(d)
    await drain
    assert.equal(drained, true)
    await pool.close()
  })

  it('close() rejects waiters, destroys idle and late connections, and leaves no timers', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const stub = new StubFactory()
    const pool = new ConnectionPool(plainFactory(stub), { max: 2, min: 1, acquireTimeoutMs: 60_000 })
    const held = [await pool.acquire(), await pool.acquire()]
    const w1 = pool.acquire()
    const w2 = pool.acquire()
    const other = new ConnectionPool(plainFactory(stub), { min: 2 })
    await waitFor('the second pool to fill min', () => other.state().idle === 2, { intervalMs: 0 })
    await Promise.all([pool.close(), other.close()])
    await assert.rejects(w1, isCode('ERR_POOL_CLOSED'))
    await assert.rejects(w2, isCode('ERR_POOL_CLOSED'))
    assert.equal(stub.live.size, 2) // only the borrowed ones are left
    pool.release(held[0]!) // returned after close: destroyed
    pool.destroy(held[1]!)
    await tick()
    assert.equal(stub.live.size, 0)
    await assert.rejects(pool.acquire(), isCode('ERR_POOL_CLOSED'))
    const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    assert.equal(after, before)
  })

  it('close() clears every timer the pool started, referenced or not', async () => {
    // Unref'd timers do not show in getActiveResourcesInfo(), so watch the timer functions.
    const live = new Set<unknown>()
    const original = { setTimeout, setInterval, clearTimeout, clearInterval }
    const g = globalThis as unknown as Record<string, (...args: unknown[]) => unknown>
    g.setTimeout = (fn: unknown, ms: unknown) => {
      const t = original.setTimeout(() => {
        live.delete(t)
        ;(fn as () => void)()
      }, ms as number)
      live.add(t)
      return t
    }
    g.setInterval = (fn: unknown, ms: unknown) => {
      const t = original.setInterval(fn as () => void, ms as number)
      live.add(t)
      return t
    }
    g.clearTimeout = g.clearInterval = (t: unknown) => {
      live.delete(t)
      original.clearTimeout(t as NodeJS.Timeout)
    }
    try {
      const stub = new StubFactory()
      stub.createError = new Error('refused')
      const pool = new ConnectionPool(plainFactory(stub), {
        min: 1,
        breaker: { failureThreshold: 1, baseBackoffMs: 60_000 }, // a pending retry timer
      })
      // The failed create opens the breaker: the waiter fails fast, and a retry is scheduled.
      assert.equal(isCode('ERR_CIRCUIT_OPEN')(await pool.acquire().catch((e: unknown) => e)), true)
      assert.ok(live.size >= 2, 'interval and retry timer are armed')
      await pool.close()
      assert.equal(live.size, 0)
    } finally {
      Object.assign(globalThis, original)
    }
  })

  it('destroys a connection whose creation finishes after close()', async () => {
    const stub = new StubFactory()
    const creating = deferred()
    const finish = deferred()
    const pool = new ConnectionPool<StubConnection>(
      {
        create: async () => {
          creating.resolve()
          await finish.promise // ignores the abort signal, as a slow driver might
          return stub.create(new AbortController().signal)
        },
        destroy: (c) => stub.destroy(c),
      },
      { max: 1 },
    )
    const waiter = pool.acquire().catch((e: unknown) => e)
    await creating.promise
    let closed = false
    const closing = pool.close().then(() => {
      closed = true
    })
    assert.equal(isCode('ERR_POOL_CLOSED')(await waiter), true)
    await tick()
    assert.equal(closed, false, 'close() waits for the creation in flight')
    finish.resolve()
    await closing
    assert.equal(stub.created, 1)
    assert.equal(stub.live.size, 0)
    assert.equal(stub.destroyed, 1)
  })
})
