import { setTimeout as sleep } from 'node:timers/promises'
import { InvalidArgumentError, QueryError } from '../../errors/classes.js'
import { DatabaseError } from '../../errors/database-error.js'
import type { PgConnection } from '../connection.js'
import type { QueryResult } from '../query-handlers.js'
import type { DriverCounters } from './metrics.js'
import { type QueryInput, toQuery } from './query-input.js'
import { Session } from './session.js'

export type IsolationLevel = 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable'

export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  maxAttempts?: number
  /** First backoff; doubles per attempt, with full jitter. Default 20 ms. */
  baseDelayMs?: number
  /** Cap of the backoff. Default 1,000 ms. */
  maxDelayMs?: number
}

export interface TransactionOptions {
  isolation?: IsolationLevel
  readOnly?: boolean
  deferrable?: boolean
  /**
   * Re-run the whole callback on serialization failure (40001) or deadlock (40P01), the errors
   * PostgreSQL's docs say to retry (§13.4, "Serialization Failure Handling"); `true` = defaults.
   */
  retry?: boolean | number | RetryOptions
  signal?: AbortSignal
}

/** One statement of an atomic batch: text with parameters, a sql`` fragment or a builder. */
export type BatchStatement = QueryInput | readonly [string, (readonly unknown[])?]

const ISOLATION = new Set<IsolationLevel>([
  'read uncommitted',
  'read committed',
  'repeatable read',
  'serializable',
])
const RETRYABLE = new Set(['40001', '40P01'])

export function beginSql(options: TransactionOptions): string {
  let sql = 'BEGIN'
  if (options.isolation !== undefined) {
    if (!ISOLATION.has(options.isolation)) {
      throw new InvalidArgumentError(`isolation must be one of: ${[...ISOLATION].join(', ')}`)
    }
    sql += ` ISOLATION LEVEL ${options.isolation.toUpperCase()}`
  }
  if (options.readOnly !== undefined) sql += options.readOnly ? ' READ ONLY' : ' READ WRITE'
  if (options.deferrable !== undefined) sql += options.deferrable ? ' DEFERRABLE' : ' NOT DEFERRABLE'
  return sql
}

export function retryPolicy(retry: TransactionOptions['retry']): Required<RetryOptions> {
  const defaults = { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 1000 }
  if (retry === undefined || retry === false) return { ...defaults, maxAttempts: 1 }
  if (retry === true) return defaults
  if (typeof retry === 'number') {
    if (!Number.isSafeInteger(retry) || retry < 0)
      throw new InvalidArgumentError('retry must be a count >= 0')
    return { ...defaults, maxAttempts: retry + 1 }
  }
  const policy = { ...defaults, ...retry }
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isSafeInteger(value) || value < (name === 'maxAttempts' ? 1 : 0)) {
      throw new InvalidArgumentError(`retry.${name} must be a non-negative integer`)
    }
  }
  return policy
}

export function isRetryable(error: unknown): boolean {
  return error instanceof DatabaseError && RETRYABLE.has(error.sqlState ?? '')
}

/** Sleeps the attempt's backoff: random in [0, min(max, base * 2^attempt)] ("full jitter"). */
export function backoff(
  policy: Required<RetryOptions>,
  attempt: number,
  signal?: AbortSignal,
): Promise<void> {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
  return sleep(Math.random() * ceiling, undefined, signal === undefined ? {} : { signal }).catch((cause) => {
    throw new QueryError('ERR_QUERY_CANCELLED', 'the transaction retry was aborted by its signal', { cause })
  })
}

/** The `tx` a transaction callback receives: statements on the transaction's connection. */
export class Transaction extends Session {
  readonly #counters: DriverCounters
  readonly #depth: number

  constructor(connection: PgConnection, counters: DriverCounters, depth = 0) {
    super(connection, counters)
    this.#counters = counters
    this.#depth = depth
  }

  /** A nested transaction: a SAVEPOINT, released on return, rolled back to on throw. */
  async transaction<R>(fn: (tx: Transaction) => R | Promise<R>): Promise<R> {
    this.check()
    if (typeof fn !== 'function') throw new InvalidArgumentError('tx.transaction(fn): fn must be a function')
    const name = `covet_sp_${this.#depth + 1}`
    const conn = this.connection
    await conn.query(`SAVEPOINT ${name}`, [], { simple: true })
    const inner = new Transaction(conn, this.#counters, this.#depth + 1)
    try {
      const result = await fn(inner)
      await conn.query(`RELEASE SAVEPOINT ${name}`, [], { simple: true })
      return result
    } catch (error) {
      if (!conn.closed)
        await conn.query(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`, [], { simple: true })
      throw error
    } finally {
      inner.end('nested transaction has ended')
    }
  }

  end(why: string): void {
    this.ended = why
  }
}

/** BEGIN, the callback, COMMIT; ROLLBACK when the callback throws (or the connection decides). */
export async function runTransaction<R>(
  conn: PgConnection,
  counters: DriverCounters,
  fn: (tx: Transaction) => R | Promise<R>,
  begin: string,
): Promise<R> {
  await conn.query(begin, [], { simple: true })
  const tx = new Transaction(conn, counters)
  let result: R
  try {
    result = await fn(tx)
  } catch (error) {
    tx.end('transaction has ended')
    counters.transactions.rolledBack++
    if (!conn.closed) await conn.query('ROLLBACK', [], { simple: true }).catch(() => {})
    throw error
  }
  tx.end('transaction has ended')
  await commit(conn, counters)
  return result
}

async function commit(conn: PgConnection, counters: DriverCounters): Promise<void> {
  const done = await conn.query('COMMIT', [], { simple: true })
  // COMMIT of a failed transaction (a statement error the callback caught) rolls back (§ COMMIT).
  if (done.command === 'ROLLBACK') {
    counters.transactions.rolledBack++
    throw new DatabaseError('the transaction was rolled back: a statement in it failed', {
      sqlState: '25P02',
      sqlStateName: 'in_failed_sql_transaction',
    })
  }
  counters.transactions.committed++
}

/**
 * The seed's atomic batch: BEGIN, every statement and COMMIT written at once (one round trip
 * when the statements are already prepared), each with its own Sync. After a failure the server
 * refuses the rest (25P02) and turns COMMIT into a rollback, so nothing of the batch remains.
 * Rejects with the first statement's error.
 */
export async function runBatch(
  conn: PgConnection,
  counters: DriverCounters,
  statements: readonly BatchStatement[],
  begin: string,
): Promise<QueryResult<Record<string, unknown>>[]> {
  const queries = statements.map((s) =>
    Array.isArray(s)
      ? toQuery(s[0] as string, (s[1] as unknown[] | undefined) ?? [])
      : toQuery(s as QueryInput, undefined),
  )
  const pending = [
    conn.query(begin, [], { simple: true }),
    ...queries.map((q) => {
      conn.session.observeSql(q.sql)
      return counters.observe(conn.query(q.sql, q.params))
    }),
    conn.query('COMMIT', [], { simple: true }),
  ]
  const settled = await Promise.allSettled(pending)
  const failure = settled.find((s) => s.status === 'rejected')
  if (failure !== undefined) {
    counters.transactions.rolledBack++
    if (!conn.closed && conn.transactionStatus !== 'I')
      await conn.query('ROLLBACK', [], { simple: true }).catch(() => {})
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
