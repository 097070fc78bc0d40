import { RingQueue } from './ring-queue.js'

/** One caller of `acquire()` waiting for a connection. */
export class Waiter<T> {
  done = false
  onAbort: (() => void) | undefined = undefined
  constructor(
    readonly resolve: (connection: T) => void,
    readonly reject: (error: Error) => void,
    readonly enqueuedAt: number,
    readonly signal: AbortSignal | undefined,
  ) {}
}

/**
 * The pool's waiters, first in, first out, with one shared deadline timer.
 *
 * Every waiter has the same timeout, so deadlines are ordered like the queue and a single timer
 * armed for the oldest waiter is enough (no timer per acquire). An aborted or timed-out waiter
 * is marked done and skipped when it reaches the head: removal from the middle stays O(1).
 *
 * The deadline timer is the one pool timer left ref'd, and only while someone waits: a pending
 * acquire is work in flight that must settle (with a timeout at worst) before the process may
 * exit. It is cleared as soon as nobody waits, and by `clear()`.
 */
export class WaiterQueue<T> {
  readonly #queue = new RingQueue<Waiter<T>>()
  readonly #timeoutMs: number
  readonly #now: () => number
  readonly #onTimeout: (waiter: Waiter<T>) => Error
  #live = 0
  #timer: NodeJS.Timeout | undefined = undefined

  /** `onTimeout` builds the error a timed-out waiter is rejected with. */
  constructor(timeoutMs: number, now: () => number, onTimeout: (waiter: Waiter<T>) => Error) {
    this.#timeoutMs = timeoutMs
    this.#now = now
    this.#onTimeout = onTimeout
  }

  /** Waiters not yet served, aborted or timed out. */
  get length(): number {
    return this.#live
  }

  add(waiter: Waiter<T>, onAbort: ((waiter: Waiter<T>) => void) | undefined): void {
    if (waiter.signal !== undefined && onAbort !== undefined) {
      waiter.onAbort = () => onAbort(waiter)
      waiter.signal.addEventListener('abort', waiter.onAbort, { once: true })
    }
    this.#queue.push(waiter)
    this.#live++
    if (this.#timer === undefined) this.#arm()
  }

  /** Removes the oldest live waiter and marks it done; the caller resolves it. */
  take(): Waiter<T> | undefined {
    for (let w = this.#queue.shift(); w !== undefined; w = this.#queue.shift()) {
      if (w.done) continue
      this.#finish(w)
      return w
    }
    return undefined
  }

  /** Rejects one waiter (abort, timeout) if it is still waiting; it leaves the ring lazily. */
  reject(waiter: Waiter<T>, error: Error): void {
    if (waiter.done) return
    this.#finish(waiter)
    waiter.reject(error)
  }

  /** Rejects every waiter with the error `makeError` builds for it. */
  rejectAll(makeError: () => Error): void {
    for (let w = this.take(); w !== undefined; w = this.take()) w.reject(makeError())
  }

  #finish(waiter: Waiter<T>): void {
    waiter.done = true
    this.#live--
    if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort)
    if (this.#live === 0) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
  }

  /** Arms the timer for the oldest live waiter's deadline. */
  #arm(): void {
    let head = this.#queue.peek()
    while (head?.done) {
      this.#queue.shift()
      head = this.#queue.peek()
    }
    if (head === undefined) return
    const delay = Math.max(0, head.enqueuedAt + this.#timeoutMs - this.#now())
    this.#timer = setTimeout(() => this.#expire(), delay)
  }

  #expire(): void {
    this.#timer = undefined
    const now = this.#now()
    for (let w = this.#queue.peek(); w !== undefined; w = this.#queue.peek()) {
      if (!w.done && now - w.enqueuedAt < this.#timeoutMs) break
      this.#queue.shift()
      if (!w.done) this.reject(w, this.#onTimeout(w))
    }
    if (this.#live !== 0 && this.#timer === undefined) this.#arm()
  }
}
