import type { DriverConnections } from '../driver/connections.js'
import { DriverCore } from '../driver/driver-core.js'
import { DriverCounters, type PooledDriverMetrics, pooledDriverMetrics } from '../driver/metrics.js'
import { type QueryInput, type RowFor, toQuery } from '../driver/query-input.js'
import { mayShare } from '../driver/sharing.js'
import { executingSqlTag, firstRow, type SqlQuery, type SqlTag } from '../driver/sql-tag.js'
import {
  type BatchStatement,
  batchQueries,
  runSequentialBatch,
  runTransaction,
} from '../driver/transactions.js'
import type { MySqlBulkInsertOptions, MySqlBulkRows } from './bulk-insert.js'
import { MySqlConnection } from './connection.js'
import { mysqlConnections } from './driver/connections.js'
import {
  beginStatements,
  type DriverExecuteOptions,
  type DriverStreamOptions,
  executeOptions,
  isRetryable,
  MYSQL_QUERY,
  MYSQL_SESSION,
  MYSQL_TRANSACTIONS,
  type MySqlTransactionOptions,
} from './driver/dialect.js'
import {
  type MySqlDriverOptions,
  type ResolvedMySqlDriverOptions,
  resolveMySqlDriverOptions,
} from './driver/options.js'
import { MySqlReservedConnection, MySqlSession, MySqlTransaction } from './driver/session.js'
import { isProvablyShareable } from './driver/shareable.js'
import type { MySqlResult } from './handlers.js'
import { wasNeverSent } from './pipeline.js'

/** `metrics()`: the shared sections, and bulkInsert's calls and rows. */
export interface MySqlDriverMetrics extends PooledDriverMetrics {
  bulk: { operations: number; rowsIn: number }
}

/**
 * The pooled everyday API for MySQL and MariaDB (issue 16, DESIGN §3): a pool of MySqlConnections
 * with a shared statement cache, transactions with savepoints and retries, server-side cursor
 * streams and reserved connections. Every method borrows a connection for its work and gives it
 * back clean: pinged when it idled, reset (COM_RESET_CONNECTION) when a borrower may have
 * changed its session, destroyed when its state is unknown. The machinery is src/driver's, shared
 * with PostgresDriver; this file is MySQL's part.
 */
export class MySqlDriver {
  /** Kept private: the settings hold the password. */
  readonly #options: Readonly<ResolvedMySqlDriverOptions>
  readonly #core: DriverCore<MySqlConnection>
  readonly #connections: DriverConnections<MySqlConnection>
  readonly #statements: ReturnType<typeof mysqlConnections>['statements']
  #sql: SqlTag<SqlQuery<MySqlResult<Record<string, unknown>>>> | undefined

