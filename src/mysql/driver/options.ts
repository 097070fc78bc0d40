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
import { parseMySqlUrl, resolveMySqlConfig } from '../config.js'
import { type MySqlConnectionSettings, validateSettings } from '../connection-options.js'
import type { MySqlSession } from './session.js'

/** Options of `new MySqlDriver(url | options)`: one connection's settings plus the pool's. */
export interface MySqlDriverOptions
  extends MySqlConnectionSettings,
    PooledDriverOptions<MySqlSession>,
    SharingOptions {
  /**
   * Prepares each new connection before its first borrower (`SET SESSION sql_mode = ...`). What
   * it sets is the connection's baseline: when a release resets the session
   * (COM_RESET_CONNECTION, after a borrower may have changed it) the hook runs again. A hook that
   * fails fails the connection's creation (ERR_CONNECTION_FAILED, the error as `cause`), or after
   * a reset destroys the connection.
   */
  onConnect?: (session: MySqlSession) => unknown
}

export interface ResolvedMySqlDriverOptions
  extends ResolvedPooledOptions<MySqlSession>,
    ResolvedSharingOptions {
  settings: MySqlConnectionSettings
}

const DRIVER_KEYS = new Set([...POOLED_DRIVER_KEYS, ...SHARING_KEYS])

/** Checks everything at construction (DESIGN §4), including the connection settings. */
export function resolveMySqlDriverOptions(
  input: string | MySqlDriverOptions,
  extra: MySqlDriverOptions = {},
): ResolvedMySqlDriverOptions {
  if (typeof input !== 'string' && (typeof input !== 'object' || input === null)) {
    throw new InvalidArgumentError('MySqlDriver takes a mysql:// or mariadb:// URL or an options object')
  }
  if (typeof extra !== 'object' || extra === null) {
    throw new InvalidArgumentError('MySqlDriver options must be an object')
  }
  const merged: MySqlDriverOptions =
    typeof input === 'string' ? { ...parseMySqlUrl(input), ...extra } : { ...input, ...extra }
  const settings: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(merged)) if (!DRIVER_KEYS.has(key)) settings[key] = value
  validateSettings(settings as MySqlConnectionSettings)
  resolveMySqlConfig(settings as MySqlConnectionSettings)
  return {
    ...resolvePooledOptions('MySqlDriver', merged),
    ...resolveSharingOptions('MySqlDriver', merged),
    settings: settings as MySqlConnectionSettings,
  }
}
