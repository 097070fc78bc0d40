import { InvalidArgumentError } from '../errors/classes.js'
import { type EvictionReason, LruCache } from './lru.js'

/**
 * Prepared-statement caching in two levels, for a driver built on a pool:
 *
 * - **L2**, one `PreparedStatementCache` per pool: SQL text → metadata `M` (parameter type OIDs,
 *   result fields: opaque to the cache) learned once by any connection, so a fresh connection can
 *   send Parse with known parameter types and skip the Describe round trip.
 * - **L1**, one `ConnectionStatementCache` per connection (from `forConnection`): SQL text → the
 *   statement's server-side name and metadata, so a repeated query skips Parse/Describe entirely
 *   (PostgreSQL protocol §55.2.3 "Extended Query": a named statement lasts until the session ends
 *   or it is Closed).
 *
 * Invalidation uses an epoch: `invalidate(sql)` and `invalidateAll()` bump it, and every L1 drops
 * its stale entries lazily the next time they are looked up — after a "cached plan must not change
 * result type" error (SQLSTATE 0A000) or a DDL, without visiting every connection.
 */

/** A statement prepared on one connection. */
export interface CachedStatement<M> {
  /** The server-side statement name this connection prepared it under (`s1`, `s2`, ...). */
  readonly name: string
  /** What the driver learned when preparing it (opaque to the cache). */
  readonly metadata: M
  /** The cache epoch at which it was stored; older than an invalidation means stale. */
  readonly epoch: number
}

/** Why a statement left a connection's L1: an LRU reason, or 'invalidated' by the epoch. */
export type StatementEvictionReason = EvictionReason | 'invalidated'

/**
 * Called when a statement leaves a connection's L1 cache. The driver must send Close
 * (PostgreSQL 'C' with type 'S') for `name`, or the server keeps it until the session ends.
 * Called synchronously from inside `get`/`set`/`delete`: queue the Close, do not await it.
 */
export type StatementEvictHandler = (name: string, sql: string, reason: StatementEvictionReason) => void

export interface PreparedStatementCacheOptions<M> {
  /** Statements kept per connection (L1). Default 256. */
  maxPerConnection?: number
  /** Total size of statements kept per connection, by `sizeOf`. Default 4 MiB. */
  maxBytesPerConnection?: number
  /** Metadata entries kept in the shared L2. Default 1024. */
  maxShared?: number
  /** Total size of the shared L2, by `sizeOf`. Default 16 MiB. */
  maxBytesShared?: number
  /** Size of one statement. Default: the SQL text length × 2 (UTF-16) + 256 for metadata. */
  sizeOf?: (sql: string, metadata: M) => number
  /** Prefix of generated statement names. Default 's'. */
  namePrefix?: string
}

export interface StatementCacheLevelStats {
  hits: number
  misses: number
  /** Entries dropped, by reason. */
  evictions: Record<StatementEvictionReason, number>
  /** Entries now held (L1: summed over live connections). */
  size: number
}

export interface StatementCacheStats {
  l1: StatementCacheLevelStats
  l2: StatementCacheLevelStats
  /** Current invalidation epoch. */
  epoch: number
  /** Connections with a live L1. */
  connections: number
}

/** Past this many single-statement invalidations the cache bumps the global epoch instead. */
const MAX_TRACKED_INVALIDATIONS = 1024

const defaultSizeOf = (sql: string): number => sql.length * 2 + 256

function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`PreparedStatementCache option ${name} must be a positive integer`)
  }
  return value
}

function emptyEvictions(): Record<StatementEvictionReason, number> {
  return { capacity: 0, ttl: 0, delete: 0, replace: 0, clear: 0, invalidated: 0 }
}

/** The shared (per pool) level: L2 metadata, the invalidation epoch and stats for both levels. */
export class PreparedStatementCache<M> {
  readonly maxPerConnection: number
  readonly maxBytesPerConnection: number
  readonly namePrefix: string
  readonly sizeOf: (sql: string, metadata: M) => number
  readonly #shared: LruCache<string, M>

