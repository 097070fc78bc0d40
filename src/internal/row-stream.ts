/**
 * The rows of a streamed query as an async iterator with backpressure (issue 4, "Backpressure"),
 * for both drivers: when `highWaterMark` rows are waiting for the consumer, the source is paused
 * — the socket, so the server blocks on its send buffer, or the next cursor fetch — and resumed
 * once the consumer has taken half of them. Memory stays bounded by the high-water mark plus one
 * read's worth of rows.
 */
export interface FlowControl {
  pause(): void
  resume(): void
}

export class RowStream<T> implements AsyncIterableIterator<T> {
  readonly highWaterMark: number
  readonly #flow: FlowControl
  readonly #onEarlyClose: () => void
  #rows: T[] = []
  #head = 0
  #waiter: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void } | undefined
  #done = false
  #closed = false
  #error: unknown
  #paused = false

  constructor(highWaterMark: number, flow: FlowControl, onEarlyClose: () => void) {
    this.highWaterMark = highWaterMark
    this.#flow = flow
    this.#onEarlyClose = onEarlyClose
  }

  /** Rows received and not yet taken by the consumer. */
  get bufferedRows(): number {
    return this.#rows.length - this.#head
  }

  push(row: T): void {
    if (this.#closed) return
    const waiter = this.#waiter
    if (waiter !== undefined) {
      this.#waiter = undefined
      waiter.resolve({ value: row, done: false })
      return
    }
    this.#rows.push(row)
    if (!this.#paused && this.bufferedRows >= this.highWaterMark) {
      this.#paused = true
      this.#flow.pause()
    }
  }

  end(): void {
    this.#done = true
    this.#resume()
    const waiter = this.#waiter
    this.#waiter = undefined
    waiter?.resolve({ value: undefined, done: true })
  }

  fail(error: unknown): void {
    if (this.#done || this.#closed) return
    this.#done = true
    this.#error = error
    this.#rows = []
    this.#head = 0
    this.#resume()
    const waiter = this.#waiter
    this.#waiter = undefined
    waiter?.reject(error)
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#rows.length) {
      const value = this.#rows[this.#head++]!
      if (this.#head === this.#rows.length) {
        this.#rows = []
        this.#head = 0
      }
      if (this.#paused && this.bufferedRows <= this.highWaterMark >> 1) this.#resume()
      return Promise.resolve({ value, done: false })
    }
    if (this.#error !== undefined) return Promise.reject(this.#error)
    if (this.#done || this.#closed) return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject }
    })
  }

  /** Called by `break` in a for-await loop: drops the rest and stops the query. */
  return(): Promise<IteratorResult<T>> {
    if (!this.#closed) {
      this.#closed = true
      this.#rows = []
      this.#head = 0
      this.#resume()
      if (!this.#done) this.#onEarlyClose()
    }
    return Promise.resolve({ value: undefined, done: true })
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this
  }

  #resume(): void {
    if (!this.#paused) return
    this.#paused = false
    this.#flow.resume()
  }
}
