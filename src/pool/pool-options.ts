import { InvalidArgumentError } from '../errors/classes.js'
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js'

/** What the pool needs to know about the resource it pools. Only `create` and `destroy` are required. */
export interface PoolFactory<T> {
  /** Opens a connection. `signal` aborts when createTimeoutMs passes or the pool closes. */
  create(signal: AbortSignal): Promise<T>
  /** Closes a connection. Errors are swallowed (counted in metrics): the connection is gone either way. */
  destroy(connection: T): Promise<void> | void
  /** Checks a connection is alive (e.g. a ping). False or a rejection evicts it. */
  validate?(connection: T): Promise<boolean> | boolean
  /** Undoes what a borrower changed (session state) before the next borrower. A rejection destroys it. */
  reset?(connection: T): Promise<void> | void
  /**
   * Whether a create() failure may pass by itself (the server is down, restarting, full): the pool
   * retries it with backoff and counts it against the breaker. False (a wrong password, a missing
   * database, a certificate that does not verify: the resource answered "no"): the waiting callers
   * get the error at once, nothing is retried for them, and the breaker is not tripped. Default:
   * every failure is transient.
   */
  isTransient?(error: unknown): boolean
}

export interface PoolOptions {
  /** Connections kept open even when idle. Default 0. */
  min?: number
  /** Most connections open at once (idle + in use + being created). Default 10. */
  max?: number
  /** How long `acquire` waits before `ERR_POOL_TIMEOUT`, in ms. Default 30 000 (never infinite). */
  acquireTimeoutMs?: number
  /** How long one `create` may take before its signal aborts, in ms. Default 30 000. */
  createTimeoutMs?: number
  /** Idle connections above `min` are closed after this long, in ms (0 = never). Default 600 000. */
  idleTimeoutMs?: number
  /** Connections are retired after this long, in ms (0 = never). Default 1 800 000. */
  maxLifetimeMs?: number
  /** Up to this much is taken off each connection's lifetime at random, in ms. Default 2.5% of maxLifetimeMs. */
  maxLifetimeJitterMs?: number
  /** Most callers waiting at once; the next one fails with `ERR_POOL_QUEUE_FULL`. Default 1 000. */
  maxWaiting?: number
  /** On borrow, validate only a connection idle longer than this, in ms. Default 1 000. */
  validateAfterIdleMs?: number
  /** Period of the idle sweep (idle timeout, lifetime, validate, refill `min`), in ms. Default 30 000. */
  healthCheckIntervalMs?: number
  /** The breaker in front of `create`: options, or a shared instance. */
  breaker?: CircuitBreakerOptions | CircuitBreaker
  /** Clock in ms (injectable for tests). Default `performance.now`. */
  now?: () => number
  /** Random source in [0, 1) for the lifetime jitter (injectable for tests). Default `Math.random`. */
  random?: () => number
}

export interface ResolvedPoolOptions {
  min: number
  max: number
  acquireTimeoutMs: number
  createTimeoutMs: number
  idleTimeoutMs: number
  maxLifetimeMs: number
  maxLifetimeJitterMs: number
  maxWaiting: number
  validateAfterIdleMs: number
  healthCheckIntervalMs: number
  breaker: CircuitBreaker
  now: () => number
  random: () => number
}

/** setTimeout's largest delay: longer ones fire at once (Node clamps them to 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1

function integer(options: PoolOptions, name: keyof PoolOptions, fallback: number, min: number, max: number) {
  const value = options[name] ?? fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(
      `ConnectionPool option ${name} must be an integer in [${min}, ${max}], got ${String(options[name])}`,
    )
  }
  return value
}

/** Validates every option up front (DESIGN §4: bad configuration fails at construction). */
export function resolvePoolOptions(options: PoolOptions): ResolvedPoolOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('ConnectionPool options must be an object')
  }
  const max = integer(options, 'max', 10, 1, 1_000_000)
  const min = integer(options, 'min', 0, 0, max)
  const maxLifetimeMs = integer(options, 'maxLifetimeMs', 1_800_000, 0, Number.MAX_SAFE_INTEGER)
  // HikariCP takes up to 2.5% off each lifetime so a pool opened at once does not expire at once.
  const jitter = integer(options, 'maxLifetimeJitterMs', Math.floor(maxLifetimeMs / 40), 0, maxLifetimeMs)
  for (const name of ['now', 'random'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new InvalidArgumentError(`ConnectionPool option ${name} must be a function`)
    }
  }
  const now = options.now ?? performance.now.bind(performance)
  const breakerOption = options.breaker
  if (breakerOption !== undefined && (typeof breakerOption !== 'object' || breakerOption === null)) {
    throw new InvalidArgumentError('ConnectionPool option breaker must be CircuitBreaker options or instance')
  }
  const breaker =
    breakerOption instanceof CircuitBreaker ? breakerOption : new CircuitBreaker({ now, ...breakerOption })
  return {
    min,
    max,
    acquireTimeoutMs: integer(options, 'acquireTimeoutMs', 30_000, 1, MAX_TIMER_MS),
    createTimeoutMs: integer(options, 'createTimeoutMs', 30_000, 1, MAX_TIMER_MS),
    idleTimeoutMs: integer(options, 'idleTimeoutMs', 600_000, 0, Number.MAX_SAFE_INTEGER),
    maxLifetimeMs,
    maxLifetimeJitterMs: jitter,
    maxWaiting: integer(options, 'maxWaiting', 1000, 0, Number.MAX_SAFE_INTEGER),
    validateAfterIdleMs: integer(options, 'validateAfterIdleMs', 1000, 0, Number.MAX_SAFE_INTEGER),
    healthCheckIntervalMs: integer(options, 'healthCheckIntervalMs', 30_000, 10, MAX_TIMER_MS),
    breaker,
    now,
    random: options.random ?? Math.random,
  }
}

/** Checks the factory's shape (DESIGN §4), naming the member at fault. */
export function checkFactory<T>(factory: PoolFactory<T>): void {
  if (typeof factory !== 'object' || factory === null) {
    throw new InvalidArgumentError('ConnectionPool factory must be an object with create and destroy')
  }
  for (const name of ['create', 'destroy', 'validate', 'reset', 'isTransient'] as const) {
    const member = factory[name]
    const required = name === 'create' || name === 'destroy'
    if ((required || member !== undefined) && typeof member !== 'function') {
      throw new InvalidArgumentError(`ConnectionPool factory.${name} must be a function`)
    }
  }
}
