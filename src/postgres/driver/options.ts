import { InvalidArgumentError } from '../../errors/classes.js'
import type { CircuitBreakerOptions } from '../../pool/circuit-breaker.js'
import type { PoolOptions } from '../../pool/pool-options.js'
import { parsePgUrl, resolvePgConfig, type SslMode } from '../config.js'
import { type PgConnectionSettings, validateSettings } from '../connection-options.js'

/** Options of `new PostgresDriver(url | options)`: one connection's settings plus the pool's. */
export interface PostgresDriverOptions extends PgConnectionSettings {
  /** Most connections open at once. Default 10. */
  poolSize?: number
  /** The pool's other options (docs/pool.md); `max` comes from `poolSize`. */
  pool?: Omit<PoolOptions, 'max'>
  /**
   * Statements one connection may have in flight for `execute()` before the driver prefers to
   * wait for another connection: plain statements from different callers are pipelined on a
   * borrowed connection (postgres.js does the same) when every connection is busy. Default 32; 1
   * turns it off (one statement per connection at a time, like `pg`'s pool).
   */
  pipelineDepth?: number
  /**
   * Shareable statements pipelined on one connection before the driver opens another, while the
   * pool could still grow. Default 8: measured on 2 cores (docs/benchmarks.md), 8 statements in
   * one backend cost the server less than one each in 8 backends (32 callers: 1.24–1.31x
   * postgres.js's single pipelined connection, against 0.93x when spreading first). The price is
   * head-of-line blocking: a slow statement delays up to 7 behind it. 1 spreads callers over the
   * pool first (best for a many-core server with slow queries). At most `pipelineDepth`.
   */
  pipelineBeforeGrow?: number
  /** How long `close()` waits for in-flight work before closing connections under it. Default 10,000 ms. */
  closeTimeoutMs?: number
  /** Deadline of the statements that reset a dirty connection on release. Default 5,000 ms. */
  resetTimeoutMs?: number
  /**
   * Shorthand for `sslmode`, as `pg` users write it: `true` = 'verify-full' (certificate and
   * host name checked, like Node's TLS default), `false` = 'disable', or an sslmode by name.
   */
  ssl?: boolean | SslMode
}

export interface ResolvedDriverOptions {
  settings: PgConnectionSettings
  pool: PoolOptions
  pipelineDepth: number
  pipelineBeforeGrow: number
  closeTimeoutMs: number
  resetTimeoutMs: number
}

/**
 * The breaker in front of connection creation (docs/pool.md), tuned for a database: a restart
 * takes seconds, so the backoff starts at 500 ms and stops doubling at 5 s (the pool's generic
 * default goes to 30 s, which would keep a driver down long after the server is back).
 */
const DRIVER_BREAKER: CircuitBreakerOptions = { baseBackoffMs: 500, maxBackoffMs: 5000 }

const DRIVER_KEYS = new Set([
  'poolSize',
  'pool',
  'pipelineDepth',
  'pipelineBeforeGrow',
  'closeTimeoutMs',
  'resetTimeoutMs',
  'ssl',
])

function sslmodeOf(ssl: PostgresDriverOptions['ssl'], sslmode: SslMode | undefined): SslMode | undefined {
  if (ssl === undefined) return sslmode
  if (sslmode !== undefined) throw new InvalidArgumentError('PostgresDriver: give ssl or sslmode, not both')
  if (ssl === true) return 'verify-full'
  if (ssl === false) return 'disable'
  if (typeof ssl === 'string') return ssl
  throw new InvalidArgumentError('PostgresDriver option ssl must be a boolean or an sslmode')
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`PostgresDriver option ${name} must be a positive integer`)
  }
  return value
}

/** Checks everything at construction (DESIGN §4), including the connection settings. */
export function resolveDriverOptions(
  input: string | PostgresDriverOptions,
  extra: PostgresDriverOptions = {},
): ResolvedDriverOptions {
  if (typeof input !== 'string' && (typeof input !== 'object' || input === null)) {
    throw new InvalidArgumentError('PostgresDriver takes a postgres:// URL or an options object')
  }
  const merged: PostgresDriverOptions =
    typeof input === 'string' ? { ...parsePgUrl(input), ...extra } : { ...input, ...extra }
  const settings: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(merged)) if (!DRIVER_KEYS.has(key)) settings[key] = value
  const sslmode = sslmodeOf(merged.ssl, merged.sslmode)
  if (sslmode !== undefined) settings.sslmode = sslmode
  validateSettings(settings as PgConnectionSettings)
  resolvePgConfig(settings as PgConnectionSettings)
  const pool = merged.pool ?? {}
  if (typeof pool !== 'object' || pool === null) {
    throw new InvalidArgumentError('PostgresDriver option pool must be an object')
  }
  const pipelineDepth = positiveInteger('pipelineDepth', merged.pipelineDepth, 32)
  const pipelineBeforeGrow = positiveInteger(
    'pipelineBeforeGrow',
    merged.pipelineBeforeGrow,
    Math.min(8, pipelineDepth),
  )
  if (pipelineBeforeGrow > pipelineDepth) {
    throw new InvalidArgumentError('PostgresDriver option pipelineBeforeGrow must not exceed pipelineDepth')
  }
  return {
    settings: settings as PgConnectionSettings,
    pool: {
      ...pool,
      max: positiveInteger('poolSize', merged.poolSize, 10),
      breaker: pool.breaker ?? DRIVER_BREAKER,
    },
    pipelineDepth,
    pipelineBeforeGrow,
    closeTimeoutMs: positiveInteger('closeTimeoutMs', merged.closeTimeoutMs, 10_000),
    resetTimeoutMs: positiveInteger('resetTimeoutMs', merged.resetTimeoutMs, 5000),
  }
}
