import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { LatencyHistogram } from '../../../src/pool/latency-histogram.js'

describe('LatencyHistogram', () => {
  it('reports zeros when empty', () => {
    assert.deepEqual(new LatencyHistogram().summary(), { count: 0, mean: 0, max: 0, p50: 0, p95: 0, p99: 0 })
  })

  it('computes nearest-rank percentiles over 1..100', () => {
    const h = new LatencyHistogram()
    for (let v = 100; v >= 1; v--) h.record(v)
    assert.deepEqual(h.summary(), { count: 100, mean: 50.5, max: 100, p50: 50, p95: 95, p99: 99 })
  })

  it('keeps percentiles over the recent window, count/mean/max over all time', () => {
    const h = new LatencyHistogram(10)
    for (let i = 0; i < 10; i++) h.record(1000)
    for (let i = 0; i < 10; i++) h.record(1)
    const s = h.summary()
    assert.equal(s.count, 20)
    assert.equal(s.max, 1000)
    assert.equal(s.mean, 500.5)
    assert.equal(s.p99, 1)
  })
})
