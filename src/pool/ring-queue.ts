/**
 * A FIFO queue on a power-of-two ring buffer: O(1) push and shift with no per-item allocation
 * (an Array's `shift()` is O(n) once it leaves V8's fast path). Used for the pool's waiters.
 */
export class RingQueue<T> {
  #items: (T | undefined)[]
  #mask: number
  #head = 0
  #length = 0

  constructor(initialCapacity = 16) {
    let capacity = 1
    while (capacity < initialCapacity) capacity <<= 1
    this.#items = new Array(capacity)
    this.#mask = capacity - 1
  }

  get length(): number {
    return this.#length
  }

  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow()
    this.#items[(this.#head + this.#length) & this.#mask] = item
    this.#length++
  }

  /** The oldest item, without removing it. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head]
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined
    const item = this.#items[this.#head]
    this.#items[this.#head] = undefined
    this.#head = (this.#head + 1) & this.#mask
    this.#length--
    return item
  }

  #grow(): void {
    const old = this.#items
    const items: (T | undefined)[] = new Array(old.length * 2)
    for (let i = 0; i < this.#length; i++) items[i] = old[(this.#head + i) & this.#mask]
    this.#items = items
    this.#mask = items.length - 1
    this.#head = 0
  }
}
