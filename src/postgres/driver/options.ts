import {
  POOLED_DRIVER_KEYS,
  type PooledDriverOptions,
  type ResolvedPooledOptions,
  resolvePooledOptions,
} from '../../driver/options.js'
import {
  type ResolvedSharingOptions,
  resolveSharingOptions,
  SHARING_KEYS,
  type SharingOptions,
} from '../../driver/sharing.js'
import { InvalidArgumentError } from '../../errors/classes.js'
import { parsePgUrl, resolvePgConfig, type SslMode } from '../config.js'
import { type PgConnectionSettings, validateSettings } from '../connection-options.js'
import type { Session } from './session.js'

/** Options of `new PostgresDriver(url | options)`: one connection's settings plus the pool's. */
export interface PostgresDriverOptions
  extends PgConnectionSettings,
    PooledDriverOptions<Session>,
    SharingOptions {
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

export interface ResolvedDriverOptions extends ResolvedPooledOptions<Session>, ResolvedSharingOptions {
  settings: PgConnectionSettings
}

const DRIVER_KEYS = new Set([...POOLED_DRIVER_KEYS, ...SHARING_KEYS, 'ssl'])

function sslmodeOf(ssl: PostgresDriverOptions['ssl'], sslmode: SslMode | undefined): SslMode | undefined {
  if (ssl === undefined) return sslmode
  if (sslmode !== undefined) throw new InvalidArgumentError('PostgresDriver: give ssl or sslmode, not both')
  if (ssl === true) return 'verify-full'
  if (ssl === false) return 'disable'
  if (typeof ssl === 'string') return ssl
  throw new InvalidArgumentError('PostgresDriver option ssl must be a boolean or an sslmode')
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
  return {
    ...resolvePooledOptions('PostgresDriver', merged),
    ...resolveSharingOptions('PostgresDriver', merged),
    settings: settings as PgConnectionSettings,
  }
}