  #epoch = 0
  /** Every L1 entry stored before this epoch is stale. */
  #allStaleBefore = 0
  /** SQL text → the epoch of its latest single invalidation. */
  readonly #invalidated = new Map<string, number>()

  /** L1 counters, summed over every connection (live or closed). */
  readonly l1Counters = { hits: 0, misses: 0, evictions: emptyEvictions() }
  /** Live L1s, for the size in `stats()`; a closed L1 removes itself. */
  readonly connections = new Set<ConnectionStatementCache<M>>()
  #l2Invalidations = 0

  constructor(options: PreparedStatementCacheOptions<M> = {}) {
    this.maxPerConnection = limit('maxPerConnection', options.maxPerConnection, 256)
    this.maxBytesPerConnection = limit('maxBytesPerConnection', options.maxBytesPerConnection, 4 << 20)
    if (options.sizeOf !== undefined && typeof options.sizeOf !== 'function') {
      throw new InvalidArgumentError('PreparedStatementCache option sizeOf must be a function')
    }
    this.sizeOf = options.sizeOf ?? defaultSizeOf
    const prefix = options.namePrefix ?? 's'
    if (typeof prefix !== 'string' || prefix.length === 0 || prefix.includes('\0')) {
      throw new InvalidArgumentError('PreparedStatementCache option namePrefix must be a non-empty string')
    }
    this.namePrefix = prefix
    const sizeOf = this.sizeOf
    this.#shared = new LruCache<string, M>({
      max: limit('maxShared', options.maxShared, 1024),
      maxBytes: limit('maxBytesShared', options.maxBytesShared, 16 << 20),
      sizeOf: (metadata, sql) => sizeOf(sql, metadata),
    })
  }

  /** The current invalidation epoch. */
  get epoch(): number {
    return this.#epoch
  }

  /** A new, empty L1 for one connection. Call `close()` on it when the connection ends. */
  forConnection(onEvict: StatementEvictHandler): ConnectionStatementCache<M> {
    if (typeof onEvict !== 'function') {
      throw new InvalidArgumentError('forConnection(onEvict): onEvict must be a function')
    }
    const l1 = new ConnectionStatementCache(this, onEvict)
    this.connections.add(l1)
    return l1
  }

  /** L2: the metadata any connection learned for `sql`, or undefined. */
  learned(sql: string): M | undefined {
    return this.#shared.get(sql)
  }

  /** L2: records what a connection learned about `sql` (called by `ConnectionStatementCache.set`). */
  learn(sql: string, metadata: M): void {
    this.#shared.set(sql, metadata)
  }

  /** Drops `sql` from L2 now and from every connection's L1 lazily (reason 'invalidated'). */
  invalidate(sql: string): void {
    if (this.#shared.delete(sql)) this.#l2Invalidations++
    this.#epoch++
    if (this.#invalidated.size >= MAX_TRACKED_INVALIDATIONS) {
      this.invalidateAll()
      return
    }
    this.#invalidated.set(sql, this.#epoch)
  }

  /** Drops everything: L2 now, every L1 lazily. Use after DDL or a schema/search_path change. */
  invalidateAll(): void {
    this.#l2Invalidations += this.#shared.size
    this.#shared.clear()
    this.#epoch++
    this.#allStaleBefore = this.#epoch
    this.#invalidated.clear()
  }

  /** True when an L1 entry stored at `epoch` for `sql` has been invalidated since. */
  isStale(sql: string, epoch: number): boolean {
    if (epoch === this.#epoch) return false
    if (epoch < this.#allStaleBefore) return true
    const at = this.#invalidated.get(sql)
    return at !== undefined && at > epoch
  }

  stats(): StatementCacheStats {
    const l2 = this.#shared.stats()
    let l1Size = 0
    for (const l1 of this.connections) l1Size += l1.size
    return {
      l1: {
        hits: this.l1Counters.hits,
        misses: this.l1Counters.misses,
        evictions: { ...this.l1Counters.evictions },
        size: l1Size,
      },
      l2: {
        hits: l2.hits,
        misses: l2.misses,
        evictions: { ...l2.evictions, clear: 0, invalidated: this.#l2Invalidations },
        size: l2.size,
      },
      epoch: this.#epoch,
      connections: this.connections.size,
    }
  }
}

/**
 * One connection's L1: SQL text → statement name + metadata. Typical driver flow:
 *
 * ```ts
 * const hit = l1.get(sql)                 // Bind/Execute hit.name directly
 * if (!hit) {
 *   const known = shared.learned(sql)     // L2: Parse with known types, no Describe
 *   const name = l1.allocateName()        // Parse(name, sql[, types]) (+ Describe if !known)
 *   l1.set(sql, metadata, name)           // after ParseComplete; also teaches L2
 * }
 * ```
 * On a Parse error call `delete(sql)` if it was stored; on connection end call `close()`.
 */
export class ConnectionStatementCache<M> {
  readonly #shared: PreparedStatementCache<M>
  readonly #onEvict: StatementEvictHandler
  readonly #lru: LruCache<string, CachedStatement<M>>
  #nextId = 1
  #closed = false
  /** Set while `get` drops a stale entry, so the eviction is reported as 'invalidated'. */
  #invalidating = false

  constructor(shared: PreparedStatementCache<M>, onEvict: StatementEvictHandler) {
    this.#shared = shared
    this.#onEvict = onEvict
    this.#lru = new LruCache<string, CachedStatement<M>>({
      max: shared.maxPerConnection,
      maxBytes: shared.maxBytesPerConnection,
      sizeOf: (entry, sql) => shared.sizeOf(sql, entry.metadata),
      onEvict: (sql, entry, reason) => this.#evicted(sql, entry.name, reason),
    })
  }

  /** Statements held. */
  get size(): number {
    return this.#lru.size
  }

  /** The statement prepared for `sql` on this connection, or undefined (stale entries evicted). */
  get(sql: string): CachedStatement<M> | undefined {
    const counters = this.#shared.l1Counters
    const entry = this.#lru.peek(sql)
    if (entry === undefined) {
      counters.misses++
      return undefined
    }
    if (this.#shared.isStale(sql, entry.epoch)) {
      this.#invalidating = true
      this.#lru.delete(sql)
      this.#invalidating = false
      counters.misses++
      return undefined
    }
    this.#lru.get(sql)
    counters.hits++
    return entry
  }

  /** A fresh statement name, unique on this connection (the driver may Parse under it first). */
  allocateName(): string {
    return `${this.#shared.namePrefix}${this.#nextId++}`
  }

  /**
   * Stores a prepared statement (evicting least recently used ones past the bounds, each
   * reported to `onEvict`) and teaches the shared L2 its metadata. Returns the stored entry.
   */
  set(sql: string, metadata: M, name: string = this.allocateName()): CachedStatement<M> {
    const entry: CachedStatement<M> = { name, metadata, epoch: this.#shared.epoch }
    if (this.#closed) return entry
    this.#lru.set(sql, entry)
    this.#shared.learn(sql, metadata)
    return entry
  }

  /** Drops `sql` (reported to `onEvict` with reason 'delete'); true when it was held. */
  delete(sql: string): boolean {
    return this.#lru.delete(sql)
  }

  /**
   * Forgets every statement without calling `onEvict` (the session is gone, so are its
   * statements) and detaches from the shared stats. Returns the names that were held.
   */
  close(): string[] {
    if (this.#closed) return []
    this.#closed = true
    const names: string[] = []
    for (const sql of this.#lru.keys()) names.push(this.#lru.peek(sql)!.name)
    this.#shared.connections.delete(this)
    this.#lru.clear()
    return names
  }

  #evicted(sql: string, name: string, reason: EvictionReason): void {
    if (this.#closed) return
    const why: StatementEvictionReason = reason === 'delete' && this.#invalidating ? 'invalidated' : reason
    this.#shared.l1Counters.evictions[why]++
    this.#onEvict(name, sql, why)
  }
}
