import { InvalidArgumentError } from '../errors/classes.js'

/** Why an entry left the cache; handed to `onEvict`. */
export type EvictionReason = 'capacity' | 'ttl' | 'delete' | 'replace' | 'clear'

export interface LruCacheOptions<K, V> {
  /** Most entries kept. Required: an unbounded cache is a memory leak with extra steps. */
  max: number
  /** Most total size kept, as measured by `sizeOf`. Default: unbounded (count bound only). */
  maxBytes?: number
  /** Size of one entry for `maxBytes`. Default: every entry weighs 1. Must return a finite number ≥ 0. */
  sizeOf?: (value: V, key: K) => number
  /** Default time to live of an entry in ms (0 = never expires). Default 0. */
  ttlMs?: number
  /** Called after an entry leaves the cache, with the reason (re-setting the same value is silent). */
  onEvict?: (key: K, value: V, reason: EvictionReason) => void
  /** Clock in ms for TTL (injectable for tests). Default `performance.now`. */
  now?: () => number
}

export interface SetOptions {
  /** This entry's time to live in ms, overriding the cache default (0 = never expires). */
  ttlMs?: number
  /** This entry's size, skipping `sizeOf`. */
  size?: number
}

export interface LruStats {
  hits: number
  misses: number
  /** Entries that left the cache, by reason. */
  evictions: Record<EvictionReason, number>
  /** Entries now held. */
  size: number
  /** Total size now held (by `sizeOf`). */
  bytes: number
}

const NONE = -1

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`LruCache option ${name} must be a positive integer, got ${String(value)}`)
  }
  return value
}

function nonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
    throw new InvalidArgumentError(`LruCache ${name} must be a finite number >= 0, got ${String(value)}`)
  }
  return value
}

/**
 * A least-recently-used cache bounded by entry count and by total size, with optional TTL.
 *
 * Entries live in slots of parallel arrays linked into a doubly linked list by index (no node
 * objects, no per-operation allocation once warm); a Map finds a key's slot. Every operation is
 * O(1). Expired entries are dropped lazily when touched, and from the tail when making room.
 */
export class LruCache<K, V> {
  readonly max: number
  readonly maxBytes: number
  readonly ttlMs: number
  readonly #sizeOf: ((value: V, key: K) => number) | undefined
  readonly #onEvict: ((key: K, value: V, reason: EvictionReason) => void) | undefined
  readonly #now: () => number

  readonly #index = new Map<K, number>()
  readonly #keys: (K | undefined)[] = []
  readonly #values: (V | undefined)[] = []
  // Typed arrays grown by doubling up to `max`: dense, unboxed, no holes for V8 to check.
  #next: Int32Array
  #prev: Int32Array
  #sizes: Float64Array
  /** Absolute expiry time per slot; 0 when the entry never expires. */
  #expires: Float64Array
  readonly #free: number[] = []
  #used = 0
  /** The clock reading shared by every operation in the same millisecond (see `#clock`). */
  #cachedNow = 0
  readonly #customClock: boolean
  #head = NONE // most recently used
  #tail = NONE // least recently used
  #bytes = 0
  #ttlEntries = 0

