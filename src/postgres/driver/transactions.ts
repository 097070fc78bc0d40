import type { TransactionDialect } from '../../driver/contract.js'
import type { DriverCounters } from '../../driver/metrics.js'
import type { BuiltQuery } from '../../driver/query-input.js'
import {
  type BaseTransactionOptions,
  type EndableSession,
  isolationLevelSql,
  rollback,
  runSavepoint,
} from '../../driver/transactions.js'
import { DatabaseError } from '../../errors/database-error.js'
import type { PgConnection } from '../connection.js'
import type { QueryBatch } from '../pending-query.js'
import type { QueryResult } from '../query-handlers.js'
import { Session } from './session.js'

export type { IsolationLevel } from '../../driver/transactions.js'

/**
 * `retry` re-runs the whole callback on serialization failure (40001) or deadlock (40P01), the
 * errors PostgreSQL's docs say to retry (§13.4, "Serialization Failure Handling").
 */
export interface TransactionOptions extends BaseTransactionOptions {
  deferrable?: boolean
}

const RETRYABLE = new Set(['40001', '40P01'])

export function beginSql(options: TransactionOptions): string {
  let sql = 'BEGIN'
  if (options.isolation !== undefined) sql += ` ${isolationLevelSql(options.isolation)}`
  if (options.readOnly !== undefined) sql += options.readOnly ? ' READ ONLY' : ' READ WRITE'
  if (options.deferrable !== undefined) sql += options.deferrable ? ' DEFERRABLE' : ' NOT DEFERRABLE'
  return sql
}

export function isRetryable(error: unknown): boolean {
  return error instanceof DatabaseError && RETRYABLE.has(error.sqlState ?? '')
}

/** Transaction control over the simple protocol; several statements go as one text (one round trip). */
export const PG_TRANSACTIONS: TransactionDialect<PgConnection> = {
  control: (conn, statements) => conn.query(statements.join('; '), [], { simple: true }),
  async commit(conn) {
    const done = await conn.query('COMMIT', [], { simple: true })
    // COMMIT of a failed transaction (a statement error the callback caught) rolls back (§ COMMIT).
    if (done.command !== 'ROLLBACK') return undefined
    return new DatabaseError('the transaction was rolled back: a statement in it failed', {
      sqlState: '25P02',
      sqlStateName: 'in_failed_sql_transaction',
    })
  },
  inTransaction: (conn) => conn.transactionStatus !== 'I',
  isRetryable,
}

/** The `tx` a transaction callback receives: statements on the transaction's connection. */
export class Transaction extends Session implements EndableSession {
  readonly #depth: number

  constructor(connection: PgConnection, counters: DriverCounters, depth = 0) {
    super(connection, counters)
    this.#depth = depth
  }

  /** A nested transaction: a SAVEPOINT, released on return, rolled back to on throw. */
  async transaction<R>(fn: (tx: Transaction) => R | Promise<R>): Promise<R> {
    this.check()
    const inner = new Transaction(this.connection, this.counters, this.#depth + 1)
    return runSavepoint(this.connection, PG_TRANSACTIONS, this.#depth + 1, inner, fn)
  }

  end(why: string): void {
    this.ended = why
  }
}

/**
 * The seed's atomic batch: BEGIN, every statement and COMMIT written at once (one round trip
 * when the statements are already prepared), each with its own Sync. All share a QueryBatch:
 * once one fails — on the server, or before it is written (a value that cannot be encoded, the
 * wrong parameter count, a NUL in the text) — the statements behind it that are not yet written,
 * COMMIT included, never are (issue 14: a statement skipped client-side must not let the rest
 * commit). The server, for its part, refuses the rest after an error (25P02) and turns a COMMIT
 * already written into a rollback. Then ROLLBACK, so nothing of the batch remains. Rejects with
 * the first statement's error.
 */
export async function runBatch(
  conn: PgConnection,
  counters: DriverCounters,
  queries: readonly BuiltQuery[],
  begin: string,
): Promise<QueryResult<Record<string, unknown>>[]> {
  const batch: QueryBatch = {}
  const pending = [
    conn.query(begin, [], { simple: true, batch }),
    ...queries.map((q) => {
      conn.session.observeSql(q.sql)
      return counters.observe(conn.query(q.sql, q.params, { batch }))
    }),
    conn.query('COMMIT', [], { simple: true, batch }),
  ]
  const settled = await Promise.allSettled(pending)
  const failure = settled.find((s) => s.status === 'rejected')
  if (failure !== undefined) {
    counters.transactions.rolledBack++
    await rollback(conn, PG_TRANSACTIONS)
    throw (failure as PromiseRejectedResult).reason
  }
  const results = settled.map(
    (s) => (s as PromiseFulfilledResult<QueryResult<Record<string, unknown>>>).value,
  )
  if (results.at(-1)!.command === 'ROLLBACK') {
    counters.transactions.rolledBack++
    throw new DatabaseError('the batch was rolled back', { sqlState: '25P02' })
  }
  counters.transactions.committed++
  return results.slice(1, -1)
}
