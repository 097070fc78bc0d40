/**
 * `covet`: `connect(url)` picks the driver by URL scheme (DESIGN §1), plus the classes a driver user
 * needs first. JSON and crypto are imported from `covet/json` and `covet/crypto`: re-exporting them
 * here would load ajv and the native hashing modules into every program that only queries.
 */
import { InvalidArgumentError } from './errors/classes.js'
import { CovetError } from './errors/covet-error.js'
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
export { CircuitBreaker } from './pool/circuit-breaker.js'
export { ConnectionPool } from './pool/pool.js'
export { PgConnection } from './postgres/connection.js'
export type { PostgresDriverOptions } from './postgres/driver/options.js'
export { PostgresDriver } from './postgres/driver.js'
export { QueryBuilder } from './query/builder.js'

const POSTGRES_SCHEMES = new Set(['postgres', 'postgresql'])
const MYSQL_SCHEMES = new Set(['mysql', 'mariadb'])

/**
 * Opens a pooled driver for `url` and checks that one connection can be made, so a wrong host,
 * password or database fails here, with its own error, rather than at the first query.
 * `postgres://` and `postgresql://` give a PostgresDriver; `mysql://` and `mariadb://` are refused with ERR_UNSUPPORTED until the MySQL
 * driver lands.
 */
export async function connect(url: string, options?: PostgresDriverOptions): Promise<PostgresDriver> {
  if (typeof url !== 'string') throw new InvalidArgumentError('connect(url): url must be a string')
  const colon = url.indexOf(':')
  const scheme = colon < 0 ? '' : url.slice(0, colon).toLowerCase()
  if (MYSQL_SCHEMES.has(scheme)) {
    throw new CovetError(
      'ERR_UNSUPPORTED',
      `connect(): ${scheme}:// is not supported yet: covet has no MySQL/MariaDB driver in this version`,
    )
  }
  if (!POSTGRES_SCHEMES.has(scheme)) {
    throw new InvalidArgumentError(
      `connect(): unknown URL scheme "${scheme}"; expected postgres://, postgresql://, mysql:// or mariadb://`,
    )
  }
  const driver = new PostgresDriver(url, options)
  try {
    await driver.verifyConnection()
  } catch (error) {
    await driver.close()
    throw error
  }
  return driver
}