  constructor(input: string | MySqlDriverOptions, options?: MySqlDriverOptions) {
    this.#options = resolveMySqlDriverOptions(input, options)
    const counters = new DriverCounters()
    const { connections, statements } = mysqlConnections(this.#options, counters)
    this.#connections = connections
    this.#statements = statements
    this.#core = new DriverCore({
      connections,
      counters,
      closeTimeoutMs: this.#options.closeTimeoutMs,
      wasNeverSent,
    })
  }

  /**
   * Runs one statement (prepared, binary protocol) on a pooled connection; rows with
   * `affectedRows`, `insertId`, `warnings`, `fields`. A statement that never reached the server
   * (its connection failed first) runs once more on another connection.
   */
  execute<T = never, I extends QueryInput = QueryInput>(
    input: I,
    params?: readonly unknown[],
    options?: DriverExecuteOptions,
  ): Promise<MySqlResult<RowFor<T, I>>> {
    try {
      const q = toQuery(input, params, MYSQL_QUERY)
      const opts = executeOptions(options)
      const shareable = mayShare(this.#options.sharing, opts, isProvablyShareable, q.sql)
      return this.#core.execute(
        shareable,
        opts.signal,
        (conn) => MYSQL_SESSION.run(conn, q.sql, q.params, opts) as Promise<MySqlResult<RowFor<T, I>>>,
      )
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** The first row, or null. */
  async executeOne<T = never, I extends QueryInput = QueryInput>(
    input: I,
    params?: readonly unknown[],
    options?: DriverExecuteOptions,
  ): Promise<RowFor<T, I> | null> {
    return firstRow(await this.execute<RowFor<T, I>>(input, params, options)) as RowFor<T, I> | null
  }

  /**
   * `await driver.sql\`select * from users where id = ${id}\``: every interpolation is a bound
   * parameter (`?`); `driver.sql.id(name)` splices a backtick-quoted identifier, `driver.sql.in(list)`
   * an IN list.
   */
  get sql(): SqlTag<SqlQuery<MySqlResult<Record<string, unknown>>>> {
    this.#sql ??= executingSqlTag(MYSQL_QUERY.syntax, (sql, params) => this.execute(sql, params))
    return this.#sql
  }

  /**
   * `transaction(async (tx) => ...)`: START TRANSACTION, the callback, COMMIT; ROLLBACK if it
   * throws. `transaction([[sql, params], ...])`: the atomic batch, all or nothing. With `retry`,
   * deadlocks (1213), lock wait timeouts (1205) and 40001 re-run the whole transaction.
   */
  transaction<R>(fn: (tx: MySqlTransaction) => R | Promise<R>, options?: MySqlTransactionOptions): Promise<R>
  transaction(
    statements: readonly BatchStatement[],
    options?: MySqlTransactionOptions,
  ): Promise<MySqlResult<Record<string, unknown>>[]>
  transaction(
    work: ((tx: MySqlTransaction) => unknown) | readonly BatchStatement[],
    options: MySqlTransactionOptions = {},
  ): Promise<unknown> {
    const counters = this.#core.counters
    return this.#core.transaction(work, options, isRetryable, () => {
      const begin = beginStatements(options)
      return (conn: MySqlConnection) =>
        typeof work === 'function'
          ? runTransaction(
              conn,
              counters,
              MYSQL_TRANSACTIONS,
              begin,
              new MySqlTransaction(conn, counters),
              work,
            )
          : runSequentialBatch(
              conn,
              counters,
              MYSQL_TRANSACTIONS,
              begin,
              batchQueries(work, MYSQL_QUERY),
              (c, q) => MYSQL_SESSION.run(c, q.sql, q.params, undefined),
            )
    })
  }

  /**
   * Inserts `rows` (arrays in `columns` order, or objects keyed by column) in one go and resolves
   * with the count: COM_STMT_BULK_EXECUTE on MariaDB, prepared multi-row INSERTs on MySQL, each
   * command under max_allowed_packet, in one transaction: all or nothing (docs/mysql.md, bulkInsert).
   */
  bulkInsert(
    table: string | readonly string[],
    columns: readonly string[],
    rows: MySqlBulkRows,
    options?: MySqlBulkInsertOptions,
  ): Promise<number> {
    const counters = this.#core.counters
    return this.#core.track(() =>
      this.#connections.run(false, options?.signal, (conn) =>
        new MySqlSession(conn, counters).bulkInsert(table, columns, rows, options),
      ),
    )
  }

  /** A connection of your own for session work (temporary tables, variables, locks); call `release()`. */
  reserve(options: { signal?: AbortSignal } = {}): Promise<MySqlReservedConnection> {
    return this.#core.reserve(
      options.signal,
      (conn, release) => new MySqlReservedConnection(conn, this.#core.counters, release),
    )
  }

  /**
   * Rows as they arrive through a server-side cursor, `batchSize` rows per fetch. Breaking out of
   * the loop closes the cursor; the connection goes back to the pool either way.
   */
  async *stream<T = Record<string, unknown>>(
    input: QueryInput,
    params?: readonly unknown[],
    options: DriverStreamOptions = {},
  ): AsyncGenerator<T, void, undefined> {
    const q = toQuery(input, params, MYSQL_QUERY)
    const counters = this.#core.counters
    yield* this.#core.stream(options.signal, (conn) =>
      new MySqlSession(conn, counters).stream<T>(q.sql, q.params, options),
    )
  }

  /**
   * Opens one connection with the driver's settings, outside the pool, and closes it: a wrong
   * host, password or database fails here with its own error.
   */
  async verifyConnection(): Promise<void> {
    const conn = await MySqlConnection.connect(this.#options.settings)
    await conn.close()
  }

  metrics(): MySqlDriverMetrics {
    const counters = this.#core.counters
    return {
      ...pooledDriverMetrics(
        this.#connections.pool.metrics(),
        counters,
        this.#statements,
        this.#connections.bytes(),
      ),
      bulk: { ...counters.copy },
    }
  }

  /**
   * Stops taking work, waits for in-flight work up to `timeoutMs` (default: the `closeTimeoutMs`
   * option), then closes every connection; work still running then fails with ERR_CONNECTION_CLOSED.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.#core.close(options.timeoutMs)
  }
}
