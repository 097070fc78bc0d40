import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RingQueue } from '../../../src/pool/ring-queue.js'

describe('RingQueue', () => {
  it('is first in, first out across wrap-around and growth', () => {
    const q = new RingQueue<number>(4)
    const model: number[] = []
    let next = 0
    for (let round = 0; round < 200; round++) {
      // Pushes outnumber shifts early (growth), then shifts catch up (wrap-around).
      const pushes = round < 100 ? 3 : 1
      for (let i = 0; i < pushes; i++) {
        q.push(next)
        model.push(next++)
      }
      const shifts = round < 100 ? 2 : 3
      for (let i = 0; i < shifts; i++) {
        assert.equal(q.peek(), model[0])
        assert.equal(q.shift(), model.shift())
      }
      assert.equal(q.length, model.length)
    }
    assert.equal(q.shift(), undefined)
    assert.equal(q.peek(), undefined)
  })
})
