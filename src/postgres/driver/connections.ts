import type { PreparedStatementCache } from '../../cache/statement-cache.js'
import { DriverConnections, onConnectHook } from '../../driver/connections.js'
import type { ConnectionDialect } from '../../driver/contract.js'
import type { DriverCounters } from '../../driver/metrics.js'
import { PgConnection, type SharedState } from '../connection.js'
import { type StatementMetadata, sharedStatementCache } from '../statement-cache.js'
import { isTransientConnectError } from './connect-errors.js'
import type { ResolvedDriverOptions } from './options.js'
import { ReservedConnection } from './reserved.js'

/**
 * PostgreSQL's side of the pooled connections (src/driver/connections.ts): the SessionTracker of
 * each connection says what a borrower changed, undone in one simple-protocol round trip; an idle
 * socket that died shows as closed, nothing else is worth a round trip on borrow.
 */
export const PG_CONNECTIONS: Omit<ConnectionDialect<PgConnection>, 'connect'> = {
  validate: (conn) => !conn.closed,
  // An empty query queued behind the pending ones completes when they have.
  settle: (conn, timeoutMs) => conn.query('', [], { simple: true, timeoutMs }),
  resetPlan(conn) {
    const tracker = conn.session
    const reset = tracker.resetSql(conn.transactionStatus)
    return {
      undo: reset === '' ? undefined : (timeoutMs) => conn.query(reset, [], { simple: true, timeoutMs }),
      // RESET ALL, DISCARD TEMP... (or the borrower's own RESET) may undo what onConnect set.
      baselineLost: tracker.dirty || tracker.undone,
    }
  },
  inTransaction: (conn) => conn.transactionStatus !== 'I',
  clearChanges: (conn) => conn.session.clear(),
  isTransientConnectError,
}

/** The driver's pool of PgConnections, with the L2 statement cache every connection shares. */
export function pgConnections(
  options: ResolvedDriverOptions,
  counters: DriverCounters,
): { connections: DriverConnections<PgConnection>; statements: PreparedStatementCache<StatementMetadata> } {
  const settings = options.settings
  const statements = sharedStatementCache(settings.statementCacheSize, settings.statementCacheBytes)
  const shared: SharedState = { statements }
  const connections = new DriverConnections<PgConnection>(
    {
      pool: options.pool,
      pipelineDepth: options.pipelineDepth,
      pipelineBeforeGrow: options.pipelineBeforeGrow,
      resetTimeoutMs: options.resetTimeoutMs,
      onConnect: onConnectHook(options.onConnect, (conn) => new ReservedConnection(conn, counters, () => {})),
    },
    counters,
    { ...PG_CONNECTIONS, connect: () => PgConnection.connect(settings, shared) },
  )
  return { connections, statements }
}
