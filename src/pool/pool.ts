import { ConnectionError, InvalidArgumentError, PoolError, ProtocolError } from '../errors/classes.js'
import type { ErrorCode } from '../errors/codes.js'
import type { CircuitBreaker } from './circuit-breaker.js'
import { poolChannels } from './diagnostics.js'
import { type DestroyReason, PoolCounters, type PoolMetrics, type PoolState } from './pool-metrics.js'
import {
  checkFactory,
  type PoolFactory,
  type PoolOptions,
  type ResolvedPoolOptions,
  resolvePoolOptions,
} from './pool-options.js'
import { Waiter, WaiterQueue } from './waiter-queue.js'

/** A pool error that carries the pool's state when it was raised (HikariCP logs the same four numbers). */
export type PoolStateError = PoolError & { readonly state: PoolState }

export interface AcquireOptions {
  /** Aborting it while waiting rejects with `ERR_ABORTED` (its reason as `cause`). */
  signal?: AbortSignal
}

const IDLE = 0
const BUSY = 1
/** Taken out of the idle list for validate() or reset(); counted in `size`, not idle nor in use. */
const CHECKING = 2

class PooledConnection<T> {
  state = IDLE
  /** When it last went idle (released, created): what idleTimeoutMs measures. */
  idleSince: number
  /** When validate() last passed. Not use: it must not restart the idle time (issue 14). */
  validatedAt = Number.NEGATIVE_INFINITY
  acquiredAt = 0
  /** Reported dead by evict() while borrowed or being checked: destroyed when it comes back. */
  broken = false
  constructor(
    readonly connection: T,
    readonly expiresAt: number,
    now: number,
  ) {
    this.idleSince = now
  }
}

const OPEN = 0
const DRAINING = 1
const CLOSED = 2

/**
 * A pool of connections generic over a factory (DESIGN §2: it never names a driver).
 *
 * Waiters are served first in, first out; idle connections last in, first out, so the warm ones
 * are reused and the surplus ages out. Acquiring an idle connection allocates only the returned
 * promise: no closure, no timer. One shared timer expires waiters (see WaiterQueue), one unref'd
 * interval sweeps idle connections, one unref'd timer paces creation retries; close() clears all.
 */
export class ConnectionPool<T> {
  readonly options: Readonly<ResolvedPoolOptions>
  readonly #factory: PoolFactory<T>
  readonly #breaker: CircuitBreaker
  readonly #now: () => number
  readonly #entries = new Map<T, PooledConnection<T>>()
  readonly #idle: PooledConnection<T>[] = []
  readonly #waiters: WaiterQueue<T>
  readonly #counters = new PoolCounters()
  readonly #creating = new Set<AbortController>()
  #inUse = 0
  #checking = 0
  #lastCreateError: unknown = undefined
  #state = OPEN
  #retryTimer: NodeJS.Timeout | undefined = undefined
  #healthTimer: NodeJS.Timeout | undefined
  #drained: (() => void) | undefined = undefined
  readonly #settling = new Set<Promise<unknown>>()

