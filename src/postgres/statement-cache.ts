/**
 * The per-connection L1 cache of prepared statements, bounded by count and by bytes (issue 4):
 * a map in least-recently-used order. Evicted statements are returned so the connection can
 * Close them on the server, which would otherwise keep them until the session ends.
 */
export class StatementCache<V> {
  readonly maxCount: number
  readonly maxBytes: number
  #bytes = 0
  readonly #map = new Map<string, { value: V; bytes: number }>()

  constructor(maxCount: number, maxBytes: number) {
    this.maxCount = maxCount
    this.maxBytes = maxBytes
  }

  get size(): number {
    return this.#map.size
  }

  get(key: string): V | undefined {
    const entry = this.#map.get(key)
    if (entry === undefined) return undefined
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.#map.delete(key)
    this.#map.set(key, entry)
    return entry.value
  }

  /** Adds an entry; returns the entries evicted to make room (possibly the new one itself). */
  set(key: string, value: V, bytes: number): V[] {
    const evicted: V[] = []
    const old = this.#map.get(key)
    if (old !== undefined) {
      this.#map.delete(key)
      this.#bytes -= old.bytes
      evicted.push(old.value)
    }
    this.#map.set(key, { value, bytes })
    this.#bytes += bytes
    for (const [k, e] of this.#map) {
      if (this.#map.size <= this.maxCount && this.#bytes <= this.maxBytes) break
      this.#map.delete(k)
      this.#bytes -= e.bytes
      evicted.push(e.value)
    }
    return evicted
  }

  delete(key: string): V | undefined {
    const entry = this.#map.get(key)
    if (entry === undefined) return undefined
    this.#map.delete(key)
    this.#bytes -= entry.bytes
    return entry.value
  }

  clear(): V[] {
    const all = [...this.#map.values()].map((e) => e.value)
    this.#map.clear()
    this.#bytes = 0
    return all
  }
}
