/**
 * `covet`: `connect(url)` picks the driver by URL scheme (DESIGN §1), plus the classes a driver user
 * needs first. JSON and crypto are imported from `covet/json` and `covet/crypto`: re-exporting them
 * here would load ajv and the native hashing modules into every program that only queries.
 */
import { InvalidArgumentError } from './errors/classes.js'
import type { MySqlDriverOptions } from './mysql/driver/options.js'
import { MySqlDriver } from './mysql/driver.js'
import type { PostgresDriverOptions } from './postgres/driver/options.js'
import { PostgresDriver } from './postgres/driver.js'

export { LruCache } from './cache/lru.js'
export { PreparedStatementCache } from './cache/statement-cache.js'
export {
  AuthenticationError,
  ConnectionError,
  InvalidArgumentError,
  PoolError,
  ProtocolError,
  QueryError,
} from './errors/classes.js'
export { CovetError, isCovetError } from './errors/covet-error.js'
export { DatabaseError } from './errors/database-error.js'
export { MySqlConnection } from './mysql/connection.js'
export type { MySqlDriverOptions } from './mysql/driver/options.js'
export { MySqlDriver } from './mysql/driver.js'
export { CircuitBreaker } from './pool/circuit-breaker.js'
export { ConnectionPool } from './pool/pool.js'
export { PgConnection } from './postgres/connection.js'
export type { PostgresDriverOptions } from './postgres/driver/options.js'
export { PostgresDriver } from './postgres/driver.js'
export { QueryBuilder } from './query/builder.js'

const POSTGRES_SCHEMES = new Set(['postgres', 'postgresql'])
const MYSQL_SCHEMES = new Set(['mysql', 'mariadb'])

type PostgresUrl = `postgres://${string}` | `postgresql://${string}`
type MySqlUrl = `mysql://${string}` | `mariadb://${string}`

/**
 * Opens a pooled driver for `url` and checks that one connection can be made, so a wrong host,
 * password or database fails here, with its own error, rather than at the first query.
 * `postgres://` and `postgresql://` give a PostgresDriver, `mysql://` and `mariadb://` a MySqlDriver.
 */
export function connect(url: PostgresUrl, options?: PostgresDriverOptions): Promise<PostgresDriver>
export function connect(url: MySqlUrl, options?: MySqlDriverOptions): Promise<MySqlDriver>
export function connect(
  url: string,
  options?: PostgresDriverOptions | MySqlDriverOptions,
): Promise<PostgresDriver | MySqlDriver>
export async function connect(
  url: string,
  options?: PostgresDriverOptions | MySqlDriverOptions,
): Promise<PostgresDriver | MySqlDriver> {
  if (typeof url !== 'string') throw new InvalidArgumentError('connect(url): url must be a string')
  const colon = url.indexOf(':')
  const scheme = colon < 0 ? '' : url.slice(0, colon).toLowerCase()
  let driver: PostgresDriver | MySqlDriver
  if (MYSQL_SCHEMES.has(scheme)) driver = new MySqlDriver(url, options as MySqlDriverOptions)
  else if (POSTGRES_SCHEMES.has(scheme)) driver = new PostgresDriver(url, options as PostgresDriverOptions)
  else {
    throw new InvalidArgumentError(
      `connect(): unknown URL scheme "${scheme}"; expected postgres://, postgresql://, mysql:// or mariadb://`,
    )
  }
  try {
    await driver.verifyConnection()
  } catch (error) {
    await driver.close()
    throw error
  }
  return driver
}
