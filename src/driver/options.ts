import { InvalidArgumentError } from '../errors/classes.js'
import type { CircuitBreakerOptions } from '../pool/circuit-breaker.js'
import type { PoolOptions } from '../pool/pool-options.js'

/** Options every pooled driver takes beside one connection's settings. */
export interface PooledDriverOptions<S> {
  /** Most connections open at once. Default 10. */
  poolSize?: number
  /** The pool's other options (docs/pool.md); `max` comes from `poolSize`. */
  pool?: Omit<PoolOptions, 'max'>
  /** How long `close()` waits for in-flight work before closing connections under it. Default 10,000 ms. */
  closeTimeoutMs?: number
  /** Deadline of the commands that reset (or validate) a connection for its next borrower. Default 5,000 ms. */
  resetTimeoutMs?: number
  /**
   * Prepares each new connection before its first borrower (`SET ...`). What it sets is the
   * connection's baseline: when a release resets session state the hook runs again, so the
   * baseline survives. A hook that fails fails the connection's creation (ERR_CONNECTION_FAILED,
   * the error as `cause`), or after a reset destroys the connection.
   */
  onConnect?: (session: S) => unknown
}

export interface ResolvedPooledOptions<S> {
  pool: PoolOptions
  closeTimeoutMs: number
  resetTimeoutMs: number
  onConnect: ((session: S) => unknown) | undefined
}

/** The keys of PooledDriverOptions: everything else is a connection setting. */
export const POOLED_DRIVER_KEYS: readonly string[] = [
  'poolSize',
  'pool',
  'closeTimeoutMs',
  'resetTimeoutMs',
  'onConnect',
]

/**
 * The breaker in front of connection creation (docs/pool.md), tuned for a database: a restart
 * takes seconds, so the backoff starts at 500 ms and stops doubling at 5 s (the pool's generic
 * default goes to 30 s, which would keep a driver down long after the server is back).
 */
const DRIVER_BREAKER: CircuitBreakerOptions = { baseBackoffMs: 500, maxBackoffMs: 5000 }

/** `value`, checked to be a positive integer; `label` names the driver in the message. */
export function positiveInteger(label: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${label} option ${name} must be a positive integer`)
  }
  return value
}

/** Checks the pooled options at construction (DESIGN §4). */
export function resolvePooledOptions<S>(
  label: string,
  options: PooledDriverOptions<S>,
): ResolvedPooledOptions<S> {
  const pool = options.pool ?? {}
  if (typeof pool !== 'object' || pool === null) {
    throw new InvalidArgumentError(`${label} option pool must be an object`)
  }
  if (options.onConnect !== undefined && typeof options.onConnect !== 'function') {
    throw new InvalidArgumentError(`${label} option onConnect must be a function`)
  }
  return {
    pool: {
      ...pool,
      max: positiveInteger(label, 'poolSize', options.poolSize, 10),
      breaker: pool.breaker ?? DRIVER_BREAKER,
    },
    closeTimeoutMs: positiveInteger(label, 'closeTimeoutMs', options.closeTimeoutMs, 10_000),
    resetTimeoutMs: positiveInteger(label, 'resetTimeoutMs', options.resetTimeoutMs, 5000),
    onConnect: options.onConnect,
  }
}
