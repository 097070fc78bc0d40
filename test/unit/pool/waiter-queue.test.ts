import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Waiter, WaiterQueue } from '../../../src/pool/waiter-queue.js'
import { sleep } from './stub-factory.js'

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

  it('times waiters out in order with one timer, and drops the timer when nobody waits', async () => {
    const before = timers()
    const log: string[] = []
    const q = new WaiterQueue<string>(20, performance.now.bind(performance), () => new Error('timeout'))
    q.add(waiter(log, 'a', performance.now()), undefined)
    await sleep(10)
    q.add(waiter(log, 'b', performance.now()), undefined)
    assert.equal(timers(), before + 1)
    await sleep(15)
    assert.deepEqual(log, ['a!timeout'])
    await sleep(15)
    assert.deepEqual(log, ['a!timeout', 'b!timeout'])
    assert.equal(timers(), before)
    q.add(waiter(log, 'c', performance.now()), undefined)
    q.take()!.resolve('z')
    assert.equal(timers(), before, 'served: the deadline timer is gone')
  })
})
