import type { QueryDialect, SessionDialect, SessionTypes, TransactionDialect } from '../../driver/contract.js'
import { type BaseTransactionOptions, isolationLevelSql } from '../../driver/transactions.js'
import { InvalidArgumentError } from '../../errors/classes.js'
import { DatabaseError } from '../../errors/database-error.js'
import { sqlSyntax } from '../../query/compiler/dialects.js'
import type { MySqlConnection } from '../connection.js'
import type { ExecuteOptions, QueryOptions } from '../connection-options.js'
import type { MySqlResult } from '../handlers.js'
import { MySqlSessionState } from './session-state.js'

/** Per-call options of the driver's `execute()` and friends. */
export interface DriverExecuteOptions {
  signal?: AbortSignal
  /** Reject with ERR_QUERY_TIMEOUT (and KILL QUERY) after this many ms. */
  timeoutMs?: number
  /** Fail when the buffered rows exceed this many wire bytes. */
  maxResultBytes?: number
  /**
   * Default true: a prepared statement (binary protocol), cached per connection. `false` sends
   * the text as COM_QUERY (for the few statements the server cannot prepare); no parameters then.
   */
  prepare?: boolean
  /**
   * `driver.execute()` only: `true` is the caller's promise that the statement is session-neutral
   * (no SET, variables, locks, temporary tables, transaction control), so it may be pipelined on a
   * connection other callers' shareable statements use; `false` gives it a connection of its own.
   * Default: what the driver can prove (`sharing: 'auto'`), nothing with `sharing: 'opt-in'`.
   * Ignored with `signal` or `timeoutMs` (KILL QUERY ends whatever the connection is running, so
   * a cancellable statement never shares).
   */
  shareable?: boolean
}

export interface DriverStreamOptions {
  signal?: AbortSignal
  timeoutMs?: number
  /** Rows fetched from the server-side cursor at a time (COM_STMT_FETCH). Default 1,000. */
  batchSize?: number
}

/** The types of MySQL sessions (src/driver/contract.ts): results are `MySqlResult<Row>`. */
export interface MySqlSessionTypes extends SessionTypes {
  readonly connection: MySqlConnection
  readonly result: MySqlResult<this['row']>
  readonly executeOptions: DriverExecuteOptions
  readonly streamOptions: DriverStreamOptions
}

/** `?` placeholders and backtick quoting from covet/query's MySQL compiler (MySQL manual 11.2). */
export const MYSQL_QUERY: QueryDialect = {
  syntax: sqlSyntax('mysql'),
  builderDialects: new Set(['mysql', 'mariadb']),
}

/** Checks the options before anything runs. */
export function executeOptions(options: DriverExecuteOptions | undefined): DriverExecuteOptions {
  if (options === undefined) return {}
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options must be an object')
  }
  if (options.prepare !== undefined && typeof options.prepare !== 'boolean') {
    throw new InvalidArgumentError('option prepare must be a boolean')
  }
  if (options.shareable !== undefined && typeof options.shareable !== 'boolean') {
    throw new InvalidArgumentError('option shareable must be a boolean')
  }
  return options
}

/** What borrowers may have changed, per connection (a WeakSet: connections of every driver). */
export const SESSION_STATE = new MySqlSessionState()

/** Statements through the connection; every text is shown to the session-state tracker first. */
export const MYSQL_SESSION: SessionDialect<MySqlSessionTypes> = {
  query: MYSQL_QUERY,
  run(conn, sql, params, options) {
    const o = executeOptions(options)
    SESSION_STATE.observe(conn, sql)
    const call: ExecuteOptions & QueryOptions = {}
    if (o.signal !== undefined) call.signal = o.signal
    if (o.timeoutMs !== undefined) call.timeoutMs = o.timeoutMs
    if (o.maxResultBytes !== undefined) call.maxResultBytes = o.maxResultBytes
    let done: Promise<MySqlResult<unknown>>
    if (o.prepare !== false) done = conn.execute(sql, params, call)
    else if (params.length !== 0) {
      throw new InvalidArgumentError('prepare: false runs text without parameters (COM_QUERY)')
    } else done = conn.query(sql, call)
    return conn.inTransaction ? done.catch((error) => failedInTransaction(conn, error)) : done
  },
  // A server-side cursor (docs/mysql.md, "Streaming and cursors"): bounded memory, and the
  // connection stays usable between fetches, so a transaction's loop body can run statements.
  stream(conn, sql, params, options = {}) {
    SESSION_STATE.observe(conn, sql)
    const batchSize = options.batchSize ?? 1000
    const stream: { signal?: AbortSignal; timeoutMs?: number } = {}
    if (options.signal !== undefined) stream.signal = options.signal
    if (options.timeoutMs !== undefined) stream.timeoutMs = options.timeoutMs
    return conn.stream(sql, params, { ...stream, fetchSize: batchSize, highWaterMark: batchSize })
  },
}

