import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type EvictionReason, LruCache } from '../../../src/cache/lru.js'

function fakeClock(start = 1000) {
  const clock = { t: start, now: () => clock.t }
  return clock
}

function recorder<K, V>() {
  const events: [K, V, EvictionReason][] = []
  return { events, onEvict: (k: K, v: V, r: EvictionReason) => void events.push([k, v, r]) }
}

describe('LruCache', () => {
  it('validates its options, naming the option', () => {
    for (const [options, name] of [
      [{ max: 0 }, 'max'],
      [{ max: 1.5 }, 'max'],
      [{ max: 10, maxBytes: -1 }, 'maxBytes'],
      [{ max: 10, ttlMs: Number.NaN }, 'ttlMs'],
      [{ max: 10, sizeOf: 3 }, 'sizeOf'],
    ] as const) {
      assert.throws(
        () => new LruCache(options as never),
        (e: Error & { code?: string }) => e.code === 'ERR_INVALID_ARGUMENT' && e.message.includes(name),
      )
    }
    assert.throws(() => new LruCache(undefined as never), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('evicts the least recently used entry past max, and get refreshes recency', () => {
    const { events, onEvict } = recorder<string, number>()
    const cache = new LruCache<string, number>({ max: 3, onEvict })
    cache.set('a', 1).set('b', 2).set('c', 3)
    assert.equal(cache.get('a'), 1) // a is now the most recent; b is the LRU
    cache.set('d', 4)
    assert.deepEqual(events, [['b', 2, 'capacity']])
    assert.deepEqual([...cache.keys()], ['d', 'a', 'c'])
    assert.equal(cache.size, 3)
  })

  it('peek and has do not change recency or stats', () => {
    const cache = new LruCache<string, number>({ max: 2 })
    cache.set('a', 1).set('b', 2)
    assert.equal(cache.peek('a'), 1)
    assert.equal(cache.has('a'), true)
    assert.equal(cache.has('z'), false)
    cache.set('c', 3)
    assert.equal(cache.has('a'), false)
    assert.deepEqual(cache.stats().hits + cache.stats().misses, 0)
  })

  it('bounds the total size by maxBytes, evicting as many entries as needed', () => {
    const { events, onEvict } = recorder<string, string>()
    const cache = new LruCache<string, string>({ max: 100, maxBytes: 10, sizeOf: (v) => v.length, onEvict })
    cache.set('a', 'xxxx').set('b', 'xxxx')
    assert.equal(cache.bytes, 8)
    cache.set('c', 'xxxxxxxx')
    assert.deepEqual(
      events.map(([k, , r]) => [k, r]),
      [
        ['a', 'capacity'],
        ['b', 'capacity'],
      ],
    )
    assert.equal(cache.bytes, 8)
    assert.equal(cache.size, 1)
  })

  it('refuses an entry larger than maxBytes without emptying the cache', () => {
    const { events, onEvict } = recorder<string, string>()
    const cache = new LruCache<string, string>({ max: 10, maxBytes: 5, sizeOf: (v) => v.length, onEvict })
    cache.set('a', 'xx')
    cache.set('huge', 'xxxxxx')
    assert.deepEqual(events, [['huge', 'xxxxxx', 'capacity']])
    assert.equal(cache.get('a'), 'xx')
    assert.equal(cache.has('huge'), false)
    assert.throws(() => cache.set('bad', 'x', { size: -1 }), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('replacing a value reports the old one as replace and updates the byte count', () => {
    const { events, onEvict } = recorder<string, string>()
    const cache = new LruCache<string, string>({ max: 10, maxBytes: 100, sizeOf: (v) => v.length, onEvict })
    cache.set('a', 'xxx').set('a', 'yyyyy')
    assert.deepEqual(events, [['a', 'xxx', 'replace']])
    assert.equal(cache.bytes, 5)
    cache.set('a', 'yyyyy') // the same value again is silent
    assert.equal(events.length, 1)
  })

  it('expires entries after their TTL (fake clock), per cache and per entry', () => {
    const clock = fakeClock()
    const { events, onEvict } = recorder<string, number>()
    const cache = new LruCache<string, number>({ max: 10, ttlMs: 100, now: clock.now, onEvict })
    cache.set('a', 1)
    cache.set('b', 2, { ttlMs: 500 })
    cache.set('c', 3, { ttlMs: 0 })
    clock.t += 99
    assert.equal(cache.get('a'), 1)
    clock.t += 1
    assert.equal(cache.get('a'), undefined)
    assert.equal(cache.has('b'), true)
    clock.t += 400
    assert.equal(cache.has('b'), false)
    assert.equal(cache.purgeExpired(), 1)
    assert.equal(cache.get('c'), 3)
    assert.deepEqual(events, [
      ['a', 1, 'ttl'],
      ['b', 2, 'ttl'],
    ])
    assert.equal(cache.stats().evictions.ttl, 2)
  })

  it('reports an expired tail entry as ttl when evicting for room', () => {
    const clock = fakeClock()
    const { events, onEvict } = recorder<string, number>()
    const cache = new LruCache<string, number>({ max: 1, now: clock.now, onEvict })
    cache.set('a', 1, { ttlMs: 10 })
    clock.t += 20
    cache.set('b', 2)
    assert.deepEqual(events, [['a', 1, 'ttl']])
  })

  it('counts hits, misses and evictions by reason; delete and clear report their reasons', () => {
    const { events, onEvict } = recorder<string, number>()
    const cache = new LruCache<string, number>({ max: 2, onEvict })
    cache.set('a', 1).set('b', 2).set('c', 3)
    cache.get('c')
    cache.get('a')
    assert.equal(cache.delete('c'), true)
    assert.equal(cache.delete('c'), false)
    cache.clear()
    assert.deepEqual(
      events.map(([k, , r]) => [k, r]),
      [
        ['a', 'capacity'],
        ['c', 'delete'],
        ['b', 'clear'],
      ],
    )
    assert.deepEqual(cache.stats(), {
      hits: 1,
      misses: 1,
      evictions: { capacity: 1, ttl: 0, delete: 1, replace: 0, clear: 1 },
      size: 0,
      bytes: 0,
    })
  })

  it('agrees with a reference model over 20,000 seeded random operations', () => {
    const seed = Number(process.env.COVET_TEST_SEED ?? 0x5eed)
    let a = seed
    const random = () => {
      a = (a + 0x6d2b79f5) | 0
      let t = Math.imul(a ^ (a >>> 15), 1 | a)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
    const cache = new LruCache<number, number>({ max: 50, maxBytes: 400, sizeOf: (v) => v % 17 })
    // The model: a Map in recency order (oldest first), evicting from the front.
    const model = new Map<number, number>()
    let bytes = 0
    for (let i = 0; i < 20_000; i++) {
      const key = Math.floor(random() * 120)
      const op = random()
      try {
        if (op < 0.5) {
          const expected = model.get(key)
          if (expected !== undefined) {
            model.delete(key)
            model.set(key, expected)
          }
          assert.equal(cache.get(key), expected)
        } else if (op < 0.9) {
          const value = Math.floor(random() * 1000)
          if (model.has(key)) bytes -= model.get(key)! % 17
          model.delete(key)
          model.set(key, value)
          bytes += value % 17
          for (const [k, v] of model) {
            if (model.size <= 50 && bytes <= 400) break
            model.delete(k)
            bytes -= v % 17
          }
          cache.set(key, value)
        } else {
          if (model.has(key)) bytes -= model.get(key)! % 17
          assert.equal(cache.delete(key), model.delete(key))
        }
        assert.equal(cache.size, model.size)
        assert.equal(cache.bytes, bytes)
      } catch (error) {
        throw new Error(`diverged at step ${i} with seed ${seed}`, { cause: error })
      }
    }
    assert.deepEqual([...cache.keys()], [...model.keys()].reverse())
  })
})
