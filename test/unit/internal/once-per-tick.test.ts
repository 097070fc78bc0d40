import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { oncePerTick } from '../../../src/internal/once-per-tick.js'

describe('oncePerTick', () => {
  it('runs once in a microtask however often it was called, then again when called after', async () => {
    let runs = 0
    const schedule = oncePerTick(() => runs++)
    schedule()
    schedule()
    schedule()
    assert.equal(runs, 0)
    await Promise.resolve()
    assert.equal(runs, 1)
    schedule()
    await Promise.resolve()
    assert.equal(runs, 2)
  })

  it('may be scheduled again from inside the run: that is the next microtask', async () => {
    const order: string[] = []
    let again = true
    const schedule = oncePerTick(() => {
      order.push('run')
      if (again) {
        again = false
        schedule()
      }
    })
    schedule()
    queueMicrotask(() => order.push('other'))
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(order, ['run', 'other', 'run'])
  })
})
