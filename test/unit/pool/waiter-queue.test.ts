import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Waiter, WaiterQueue } from '../../../src/pool/waiter-queue.js'
import { fakeTime } from '../../support/fake-time.js'

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length

function waiter(log: string[], name: string, enqueuedAt: number, signal?: AbortSignal) {
  return new Waiter<string>(
    (c) => void log.push(`${name}<-${c}`),
    (e) => void log.push(`${name}!${e.message}`),
    enqueuedAt,
    signal,
  )
}

describe('WaiterQueue', () => {
  it('serves first in, first out and skips aborted waiters', () => {
    const log: string[] = []
    const q = new WaiterQueue<string>(60_000, performance.now.bind(performance), () => new Error('timeout'))
    const controller = new AbortController()
    const now = performance.now()
    q.add(waiter(log, 'a', now), undefined)
    q.add(waiter(log, 'b', now, controller.signal), (w) => q.reject(w, new Error('aborted')))
    q.add(waiter(log, 'c', now), undefined)
    controller.abort()
    assert.equal(q.length, 2)
    q.take()!.resolve('x')
    q.take()!.resolve('y')
    assert.equal(q.take(), undefined)
    assert.deepEqual(log, ['b!aborted', 'a<-x', 'c<-y'])
  })

  it('arms one timer for all waiters and drops it once nobody waits', () => {
    const before = timers()
    const log: string[] = []
    const q = new WaiterQueue<string>(60_000, performance.now.bind(performance), () => new Error('timeout'))
    q.add(waiter(log, 'a', performance.now()), undefined)
    q.add(waiter(log, 'b', performance.now()), undefined)
    assert.equal(timers(), before + 1)
    q.take()!.resolve('x')
    assert.equal(timers(), before + 1, 'b still waits')
    q.take()!.resolve('y')
    assert.equal(timers(), before, 'served: the deadline timer is gone')
    assert.deepEqual(log, ['a<-x', 'b<-y'])
  })

  it('times each waiter out at its own deadline, in order, re-arming the one timer', async () => {
    const time = fakeTime()
    try {
      const log: string[] = []
      const q = new WaiterQueue<string>(20, time.now, () => new Error('timeout'))
      q.add(waiter(log, 'a', time.now()), undefined)
      await time.advance(10)
      q.add(waiter(log, 'b', time.now()), undefined)
      assert.equal(time.pending(), 1)
      await time.advance(9)
      assert.deepEqual(log, [], '1 ms before a times out')
      await time.advance(1)
      assert.deepEqual(log, ['a!timeout'])
      assert.equal(time.pending(), 1, "re-armed for b's deadline")
      await time.advance(9)
      assert.deepEqual(log, ['a!timeout'], '1 ms before b times out')
      await time.advance(1)
      assert.deepEqual(log, ['a!timeout', 'b!timeout'])
      assert.equal(time.pending(), 0, 'nobody waits: no timer')
      q.add(waiter(log, 'c', time.now()), undefined)
      assert.equal(time.pending(), 1)
      q.take()!.resolve('z')
      assert.equal(time.pending(), 0, 'served: the deadline timer is gone')
      assert.deepEqual(log, ['a!timeout', 'b!timeout', 'c<-z'])
    } finally {
      time.restore()
    }
  })
})