  constructor(factory: PoolFactory<T>, options: PoolOptions = {}) {
    checkFactory(factory)
    this.options = Object.freeze(resolvePoolOptions(options))
    this.#factory = factory
    this.#breaker = this.options.breaker
    this.#now = this.options.now
    this.#waiters = new WaiterQueue<T>(this.options.acquireTimeoutMs, this.#now, () => this.#timedOut())
    this.#healthTimer = setInterval(() => this.#sweep(), this.options.healthCheckIntervalMs).unref()
    if (this.options.min > 0) queueMicrotask(() => this.#pump())
  }

  /** The breaker in front of connection creation. */
  get breaker(): CircuitBreaker {
    return this.#breaker
  }

  state(): PoolState {
    return {
      size: this.#entries.size,
      idle: this.#idle.length,
      inUse: this.#inUse,
      waiting: this.#waiters.length,
      pending: this.#creating.size,
    }
  }

  metrics(): PoolMetrics {
    return this.#counters.snapshot(this.state(), this.#breaker.metrics())
  }

  /**
   * Borrows a connection: an idle one at once, else waits (FIFO) for one to be released or
   * created, up to acquireTimeoutMs. Rejects with ERR_POOL_TIMEOUT (state + last creation error
   * as `cause`), ERR_POOL_QUEUE_FULL, ERR_CIRCUIT_OPEN, ERR_POOL_CLOSED or ERR_ABORTED.
   */
  acquire(options?: AcquireOptions): Promise<T> {
    if (this.#state !== OPEN) return Promise.reject(this.#refuse('closed'))
    const signal = options?.signal
    if (signal?.aborted) return Promise.reject(this.#refuse('aborted', signal.reason))
    const now = this.#now()
    // Fast path: nobody is queued ahead, so FIFO allows taking an idle connection directly.
    if (this.#waiters.length === 0) {
      while (this.#idle.length !== 0) {
        const entry = this.#idle.pop()!
        if (this.#expired(entry, now)) {
          this.#retire(entry, 'lifetime')
          continue
        }
        if (this.#needsValidation(entry, now)) {
          this.#idle.push(entry)
          break
        }
        this.#checkout(entry, now, 0)
        return Promise.resolve(entry.connection)
      }
    }
    if (this.#waiters.length >= this.options.maxWaiting) return Promise.reject(this.#refuse('queueFull'))
    return new Promise<T>((resolve, reject) => {
      this.#waiters.add(new Waiter<T>(resolve, reject, now, signal), this.#onAbort)
      if (this.#waiters.length > this.#counters.waitingPeak) this.#counters.waitingPeak = this.#waiters.length
      this.#pump()
    })
  }

  /** Returns a borrowed connection (reset first when the factory has reset()). */
  release(connection: T): void {
    const entry = this.#borrowed(connection, 'release')
    const now = this.#now()
    this.#inUse--
    this.#counters.released++
    this.#counters.held.record(now - entry.acquiredAt)
    if (poolChannels.release.hasSubscribers) {
      poolChannels.release.publish({ pool: this, connection, heldMs: now - entry.acquiredAt })
    }
    if (this.#state === CLOSED) {
      this.#retire(entry, 'closed')
      return
    }
    if (entry.broken || this.#expired(entry, now)) {
      this.#retire(entry, entry.broken ? 'broken' : 'lifetime')
      this.#pump()
      return
    }
    entry.idleSince = now
    if (this.#factory.reset === undefined) {
      this.#makeAvailable(entry)
      return
    }
    entry.state = CHECKING
    this.#checking++
    this.#track(
      Promise.resolve()
        .then(() => this.#factory.reset!(connection))
        .then(
          () => this.#checked(entry, true, 'reset'),
          () => this.#checked(entry, false, 'reset'),
        ),
    )
  }

  /** Destroys a borrowed connection whose state is unknown (a broken socket, a failed query). */
  destroy(connection: T): void {
    const entry = this.#borrowed(connection, 'destroy')
    this.#inUse--
    this.#counters.released++
    this.#counters.held.record(this.#now() - entry.acquiredAt)
    this.#retire(entry, entry.broken ? 'broken' : 'borrower')
    this.#pump()
  }

  /**
   * Reports a connection known to be dead (its socket closed, the server ended the session), so
   * the pool does not wait for a sweep or a borrow to find out (DESIGN §4: an idle connection that
   * dies is removed and counted, destroyed.broken). An idle one is destroyed at once and `min`
   * refilled; a borrowed one, or one being validated or reset, when it comes back. Returns false
   * for a connection the pool does not hold (already destroyed).
   */
  evict(connection: T): boolean {
    const entry = this.#entries.get(connection)
    if (entry === undefined) return false
    if (entry.state !== IDLE) {
      entry.broken = true
      return true
    }
    this.#idle.splice(this.#idle.indexOf(entry), 1)
    this.#retire(entry, 'broken')
    this.#pump()
    return true
  }

  /**
   * Runs `fn` with a borrowed connection and always gives it back: released when `fn` settles,
   * destroyed when `fn` throws a ConnectionError or ProtocolError (the connection cannot be trusted).
   */
  async use<R>(fn: (connection: T) => R | Promise<R>, options?: AcquireOptions): Promise<R> {
    const connection = await this.acquire(options)
    let result: R
    try {
      result = await fn(connection)
    } catch (error) {
      if (error instanceof ConnectionError || error instanceof ProtocolError) this.destroy(connection)
      else this.release(connection)
      throw error
    }
    this.release(connection)
    return result
  }

  /** Refuses new acquires; resolves once every queued waiter is served and every connection returned. */
  drain(): Promise<void> {
    if (this.#state === OPEN) this.#state = DRAINING
    return new Promise((resolve) => {
      const previous = this.#drained
      this.#drained = () => {
        previous?.()
        resolve()
      }
      this.#checkDrained()
    })
  }

  /**
   * Closes the pool: waiters fail with ERR_POOL_CLOSED, idle connections and ones being created
   * are destroyed, borrowed ones are destroyed when returned. Resolves when the destroys finish.
   */
  async close(): Promise<void> {
    if (this.#state !== CLOSED) {
      this.#state = CLOSED
      clearInterval(this.#healthTimer)
      clearTimeout(this.#retryTimer)
      this.#retryTimer = undefined
      this.#waiters.rejectAll(() => this.#refuse('closed'))
      for (const controller of this.#creating) controller.abort(this.#poolError('ERR_POOL_CLOSED', 'closed'))
      while (this.#idle.length !== 0) this.#retire(this.#idle.pop()!, 'closed')
      this.#checkDrained()
    }
    while (this.#settling.size !== 0) await Promise.allSettled([...this.#settling])
  }

  /** Hands idle connections to waiters, then creates connections for the unmet demand and for `min`. */
  #pump(): void {
    if (this.#state === CLOSED) return
    const now = this.#now()
    while (this.#waiters.length !== 0 && this.#idle.length !== 0) {
      const entry = this.#idle.pop()!
      if (this.#expired(entry, now)) this.#retire(entry, 'lifetime')
      else if (this.#needsValidation(entry, now)) this.#validate(entry)
      else this.#handOff(entry, now)
    }
    const { max, min } = this.options
    let demand = this.#waiters.length - this.#creating.size - this.#checking
    while (
      this.#entries.size + this.#creating.size < max &&
      (demand > 0 || this.#entries.size + this.#creating.size < min)
    ) {
      if (this.#state !== OPEN && demand <= 0) break
      if (!this.#breaker.tryAcquire()) break
      this.#create()
      demand--
    }
    if (this.#waiters.length !== 0 && this.#breaker.state === 'open') this.#failFastIfHopeless()
    if (this.#breaker.state === 'open' && (demand > 0 || this.#entries.size < min)) {
      this.#scheduleRetry(this.#breaker.retryAt - now)
    }
  }

  /** While the breaker is open, waiters only a release could serve fail at once if nothing is out. */
  #failFastIfHopeless(): void {
    if (this.#inUse !== 0 || this.#checking !== 0 || this.#creating.size !== 0) return
    this.#waiters.rejectAll(() => {
      this.#counters.rejected.circuitOpen++
      return this.#breaker.openError(this.#lastCreateError)
    })
    this.#checkDrained()
  }

  #create(): void {
    const controller = new AbortController()
    this.#creating.add(controller)
    const started = this.#now()
    const timer = setTimeout(() => {
      controller.abort(this.#poolError('ERR_POOL_TIMEOUT', `connection not created within createTimeoutMs`))
    }, this.options.createTimeoutMs).unref()
    const settle = (connection: T | undefined, error: unknown, ok: boolean) => {
      clearTimeout(timer)
      this.#creating.delete(controller)
      const now = this.#now()
      if (ok) this.#created(connection as T, started, now)
      else this.#createFailed(error, started, now)
    }
    this.#track(
      Promise.resolve()
        .then(() => this.#factory.create(controller.signal))
        .then(
          (connection) => settle(connection, undefined, true),
          (error: unknown) => settle(undefined, error, false),
        ),
    )
  }

  #created(connection: T, started: number, now: number): void {
    this.#breaker.recordSuccess()
    this.#lastCreateError = undefined
    this.#counters.created++
    this.#counters.create.record(now - started)
    const { maxLifetimeMs, maxLifetimeJitterMs, random } = this.options
    const expiresAt =
      maxLifetimeMs === 0 ? Number.POSITIVE_INFINITY : now + maxLifetimeMs - random() * maxLifetimeJitterMs
    const entry = new PooledConnection(connection, expiresAt, now)
    this.#entries.set(connection, entry)
    if (poolChannels.create.hasSubscribers) {
      poolChannels.create.publish({ pool: this, connection, createMs: now - started })
    }
    if (this.#state === CLOSED) {
      this.#retire(entry, 'closed')
      return
    }
    this.#makeAvailable(entry)
  }

  #createFailed(error: unknown, started: number, now: number): void {
    this.#counters.createErrors++
    this.#lastCreateError = error
    if (poolChannels.create.hasSubscribers) {
      poolChannels.create.publish({ pool: this, error, createMs: now - started })
    }
    if (!this.#isTransient(error)) {
      // The resource answered: for the breaker (which guards against one that is down) that is
      // a success, and it ends a half-open probe. Retrying would fail the same way, so the
      // callers this creation was for get its error now.
      this.#breaker.recordSuccess()
      this.#refuseWaiters(error)
      return
    }
    this.#breaker.recordFailure(error)
    if (this.#waiters.length !== 0 && this.#breaker.state === 'open') this.#failFastIfHopeless()
    // Retry from a fresh macrotask (or after the breaker's backoff), never in a tight loop.
    this.#scheduleRetry(this.#breaker.state === 'open' ? this.#breaker.retryAt - now : 0)
  }

  #isTransient(error: unknown): boolean {
    const classify = this.#factory.isTransient
    if (classify === undefined) return true
    try {
      return classify(error) !== false
    } catch {
      return true
    }
  }

  /**
   * After a creation failure that retrying would not fix: the oldest waiters get `error`, all of
   * those that no connection in use, being checked or being created could serve, and at least
   * one (the caller this creation was for), so a caller sees a wrong password at once, not as
   * ERR_CIRCUIT_OPEN after a burst of retries.
   */
  #refuseWaiters(error: unknown): void {
    const servable = this.#inUse + this.#checking + this.#creating.size
    for (let n = Math.max(1, this.#waiters.length - servable); n > 0; n--) {
      const waiter = this.#waiters.take()
      if (waiter === undefined) break
      this.#counters.rejected.createFailed++
      waiter.reject(error as Error)
    }
    this.#checkDrained()
  }

  #scheduleRetry(delayMs: number): void {
    if (this.#retryTimer !== undefined || this.#state === CLOSED) return
    this.#retryTimer = setTimeout(
      () => {
        this.#retryTimer = undefined
        this.#pump()
      },
      Math.max(0, Math.ceil(delayMs)),
    ).unref()
  }

  /** Gives a connection to the oldest live waiter, or back to the idle list. */
  #makeAvailable(entry: PooledConnection<T>): void {
    if (this.#waiters.length !== 0) this.#handOff(entry, this.#now())
    else {
      entry.state = IDLE
      this.#idle.push(entry)
    }
    this.#checkDrained()
  }

  #handOff(entry: PooledConnection<T>, now: number): void {
    const waiter = this.#waiters.take()
    if (waiter !== undefined) {
      this.#checkout(entry, now, now - waiter.enqueuedAt)
      waiter.resolve(entry.connection)
      return
    }
    entry.state = IDLE
    this.#idle.push(entry)
  }

  #checkout(entry: PooledConnection<T>, now: number, waitMs: number): void {
    entry.state = BUSY
    entry.acquiredAt = now
    this.#inUse++
    this.#counters.acquired++
    this.#counters.acquireWait.record(waitMs)
    if (poolChannels.acquire.hasSubscribers) {
      poolChannels.acquire.publish({ pool: this, connection: entry.connection, waitMs })
    }
  }

  #validate(entry: PooledConnection<T>): void {
    entry.state = CHECKING
    this.#checking++
    this.#track(
      Promise.resolve()
        .then(() => this.#factory.validate!(entry.connection))
        .then(
          (ok) => this.#checked(entry, ok === true, 'validation'),
          () => this.#checked(entry, false, 'validation'),
        ),
    )
  }

  /** After validate() or reset(): back into service, or destroyed. */
  #checked(entry: PooledConnection<T>, ok: boolean, reason: DestroyReason): void {
    this.#checking--
    if (this.#state === CLOSED) {
      this.#retire(entry, 'closed')
      return
    }
    if (!ok || entry.broken) {
      this.#retire(entry, ok ? 'broken' : reason)
      this.#pump()
      return
    }
    if (reason === 'validation') entry.validatedAt = this.#now()
    else entry.idleSince = this.#now()
    this.#makeAvailable(entry)
  }

  /** The idle sweep (HikariCP's housekeeper): idle timeout, lifetime, validation, refill of min. */
  #sweep(): void {
    const now = this.#now()
    const { idleTimeoutMs, min } = this.options
    const keep: PooledConnection<T>[] = []
    // Oldest idle first (the list is LIFO), so the longest idle are the ones closed.
    for (const entry of this.#idle.splice(0)) {
      if (this.#expired(entry, now)) this.#retire(entry, 'lifetime')
      else if (idleTimeoutMs !== 0 && now - entry.idleSince >= idleTimeoutMs && this.#entries.size > min) {
        this.#retire(entry, 'idle')
      } else if (this.#needsValidation(entry, now)) this.#validate(entry)
      else keep.push(entry)
    }
    this.#idle.push(...keep)
    this.#pump()
  }

  #retire(entry: PooledConnection<T>, reason: DestroyReason): void {
    this.#entries.delete(entry.connection)
    this.#counters.destroyed[reason]++
    if (poolChannels.destroy.hasSubscribers) {
      poolChannels.destroy.publish({ pool: this, connection: entry.connection, reason })
    }
    this.#track(
      Promise.resolve()
        .then(() => this.#factory.destroy(entry.connection))
        .catch(() => {
          this.#counters.destroyErrors++
        }),
    )
    this.#checkDrained()
  }

  #expired(entry: PooledConnection<T>, now: number): boolean {
    return now >= entry.expiresAt
  }

  #needsValidation(entry: PooledConnection<T>, now: number): boolean {
    if (this.#factory.validate === undefined) return false
    return now - Math.max(entry.idleSince, entry.validatedAt) > this.options.validateAfterIdleMs
  }

  #borrowed(connection: T, method: string): PooledConnection<T> {
    const entry = this.#entries.get(connection)
    if (entry === undefined || entry.state !== BUSY) {
      throw new InvalidArgumentError(`${method}(connection): the connection is not borrowed from this pool`)
    }
    return entry
  }

  /** Builds the error of a waiter that waited acquireTimeoutMs (called by the waiter queue). */
  #timedOut(): Error {
    this.#counters.timeouts++
    const timeout = this.options.acquireTimeoutMs
    const error = this.#poolError(
      'ERR_POOL_TIMEOUT',
      `no connection available within acquireTimeoutMs (${timeout} ms)`,
      this.#lastCreateError,
    )
    if (poolChannels.timeout.hasSubscribers) poolChannels.timeout.publish({ pool: this, error })
    queueMicrotask(() => this.#checkDrained())
    return error
  }

  readonly #onAbort = (waiter: Waiter<T>): void => {
    this.#waiters.reject(waiter, this.#refuse('aborted', waiter.signal!.reason))
    this.#checkDrained()
  }

  #refuse(why: 'closed' | 'aborted' | 'queueFull', cause?: unknown): PoolStateError {
    this.#counters.rejected[why]++
    if (why === 'closed') return this.#poolError('ERR_POOL_CLOSED', 'the pool is draining or closed')
    if (why === 'aborted') return this.#poolError('ERR_ABORTED', 'acquire() was aborted by its signal', cause)
    return this.#poolError(
      'ERR_POOL_QUEUE_FULL',
      `maxWaiting (${this.options.maxWaiting}) callers already wait`,
    )
  }

  #poolError(code: ErrorCode, message: string, cause?: unknown): PoolStateError {
    const state = this.state()
    const detail = `size ${state.size}, idle ${state.idle}, in use ${state.inUse}, waiting ${state.waiting}, pending ${state.pending}`
    const error = new PoolError(
      code,
      `Pool: ${message} (${detail})`,
      cause === undefined ? undefined : { cause },
    )
    return Object.assign(error, { state })
  }

  #checkDrained(): void {
    if (this.#drained === undefined || this.#state === OPEN) return
    if (this.#waiters.length !== 0 || this.#inUse !== 0 || this.#checking !== 0) return
    const done = this.#drained
    this.#drained = undefined
    done()
  }

  /** Keeps a background promise until it settles, so close() can wait for it. */
  #track(promise: Promise<unknown>): void {
    this.#settling.add(promise)
    void promise.finally(() => this.#settling.delete(promise))
  }
}
