import { InvalidArgumentError, PoolError } from '../errors/classes.js'
import type { DriverConnections } from './connections.js'
import type { DriverConnection } from './contract.js'
import type { DriverCounters } from './metrics.js'
import { backoff, type RetryOptions, retryPolicy } from './transactions.js'

export interface DriverCoreOptions<C extends DriverConnection> {
  connections: DriverConnections<C>
  counters: DriverCounters
  closeTimeoutMs: number
  /** True when `error` failed a command never written to the server (the dialect's pipeline marks it). */
  wasNeverSent: (error: unknown) => boolean
}

/**
 * What every pooled driver does around its connections: counts in-flight work so close() can
 * drain it, refuses work once closing, runs a statement once more when it never reached the
 * server, re-runs a transaction the server asks to retry, lends reserved connections and streams.
 */
export class DriverCore<C extends DriverConnection> {
  readonly connections: DriverConnections<C>
  readonly counters: DriverCounters
  readonly #closeTimeoutMs: number
  readonly #wasNeverSent: (error: unknown) => boolean
  #active = 0
  #idle: (() => void)[] = []
  #closing: Promise<void> | undefined

  constructor(options: DriverCoreOptions<C>) {
    this.connections = options.connections
    this.counters = options.counters
    this.#closeTimeoutMs = options.closeTimeoutMs
    this.#wasNeverSent = options.wasNeverSent
  }

  get closing(): boolean {
    return this.#closing !== undefined
  }

  /**
   * Runs one statement (`fn`) on a pooled connection, as counted work. A statement the server
   * never received (its connection failed before it was written) is run once more on another
   * connection: it cannot have had any effect. One that was written fails with
   * ERR_CONNECTION_CLOSED: whether it ran is unknown. Throws at once when the driver is closing.
   */
  execute<T>(shareable: boolean, signal: AbortSignal | undefined, fn: (conn: C) => Promise<T>): Promise<T> {
    this.enter()
    return this.counters.observe(this.#execute(shareable, signal, fn, false).finally(this.#left))
  }

  async #execute<T>(
    shareable: boolean,
    signal: AbortSignal | undefined,
    fn: (conn: C) => Promise<T>,
    retried: boolean,
  ): Promise<T> {
    try {
      return await this.connections.run(shareable, signal, fn)
    } catch (error) {
      if (retried || !this.#wasNeverSent(error)) throw error
      this.counters.retriedUnsent++
      return this.#execute(shareable, signal, fn, true)
    }
  }

  /**
   * A transaction with retries: `prepare` checks the options and returns one attempt, which runs
   * on a borrowed connection, again (after a backoff) while `retryable` says so.
   */
  transaction<R>(
    work: unknown,
    options: { retry?: boolean | number | RetryOptions; signal?: AbortSignal },
    retryable: (error: unknown) => boolean,
    prepare: () => (conn: C) => Promise<R>,
  ): Promise<R> {
    try {
      if (typeof work !== 'function' && !Array.isArray(work)) {
        throw new InvalidArgumentError('transaction() takes a callback or an array of statements')
      }
      const attempt = prepare()
      const policy = retryPolicy(options.retry)
      return this.track(async () => {
        for (let n = 0; ; n++) {
          try {
            return await this.connections.run(false, options.signal, attempt)
          } catch (error) {
            if (n + 1 >= policy.maxAttempts || !retryable(error)) throw error
            this.counters.transactions.retried++
            await backoff(policy, n, options.signal)
          }
        }
      })
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** A connection of the caller's own: `wrap` gets it and the function that gives it back. */
  async reserve<R>(signal: AbortSignal | undefined, wrap: (conn: C, release: () => void) => R): Promise<R> {
    this.enter()
    try {
      const conn = await this.connections.acquire(signal)
      return wrap(conn, () => {
        this.connections.giveBack(conn)
        this.leave()
      })
    } catch (error) {
      this.leave()
      throw error
    }
  }

  /** Yields what `open` streams from a borrowed connection; the connection goes back at the end. */
  async *stream<T>(signal: AbortSignal | undefined, open: (conn: C) => AsyncIterable<T>): AsyncGenerator<T> {
    this.enter()
    try {
      const conn = await this.connections.acquire(signal)
      try {
        yield* open(conn)
      } finally {
        this.connections.giveBack(conn)
      }
    } finally {
      this.leave()
    }
  }

  /**
   * Stops taking work, waits for in-flight work up to `timeoutMs` (default: the driver's
   * closeTimeoutMs), runs `beforePool` (a driver's own connections, e.g. LISTEN), then closes
   * every connection; work still running then fails with ERR_CONNECTION_CLOSED.
   */
  close(timeoutMs = this.#closeTimeoutMs, beforePool?: () => Promise<void>): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#active !== 0) {
        let timer: NodeJS.Timeout | undefined
        await Promise.race([
          new Promise<void>((resolve) => this.#idle.push(resolve)),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, timeoutMs)
          }),
        ])
        clearTimeout(timer)
      }
      await beforePool?.()
      const pool = this.connections.pool.close()
      await this.connections.closeAll()
      await pool
    })()
    return this.#closing
  }

  /**
   * Runs `work` as in-flight work that close() waits for. A closing driver refuses it before it
   * starts (issue 14: the work used to start first, so a statement ran although the caller was
   * told ERR_POOL_CLOSED).
   */
  track<T>(work: () => Promise<T>): Promise<T> {
    try {
      this.enter()
    } catch (error) {
      return Promise.reject(error)
    }
    let promise: Promise<T>
    try {
      promise = work()
    } catch (error) {
      this.leave()
      return Promise.reject(error)
    }
    return promise.finally(this.#left)
  }

  /** Counts one piece of work in; throws ERR_POOL_CLOSED when closing. */
  enter(): void {
    if (this.#closing !== undefined) throw this.closedError()
    this.#active++
  }

  leave(): void {
    if (--this.#active === 0) for (const resolve of this.#idle.splice(0)) resolve()
  }

  readonly #left = (): void => this.leave()

  closedError(): PoolError {
    return new PoolError('ERR_POOL_CLOSED', 'the driver is closed')
  }
}
