import {
  positiveInteger as checkedInteger,
  POOLED_DRIVER_KEYS,
  type PooledDriverOptions,
  type ResolvedPooledOptions,
  resolvePooledOptions,
} from '../../driver/options.js'
import { InvalidArgumentError } from '../../errors/classes.js'
import { parsePgUrl, resolvePgConfig, type SslMode } from '../config.js'
import { type PgConnectionSettings, validateSettings } from '../connection-options.js'
import type { Session } from './session.js'

/** Options of `new PostgresDriver(url | options)`: one connection's settings plus the pool's. */
export interface PostgresDriverOptions extends PgConnectionSettings, PooledDriverOptions<Session> {
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
  /**
   * Which `execute()` statements may be shared (pipelined with other callers' statements):
   * 'auto' (default) those the driver proves session-neutral (one plain SELECT/VALUES/TABLE/WITH
   * calling only known built-ins) plus those passed `{ shareable: true }`; 'opt-in' only the
   * latter. See docs/postgres.md, "Sharing connections".
   */
  sharing?: 'auto' | 'opt-in'
  /**
   * Shorthand for `sslmode`, as `pg` users write it: `true` = 'verify-full' (certificate and
   * host name checked, like Node's TLS default), `false` = 'disable', or an sslmode by name.
   */
  ssl?: boolean | SslMode
  /**
   * Prepares each new connection before its first borrower (`SET application_name`, `SET
   * search_path`...). What it sets is the connection's baseline: when a release resets session
   * state (RESET ALL and the rest, see SessionTracker) the hook runs again, so the baseline
   * survives. A hook that fails fails the connection's creation (ERR_CONNECTION_FAILED, the
   * error as `cause`), or after a reset destroys the connection.
   */
  onConnect?: (session: Session) => unknown
}

export interface ResolvedDriverOptions extends ResolvedPooledOptions<Session> {
  settings: PgConnectionSettings
  pipelineDepth: number
  pipelineBeforeGrow: number
  sharing: 'auto' | 'opt-in'
}

const DRIVER_KEYS = new Set([...POOLED_DRIVER_KEYS, 'pipelineDepth', 'pipelineBeforeGrow', 'sharing', 'ssl'])

function sslmodeOf(ssl: PostgresDriverOptions['ssl'], sslmode: SslMode | undefined): SslMode | undefined {
  if (ssl === undefined) return sslmode
  if (sslmode !== undefined) throw new InvalidArgumentError('PostgresDriver: give ssl or sslmode, not both')
  if (ssl === true) return 'verify-full'
  if (ssl === false) return 'disable'
  if (typeof ssl === 'string') return ssl
  throw new InvalidArgumentError('PostgresDriver option ssl must be a boolean or an sslmode')
}

const positiveInteger = (name: string, value: unknown, fallback: number): number =>
  checkedInteger('PostgresDriver', name, value, fallback)

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
  const pooled = resolvePooledOptions('PostgresDriver', merged)
  const pipelineDepth = positiveInteger('pipelineDepth', merged.pipelineDepth, 32)
  const pipelineBeforeGrow = positiveInteger(
    'pipelineBeforeGrow',
    merged.pipelineBeforeGrow,
    Math.min(8, pipelineDepth),
  )
  if (pipelineBeforeGrow > pipelineDepth) {
    throw new InvalidArgumentError('PostgresDriver option pipelineBeforeGrow must not exceed pipelineDepth')
  }
  const sharing = merged.sharing ?? 'auto'
  if (sharing !== 'auto' && sharing !== 'opt-in') {
    throw new InvalidArgumentError("PostgresDriver option sharing must be 'auto' or 'opt-in'")
  }
  return { ...pooled, settings: settings as PgConnectionSettings, pipelineDepth, pipelineBeforeGrow, sharing }
}
