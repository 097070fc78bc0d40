import type { PreparedStatementCache } from '../../cache/statement-cache.js'
import { isTransientConnectError } from '../../driver/connect-errors.js'
import { DriverConnections, onConnectHook } from '../../driver/connections.js'
import type { ConnectionDialect } from '../../driver/contract.js'
import type { DriverCounters } from '../../driver/metrics.js'
import type { DatabaseError } from '../../errors/database-error.js'
import { MySqlConnection, type SharedState } from '../connection.js'
import { type PreparedStatement, privateStatementCache } from '../statements.js'
import { SESSION_STATE } from './dialect.js'
import type { ResolvedMySqlDriverOptions } from './options.js'
import { MySqlReservedConnection } from './session.js'

/**
 * Errors a server sends instead of a session that may pass by themselves: ER_CON_COUNT_ERROR
 * (1040, max_connections), ER_TOO_MANY_USER_CONNECTIONS (1203), ER_SERVER_SHUTDOWN (1053),
 * ER_CONNECTION_KILLED (1927). ER_HOST_IS_BLOCKED (1129), ER_HOST_NOT_PRIVILEGED (1130), an
 * unknown database (1049) and the rest will not.
 */
const TRANSIENT_ERRNOS = new Set([1040, 1053, 1203, 1927])

const transientServerError = (error: DatabaseError): boolean => TRANSIENT_ERRNOS.has(error.errno ?? 0)

/**
 * MySQL's side of the pooled connections (src/driver/connections.ts):
 *
 * - A connection that idled is pinged (COM_PING) before it is lent: the server ends sessions idle
 *   past wait_timeout, and a socket it closed may not show as closed yet.
 * - On release, a session a borrower may have changed (MySqlSessionState) is reset with
 *   COM_RESET_CONNECTION: rollback, temporary tables, user variables, named locks, prepared
 *   statements and session variables all go, then covet's session set-up runs again.
 * - A command still pending at release is waited for with a COM_PING behind it.
 */
export function mysqlConnectionDialect(
  connect: () => Promise<MySqlConnection>,
  validateTimeoutMs: number,
): ConnectionDialect<MySqlConnection> {
  return {
    connect,
    validate: (conn) =>
      !conn.closed &&
      conn.ping({ timeoutMs: validateTimeoutMs }).then(
        () => true,
        () => false,
      ),
    settle: (conn, timeoutMs) => conn.ping({ timeoutMs }),
    resetPlan(conn) {
      const dirty = SESSION_STATE.dirty(conn)
      return { undo: dirty ? (timeoutMs) => resetWithin(conn, timeoutMs) : undefined, baselineLost: dirty }
    },
    inTransaction: (conn) => conn.inTransaction,
    clearChanges: (conn) => SESSION_STATE.clear(conn),
    isTransientConnectError: (error) => isTransientConnectError(error, transientServerError),
  }
}

/** COM_RESET_CONNECTION has no timeout of its own: past the deadline the connection is closed. */
function resetWithin(conn: MySqlConnection, timeoutMs: number): Promise<void> {
  const timer = setTimeout(() => void conn.close(), timeoutMs)
  return conn.reset().finally(() => clearTimeout(timer))
}

/** The driver's pool of MySqlConnections, with the L2 statement cache every connection shares. */
export function mysqlConnections(
  options: ResolvedMySqlDriverOptions,
  counters: DriverCounters,
): {
  connections: DriverConnections<MySqlConnection>
  statements: PreparedStatementCache<PreparedStatement>
} {
  const settings = options.settings
  const statements = privateStatementCache(
    settings.statementCacheSize ?? 256,
    settings.statementCacheBytes ?? 4 * 1024 * 1024,
  )
  const shared: SharedState = { statements }
  const connections = new DriverConnections<MySqlConnection>(
    {
      pool: options.pool,
      pipelineDepth: options.pipelineDepth,
      pipelineBeforeGrow: options.pipelineBeforeGrow,
      resetTimeoutMs: options.resetTimeoutMs,
      onConnect: onConnectHook(
        options.onConnect,
        (conn) => new MySqlReservedConnection(conn, counters, () => {}),
      ),
    },
    counters,
    mysqlConnectionDialect(() => MySqlConnection.connect(settings, shared), options.resetTimeoutMs),
  )
  return { connections, statements }
}
