import { setTimeout as sleep } from 'node:timers/promises'
import { InvalidArgumentError, QueryError } from '../errors/classes.js'
import type { DriverConnection, QueryDialect, TransactionDialect } from './contract.js'
import type { DriverCounters } from './metrics.js'
import { type BuiltQuery, type QueryInput, toQuery } from './query-input.js'

export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  maxAttempts?: number
  /** First backoff; doubles per attempt, with full jitter. Default 20 ms. */
  baseDelayMs?: number
  /** Cap of the backoff. Default 1,000 ms. */
  maxDelayMs?: number
}

/** The SQL standard's isolation levels, named as both servers take them (PostgreSQL §13.2, MySQL 8.4 manual 15.3.7). */
export type IsolationLevel = 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable'

const ISOLATION_LEVELS: ReadonlySet<string> = new Set<IsolationLevel>([
  'read uncommitted',
  'read committed',
  'repeatable read',
  'serializable',
])

/** `ISOLATION LEVEL READ COMMITTED` for 'read committed'; ERR_INVALID_ARGUMENT for anything else. */
export function isolationLevelSql(level: unknown): string {
  if (typeof level !== 'string' || !ISOLATION_LEVELS.has(level)) {
    throw new InvalidArgumentError(`isolation must be one of: ${[...ISOLATION_LEVELS].join(', ')}`)
  }
  return `ISOLATION LEVEL ${level.toUpperCase()}`
}

/** What every driver's `transaction()` takes; a dialect adds its own characteristics. */
export interface BaseTransactionOptions {
  isolation?: IsolationLevel
  readOnly?: boolean
  /** Re-run the whole transaction on the dialect's retryable errors; `true` = defaults. */
  retry?: boolean | number | RetryOptions
  signal?: AbortSignal
}

/** One statement of an atomic batch: text with parameters, a sql`` fragment or a builder. */
export type BatchStatement = QueryInput | readonly [string, (readonly unknown[])?]

/** What a transaction callback's `tx` must offer the runner: it is ended when the transaction is. */
export interface EndableSession {
  end(why: string): void
}

export function retryPolicy(retry: boolean | number | RetryOptions | undefined): Required<RetryOptions> {
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

/** BEGIN (the dialect's statements), the callback, COMMIT; ROLLBACK when the callback throws. */
export async function runTransaction<C extends DriverConnection, Tx extends EndableSession, R>(
  conn: C,
  counters: DriverCounters,
  dialect: TransactionDialect<C>,
  begin: readonly string[],
  tx: Tx,
  fn: (tx: Tx) => R | Promise<R>,
): Promise<R> {
  await dialect.control(conn, begin)
  let result: R
  try {
    result = await fn(tx)
  } catch (error) {
    tx.end('transaction has ended')
    counters.transactions.rolledBack++
    await rollback(conn, dialect)
    throw error
  }
  tx.end('transaction has ended')
  // COMMIT of a failed transaction rolls back (PostgreSQL: a statement error the callback caught).
  const refused = await dialect.commit(conn)
  if (refused !== undefined) {
    counters.transactions.rolledBack++
    throw refused
  }
  counters.transactions.committed++
  return result
}

/**
 * A nested transaction: SAVEPOINT, the callback, RELEASE on return, ROLLBACK TO on throw. A
 * server that has already ended the whole transaction (MySQL rolls back all of it on a deadlock)
 * has no savepoint left: the callback's error is what the caller needs, so it is thrown as is.
 */
export async function runSavepoint<C extends DriverConnection, Tx extends EndableSession, R>(
  conn: C,
  dialect: TransactionDialect<C>,
  depth: number,
  inner: Tx,
  fn: (tx: Tx) => R | Promise<R>,
): Promise<R> {
  if (typeof fn !== 'function') throw new InvalidArgumentError('tx.transaction(fn): fn must be a function')
  const name = `covet_sp_${depth}`
  await dialect.control(conn, [`SAVEPOINT ${name}`])
  try {
    const result = await fn(inner)
    await dialect.control(conn, [`RELEASE SAVEPOINT ${name}`])
    return result
  } catch (error) {
    if (!conn.closed && (await dialect.inTransaction(conn))) {
      await dialect.control(conn, [`ROLLBACK TO SAVEPOINT ${name}`, `RELEASE SAVEPOINT ${name}`])
    }
    throw error
  } finally {
    inner.end('nested transaction has ended')
  }
}

/**
 * ROLLBACK after a failure. One that fails leaves the session in an unknown state: the connection
 * is closed, so the pool destroys it instead of handing it out again.
 */
export async function rollback<C extends DriverConnection>(
  conn: C,
  dialect: TransactionDialect<C>,
): Promise<void> {
  if (conn.closed || !(await dialect.inTransaction(conn))) return
  try {
    await dialect.control(conn, ['ROLLBACK'])
  } catch {
    await conn.close()
  }
}

/** The statements of an atomic batch as text + parameters, every one checked before any runs. */
export function batchQueries(statements: readonly BatchStatement[], dialect: QueryDialect): BuiltQuery[] {
  return statements.map((s) =>
    Array.isArray(s)
      ? toQuery(s[0] as string, (s[1] as unknown[] | undefined) ?? [], dialect)
      : toQuery(s as QueryInput, undefined, dialect),
  )
}

/**
 * The atomic batch one statement at a time: BEGIN, each statement once the one before it has
 * succeeded, COMMIT; at the first failure ROLLBACK and reject with its error. For a server that
 * runs pipelined commands after a failed one (MySQL has no Sync): nothing after a failure may run,
 * since a deadlock has already rolled the transaction back and the rest would autocommit.
 */
export async function runSequentialBatch<C extends DriverConnection, R>(
  conn: C,
  counters: DriverCounters,
  dialect: TransactionDialect<C>,
  begin: readonly string[],
  queries: readonly BuiltQuery[],
  run: (conn: C, q: BuiltQuery) => Promise<R>,
): Promise<R[]> {
  const tx = { end: () => {} }
  return runTransaction(conn, counters, dialect, begin, tx, async () => {
    const results: R[] = []
    for (const q of queries) results.push(await counters.observe(run(conn, q)))
    return results
  })
}