export type { IsolationLevel } from '../../driver/transactions.js'

/** `retry` re-runs the whole transaction on deadlock (1213), lock wait timeout (1205) or 40001. */
export interface MySqlTransactionOptions extends BaseTransactionOptions {
  /** START TRANSACTION WITH CONSISTENT SNAPSHOT (InnoDB reads its snapshot at once). */
  consistentSnapshot?: boolean
}

/**
 * SET TRANSACTION (no scope: "applies only to the next single transaction", MySQL 8.4 manual
 * 15.3.7), then START TRANSACTION with its characteristics (15.3.1).
 */
export function beginStatements(options: MySqlTransactionOptions): string[] {
  const out: string[] = []
  if (options.isolation !== undefined) out.push(`SET TRANSACTION ${isolationLevelSql(options.isolation)}`)
  const traits: string[] = []
  if (options.consistentSnapshot === true) traits.push('WITH CONSISTENT SNAPSHOT')
  if (options.readOnly !== undefined) traits.push(options.readOnly ? 'READ ONLY' : 'READ WRITE')
  out.push(traits.length === 0 ? 'START TRANSACTION' : `START TRANSACTION ${traits.join(', ')}`)
  return out
}

/** ER_LOCK_WAIT_TIMEOUT, ER_LOCK_DEADLOCK: InnoDB's "roll back and retry" errors (MySQL 8.4 manual 17.7.5.3). */
const RETRYABLE_ERRNOS = new Set([1205, 1213])

export function isRetryable(error: unknown): boolean {
  return (
    error instanceof DatabaseError && (RETRYABLE_ERRNOS.has(error.errno ?? 0) || error.sqlState === '40001')
  )
}

/**
 * Connections where a statement failed inside a transaction. The server may have ended the
 * transaction with it (InnoDB rolls all of it back on a deadlock), but an ERR packet carries no
 * status flags, so `inTransaction` still shows the last OK's: the next check asks the server.
 */
const FAILED_IN_TRANSACTION = new WeakSet<MySqlConnection>()

function failedInTransaction(conn: MySqlConnection, error: unknown): never {
  if (error instanceof DatabaseError) FAILED_IN_TRANSACTION.add(conn)
  throw error
}

/** SERVER_STATUS_IN_TRANS now: after a failed statement, from a COM_PING's OK packet. */
async function inTransactionNow(conn: MySqlConnection): Promise<boolean> {
  if (FAILED_IN_TRANSACTION.delete(conn)) await conn.ping().catch(() => {})
  return !conn.closed && conn.inTransaction
}

/** Transaction control over the text protocol, one statement after another. */
export const MYSQL_TRANSACTIONS: TransactionDialect<MySqlConnection> = {
  async control(conn, statements) {
    for (const sql of statements) await conn.query(sql)
  },
  async commit(conn) {
    // A callback that caught a deadlock went on outside any transaction (autocommit), and so did
    // statements after an implicit commit (DDL): COMMIT would report success for a transaction
    // that no longer exists.
    if (!(await inTransactionNow(conn))) {
      return new DatabaseError(
        'the transaction ended before COMMIT (rolled back by the server after a deadlock or lock wait timeout, or committed implicitly by a statement in it); statements after that ran outside it',
        { sqlState: '25000', sqlStateName: 'invalid_transaction_state' },
      )
    }
    await conn.query('COMMIT')
    return undefined
  },
  inTransaction: inTransactionNow,
  isRetryable,
}
