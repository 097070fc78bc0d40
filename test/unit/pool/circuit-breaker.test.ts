import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, it } from 'node:test'
import { type BreakerStateChange, CircuitBreaker } from '../../../src/pool/circuit-breaker.js'
import { fakeClock } from './stub-factory.js'

const fail = () => Promise.reject(new Error('down'))
const succeed = () => Promise.resolve('up')
const isCode = (code: string) => (e: unknown) => (e as { code?: string }).code === code

function breaker(options: ConstructorParameters<typeof CircuitBreaker>[0] = {}) {
  const clock = fakeClock()
  const changes: string[] = []
  const b = new CircuitBreaker({
    now: clock.now,
    random: () => 0.5,
    onStateChange: (c: BreakerStateChange) => void changes.push(`${c.from}>${c.to}`),
    ...options,
  })
  return { b, clock, changes }
}

describe('CircuitBreaker', () => {
  it('validates its options, naming the option', () => {
    for (const [options, name] of [
      [{ failureThreshold: 0 }, 'failureThreshold'],
      [{ failureRate: 2 }, 'failureRate'],
      [{ jitter: -0.1 }, 'jitter'],
      [{ baseBackoffMs: 100, maxBackoffMs: 50 }, 'maxBackoffMs'],
      [{ onStateChange: 'x' }, 'onStateChange'],
    ] as const) {
      assert.throws(
        () => new CircuitBreaker(options as never),
        (e: Error) => isCode('ERR_INVALID_ARGUMENT')(e) && e.message.includes(name),
      )
    }
  })

  it('opens after N consecutive failures and then fails fast with ERR_CIRCUIT_OPEN', async () => {
    const { b, changes } = breaker({ failureThreshold: 3 })
    await assert.rejects(b.run(fail))
    await assert.rejects(b.run(fail))
    assert.equal(b.state, 'closed')
    await b.run(succeed) // a success resets the consecutive count
    for (let i = 0; i < 3; i++) await assert.rejects(b.run(fail), /down/)
    assert.equal(b.state, 'open')
    let called = false
    await assert.rejects(
      b.run(() => {
        called = true
      }),
      isCode('ERR_CIRCUIT_OPEN'),
    )
    assert.equal(called, false)
    assert.deepEqual(changes, ['closed>open'])
  })

  it('half-opens after the backoff, lets one probe through, and closes on success', async () => {
    const { b, clock, changes } = breaker({ failureThreshold: 1, baseBackoffMs: 1000, jitter: 0.2 })
    await assert.rejects(b.run(fail))
    // Jitter takes up to 20% off: with random 0.5 the wait is 1000 * (1 - 0.1) = 900 ms.
    assert.equal(b.retryAt - clock.t, 900)
    clock.t += 899
    assert.equal(b.state, 'open')
    clock.t += 1
    assert.equal(b.state, 'half-open')
    assert.equal(b.tryAcquire(), true) // the probe
    assert.equal(b.tryAcquire(), false) // everyone else still fails fast
    b.recordSuccess()
    assert.equal(b.state, 'closed')
    assert.deepEqual(changes, ['closed>open', 'open>half-open', 'half-open>closed'])
    assert.deepEqual(b.metrics().transitions, { open: 1, halfOpen: 1, closed: 1 })
  })

  it('re-opens with a doubled backoff when the probe fails, capped at maxBackoffMs', async () => {
    const { b, clock, changes } = breaker({
      failureThreshold: 1,
      baseBackoffMs: 100,
      maxBackoffMs: 350,
      jitter: 0,
    })
    await assert.rejects(b.run(fail))
    const waits: number[] = [b.retryAt - clock.t]
    for (let i = 0; i < 3; i++) {
      clock.t = b.retryAt
      await assert.rejects(b.run(fail), /down/) // the probe fails
      assert.equal(b.state, 'open')
      waits.push(b.retryAt - clock.t)
    }
    assert.deepEqual(waits, [100, 200, 350, 350])
    assert.deepEqual(changes.slice(0, 3), ['closed>open', 'open>half-open', 'half-open>open'])
    clock.t = b.retryAt
    assert.equal(await b.run(succeed), 'up')
    // Closing resets the backoff.
    await assert.rejects(b.run(fail))
    assert.equal(b.retryAt - clock.t, 100)
  })

  it('opens on a failure rate over the window once minimumCalls is reached', async () => {
    const { b } = breaker({ failureThreshold: 100, failureRate: 0.5, minimumCalls: 4, windowMs: 1000 })
    await b.run(succeed)
    await assert.rejects(b.run(fail))
    await b.run(succeed)
    assert.equal(b.state, 'closed')
    await assert.rejects(b.run(fail)) // 2 of 4 failed: 50%
    assert.equal(b.state, 'open')
    const other = breaker({ failureThreshold: 100, failureRate: 0.5, minimumCalls: 2, windowMs: 1000 })
    await assert.rejects(other.b.run(fail))
    other.clock.t += 2000 // the failure slides out of the window
    await other.b.run(succeed)
    await other.b.run(succeed)
    assert.equal(other.b.state, 'closed')
  })

  it('publishes state changes on covet:pool:breaker', async () => {
    const seen: unknown[] = []
    const listener = (message: unknown) => void seen.push(message)
    subscribe('covet:pool:breaker', listener)
    try {
      const { b } = breaker({ failureThreshold: 1 })
      const cause = new Error('refused')
      b.recordFailure(cause)
      assert.deepEqual(seen, [{ breaker: b, from: 'closed', to: 'open', cause }])
    } finally {
      unsubscribe('covet:pool:breaker', listener)
    }
  })
})
