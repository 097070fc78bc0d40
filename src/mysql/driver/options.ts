import {
  POOLED_DRIVER_KEYS,
  type PooledDriverOptions,
  positiveInteger,
  type ResolvedPooledOptions,
  resolvePooledOptions,
} from '../../driver/options.js'
import { InvalidArgumentError } from '../../errors/classes.js'
import { parseMySqlUrl, resolveMySqlConfig } from '../config.js'
import { type MySqlConnectionSettings, validateSettings } from '../connection-options.js'
import type { MySqlSession } from './session.js'

/** Options of `new MySqlDriver(url | options)`: one connection's settings plus the pool's. */
export interface MySqlDriverOptions extends MySqlConnectionSettings, PooledDriverOptions<MySqlSession> {
  /**
   * Prepares each new connection before its first borrower (`SET SESSION sql_mode = ...`). What
   * it sets is the connection's baseline: when a release resets the session
   * (COM_RESET_CONNECTION, after a borrower may have changed it) the hook runs again. A hook that
   * fails fails the connection's creation (ERR_CONNECTION_FAILED, the error as `cause`), or after
   * a reset destroys the connection.
   */
  onConnect?: (session: MySqlSession) => unknown
  /**
   * Shareable statements one connection may have in flight before the driver prefers to wait for
   * another connection. Default 32.
   */
  pipelineDepth?: number
  /** Shareable statements pipelined on one connection before the driver opens another. Default 8. */
  pipelineBeforeGrow?: number
  /**
   * Which statements may be pipelined on a connection other callers use (docs/mysql.md, "Sharing
   * connections"). `'auto'` (default): those the driver proves session-neutral (a plain SELECT of
   * built-ins: `shareable.ts`) and those passed `{ shareable: true }`; `'opt-in'`: only the latter.
   */
  sharing?: 'auto' | 'opt-in'
}

export interface ResolvedMySqlDriverOptions extends ResolvedPooledOptions<MySqlSession> {
  settings: MySqlConnectionSettings
  pipelineDepth: number
  pipelineBeforeGrow: number
  sharing: 'auto' | 'opt-in'
}

const DRIVER_KEYS = new Set([...POOLED_DRIVER_KEYS, 'pipelineDepth', 'pipelineBeforeGrow', 'sharing'])

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
  const pipelineDepth = positiveInteger('MySqlDriver', 'pipelineDepth', merged.pipelineDepth, 32)
  const pipelineBeforeGrow = positiveInteger(
    'MySqlDriver',
    'pipelineBeforeGrow',
    merged.pipelineBeforeGrow,
    Math.min(8, pipelineDepth),
  )
  if (pipelineBeforeGrow > pipelineDepth) {
    throw new InvalidArgumentError('MySqlDriver option pipelineBeforeGrow must not exceed pipelineDepth')
  }
  const sharing = merged.sharing ?? 'auto'
  if (sharing !== 'auto' && sharing !== 'opt-in') {
    throw new InvalidArgumentError("MySqlDriver option sharing must be 'auto' or 'opt-in'")
  }
  return {
    ...resolvePooledOptions('MySqlDriver', merged),
    settings: settings as MySqlConnectionSettings,
    pipelineDepth,
    pipelineBeforeGrow,
    sharing,
  }
}