  #hits = 0
  #misses = 0
  readonly #evictions: Record<EvictionReason, number> = {
    capacity: 0,
    ttl: 0,
    delete: 0,
    replace: 0,
    clear: 0,
  }

  constructor(options: LruCacheOptions<K, V>) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError('LruCache options must be an object with at least max')
    }
    this.max = positiveInteger('max', options.max)
    this.maxBytes =
      options.maxBytes === undefined
        ? Number.POSITIVE_INFINITY
        : positiveInteger('maxBytes', options.maxBytes)
    this.ttlMs = options.ttlMs === undefined ? 0 : nonNegative('option ttlMs', options.ttlMs)
    for (const name of ['sizeOf', 'onEvict', 'now'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') {
        throw new InvalidArgumentError(`LruCache option ${name} must be a function`)
      }
    }
    this.#sizeOf = options.sizeOf
    this.#onEvict = options.onEvict
    this.#customClock = options.now !== undefined
    this.#now = options.now ?? performance.now.bind(performance)
    const capacity = Math.min(this.max, 64)
    this.#next = new Int32Array(capacity)
    this.#prev = new Int32Array(capacity)
    this.#sizes = new Float64Array(capacity)
    this.#expires = new Float64Array(capacity)
  }

  /** Entries now held (expired entries not yet touched included). */
  get size(): number {
    return this.#index.size
  }

  /** Total size now held. */
  get bytes(): number {
    return this.#bytes
  }

  /** The value for `key`, marking it most recently used; `undefined` when absent or expired. */
  get(key: K): V | undefined {
    const slot = this.#index.get(key)
    if (slot === undefined) {
      this.#misses++
      return undefined
    }
    if (this.#ttlEntries !== 0 && this.#isExpired(slot)) {
      this.#remove(slot, 'ttl')
      this.#misses++
      return undefined
    }
    this.#hits++
    if (slot !== this.#head) this.#moveToHead(slot)
    return this.#values[slot]
  }

  /** The value for `key` without touching recency or stats. */
  peek(key: K): V | undefined {
    const slot = this.#index.get(key)
    if (slot === undefined || (this.#ttlEntries !== 0 && this.#isExpired(slot))) return undefined
    return this.#values[slot]
  }

  /** True when `key` is held and not expired; does not touch recency or stats. */
  has(key: K): boolean {
    const slot = this.#index.get(key)
    return slot !== undefined && (this.#ttlEntries === 0 || !this.#isExpired(slot))
  }

  /**
   * Stores `value` as the most recently used entry, then evicts from the least recently used end
   * until both bounds hold. An entry larger than `maxBytes` on its own is not stored (and is
   * reported to `onEvict` as 'capacity'), so one huge value cannot empty the cache.
   */
  set(key: K, value: V, options?: SetOptions): this {
    const size = options?.size ?? (this.#sizeOf === undefined ? 1 : this.#sizeOf(value, key))
    if (!(size >= 0) || size === Number.POSITIVE_INFINITY) {
      throw new InvalidArgumentError(`LruCache entry size must be a finite number >= 0, got ${String(size)}`)
    }
    const ttl = options?.ttlMs === undefined ? this.ttlMs : nonNegative('set() ttlMs', options.ttlMs)
    let slot = this.#index.get(key)
    if (size > this.maxBytes) {
      if (slot !== undefined) this.#remove(slot, this.#values[slot] === value ? null : 'replace')
      this.#evictions.capacity++
      this.#onEvict?.(key, value, 'capacity')
      return this
    }
    let replaced: V | undefined
    if (slot !== undefined) {
      // Update in place: same slot, same Map entry.
      replaced = this.#values[slot]
      this.#bytes -= this.#sizes[slot]!
      if (this.#expires[slot] !== 0) this.#ttlEntries--
      if (slot !== this.#head) this.#moveToHead(slot)
    } else {
      slot = this.#allocate()
      this.#keys[slot] = key
      this.#index.set(key, slot)
      this.#linkAtHead(slot)
    }
    this.#values[slot] = value
    this.#sizes[slot] = size
    this.#bytes += size
    if (ttl === 0) this.#expires[slot] = 0
    else {
      this.#expires[slot] = this.#clock() + ttl
      this.#ttlEntries++
    }
    if (replaced !== undefined && replaced !== value) {
      this.#evictions.replace++
      this.#onEvict?.(key, replaced, 'replace')
    }
    while (this.#index.size > this.max || this.#bytes > this.maxBytes) {
      const victim = this.#tail
      this.#remove(victim, this.#ttlEntries !== 0 && this.#isExpired(victim) ? 'ttl' : 'capacity')
    }
    return this
  }

  /** Removes `key`; true when it was present. `onEvict` sees reason 'delete'. */
  delete(key: K): boolean {
    const slot = this.#index.get(key)
    if (slot === undefined) return false
    this.#remove(slot, 'delete')
    return true
  }

  /** Removes every entry; each is reported to `onEvict` with reason 'clear'. */
  clear(): void {
    while (this.#tail !== NONE) this.#remove(this.#tail, 'clear')
  }

  /** Drops every expired entry now (otherwise they go lazily). Returns how many were dropped. */
  purgeExpired(): number {
    if (this.#ttlEntries === 0) return 0
    let dropped = 0
    for (let slot = this.#tail; slot !== NONE; ) {
      const prev = this.#prev[slot]!
      if (this.#isExpired(slot)) {
        this.#remove(slot, 'ttl')
        dropped++
      }
      slot = prev
    }
    return dropped
  }

  /** Live keys, most recently used first. */
  *keys(): IterableIterator<K> {
    for (let slot = this.#head; slot !== NONE; slot = this.#next[slot]!) {
      if (this.#ttlEntries === 0 || !this.#isExpired(slot)) yield this.#keys[slot] as K
    }
  }

  stats(): LruStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: { ...this.#evictions },
      size: this.#index.size,
      bytes: this.#bytes,
    }
  }

  #isExpired(slot: number): boolean {
    const expires = this.#expires[slot]!
    return expires !== 0 && expires <= this.#clock()
  }

  /**
   * The TTL clock. The default clock is read at most once per millisecond (as lru-cache's
   * ttlResolution does): an unref'd 1 ms timer forgets the reading. A custom clock is always read.
   */
  #clock(): number {
    if (this.#customClock) return this.#now()
    if (this.#cachedNow === 0) {
      this.#cachedNow = this.#now()
      setTimeout(() => {
        this.#cachedNow = 0
      }, 1).unref()
    }
    return this.#cachedNow
  }

  /** A free slot, growing the typed arrays (by doubling, up to `max`) when none is left. */
  #allocate(): number {
    if (this.#free.length !== 0) return this.#free.pop()!
    if (this.#used === this.#next.length) {
      const capacity = Math.min(this.max + 1, this.#next.length * 2)
      const grow = <A extends Int32Array | Float64Array>(old: A, fresh: A): A => {
        fresh.set(old)
        return fresh
      }
      this.#next = grow(this.#next, new Int32Array(capacity))
      this.#prev = grow(this.#prev, new Int32Array(capacity))
      this.#sizes = grow(this.#sizes, new Float64Array(capacity))
      this.#expires = grow(this.#expires, new Float64Array(capacity))
    }
    return this.#used++
  }

  #linkAtHead(slot: number): void {
    this.#prev[slot] = NONE
    this.#next[slot] = this.#head
    if (this.#head !== NONE) this.#prev[this.#head] = slot
    this.#head = slot
    if (this.#tail === NONE) this.#tail = slot
  }

  #unlink(slot: number): void {
    const prev = this.#prev[slot]!
    const next = this.#next[slot]!
    if (prev === NONE) this.#head = next
    else this.#next[prev] = next
    if (next === NONE) this.#tail = prev
    else this.#prev[next] = prev
  }

  #moveToHead(slot: number): void {
    this.#unlink(slot)
    this.#linkAtHead(slot)
  }

  /** Frees a slot; `reason` null means a silent removal (re-setting the same value). */
  #remove(slot: number, reason: EvictionReason | null): void {
    const key = this.#keys[slot] as K
    const value = this.#values[slot] as V
    this.#unlink(slot)
    this.#index.delete(key)
    this.#bytes -= this.#sizes[slot]!
    if (this.#expires[slot] !== 0) this.#ttlEntries--
    this.#keys[slot] = undefined
    this.#values[slot] = undefined
    this.#free.push(slot)
    if (reason === null) return
    this.#evictions[reason]++
    this.#onEvict?.(key, value, reason)
  }
}
