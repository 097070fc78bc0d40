/**
 * LruCache beside `lru-cache` 11.x on the same keys (issue 3, Benchmarks): a get/set mix with a
 * Zipf-like key distribution over a key space 4x the capacity (about 80% gets, hits and misses
 * both present), first bounded by count only, then by count + bytes + TTL on both sides.
 * Run: node scripts/bench.mjs cache
 */
import { LRUCache } from 'lru-cache'
import { LruCache } from '../src/cache/lru.js'
import { type Measurement, measure, report } from './support/measure.js'

const CAPACITY = 10_000
const OPS = 100_000

/** A seeded PRNG (mulberry32), so every run and every library sees the same sequence. */
function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const random = mulberry32(42)
const keys: string[] = []
const isGet: boolean[] = []
for (let i = 0; i < OPS; i++) {
  // Squaring skews toward small ids: a hot set plus a long tail, like SQL texts or sessions.
  keys.push(`key:${Math.floor(random() ** 2 * CAPACITY * 4)}`)
  isGet.push(random() < 0.8)
}
const values = keys.map((k) => ({ k, payload: k.length }))

interface Subject {
  name: string
  get(key: string): unknown
  set(key: string, value: { k: string; payload: number }): unknown
}

function run(s: Subject): () => void {
  return () => {
    for (let i = 0; i < OPS; i++) {
      if (isGet[i]) {
        if (s.get(keys[i]!) === undefined) s.set(keys[i]!, values[i]!)
      } else s.set(keys[i]!, values[i]!)
    }
  }
}

async function compare(title: string, subjects: Subject[]): Promise<void> {
  const results: Measurement[] = []
  for (const s of subjects) results.push(await measure(s.name, run(s), { opsPerCall: OPS }))
  report(title, results, 'lru-cache')
}

{
  const covet = new LruCache<string, object>({ max: CAPACITY })
  const peer = new LRUCache<string, object>({ max: CAPACITY })
  await compare(`get/set mix, count bound ${CAPACITY}`, [
    { name: 'covet LruCache', get: (k) => covet.get(k), set: (k, v) => covet.set(k, v) },
    { name: 'lru-cache', get: (k) => peer.get(k), set: (k, v) => peer.set(k, v) },
  ])
}
{
  const sizeOf = (v: { payload: number }) => v.payload + 64
  const maxBytes = CAPACITY * 40
  const covet = new LruCache<string, { payload: number }>({ max: CAPACITY, maxBytes, sizeOf, ttlMs: 60_000 })
  const peer = new LRUCache<string, { payload: number }>({
    max: CAPACITY,
    maxSize: maxBytes,
    sizeCalculation: sizeOf,
    ttl: 60_000,
  })
  await compare(`get/set mix, count + bytes + TTL bound`, [
    { name: 'covet LruCache', get: (k) => covet.get(k), set: (k, v) => covet.set(k, v) },
    { name: 'lru-cache', get: (k) => peer.get(k), set: (k, v) => peer.set(k, v) },
  ])
}
