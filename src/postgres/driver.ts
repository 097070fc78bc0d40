import { Readable } from 'node:stream'
import type { DriverConnections } from '../driver/connections.js'
import { DriverCore } from '../driver/driver-core.js'
import { DriverCounters, pooledDriverMetrics } from '../driver/metrics.js'
import { type QueryInput, type RowFor, toQuery } from '../driver/query-input.js'
import { mayShare } from '../driver/sharing.js'
import { executingSqlTag, firstRow, type SqlQuery, type SqlTag } from '../driver/sql-tag.js'
import { type BatchStatement, batchQueries, runTransaction } from '../driver/transactions.js'
import { InvalidArgumentError } from '../errors/classes.js'
import { type CopyOptions, PgConnection } from './connection.js'
import type { CopySource } from './copy.js'
import type { BulkInsertOptions, BulkRows } from './driver/bulk-insert.js'
import { pgConnections } from './driver/connections.js'
import { PG_QUERY } from './driver/dialect.js'
import { type NotificationHandler, NotificationListener } from './driver/listener.js'
import type { DriverMetrics } from './driver/metrics.js'
import {
  type PostgresDriverOptions,
  type ResolvedDriverOptions,
  resolveDriverOptions,
} from './driver/options.js'
import { ReservedConnection } from './driver/reserved.js'
import {
  copyOptions,
  type DriverStreamOptions,
  type ExecuteOptions,
  queryOptions,
  Session,
} from './driver/session.js'
import { isProvablyShareable } from './driver/shareable.js'
import {
  beginSql,
  isRetryable,
  PG_TRANSACTIONS,
  runBatch,
  Transaction,
  type TransactionOptions,
} from './driver/transactions.js'
import type { QueryResult } from './query-handlers.js'
import { wasNeverSent } from './query-pipeline.js'

/**
 * The pooled everyday API (issue 5, DESIGN §3): `ConnectionPool<PgConnection>` with statement
 * caching, transactions, COPY, LISTEN and session reset. Every method borrows a connection for
 * the duration of its work and gives it back clean. What every pooled driver shares (close drain,
 * retries, transactions, the sql tag) is src/driver; this file is PostgreSQL's part.
 */
export class PostgresDriver {
  /** Kept private: the settings hold the password. */
  readonly #options: Readonly<ResolvedDriverOptions>
  readonly #core: DriverCore<PgConnection>
  readonly #connections: DriverConnections<PgConnection>
  readonly #statements: ReturnType<typeof pgConnections>['statements']
  readonly #listener: NotificationListener
  #sql: SqlTag<SqlQuery<QueryResult<Record<string, unknown>>>> | undefined

  constructor(input: string | PostgresDriverOptions, options?: PostgresDriverOptions) {
    this.#options = resolveDriverOptions(input, options)
    const counters = new DriverCounters()
    const { connections, statements } = pgConnections(this.#options, counters)
    this.#connections = connections
    this.#statements = statements
    this.#core = new DriverCore({
      connections,
      counters,
      closeTimeoutMs: this.#options.closeTimeoutMs,
      wasNeverSent,
    })
    this.#listener = new NotificationListener((onNotification) =>
      PgConnection.connect({ ...this.#options.settings, onNotification }),
    )
  }

  /**
   * Runs one statement on a pooled connection; rows with `rowCount`, `command`, `fields`. A typed
   * covet/query builder gives its row type to the result. A statement that never reached the
   * server (its connection failed first) runs once more on another connection.
   */
  execute<T = never, I extends QueryInput = QueryInput>(
    input: I,
    params?: readonly unknown[],
    options?: ExecuteOptions,
  ): Promise<QueryResult<RowFor<T, I>>> {
    try {
      const q = toQuery(input, params, PG_QUERY)
      const opts = queryOptions(options)
      const shareable = mayShare(this.#options.sharing, options, isProvablyShareable, q.sql)
      return this.#core.execute(shareable, opts.signal, (conn) => {
        conn.session.observeSql(q.sql)
        return conn.query<RowFor<T, I>>(q.sql, q.params, opts)
      })
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** The first row, or null. */
  async executeOne<T = never, I extends QueryInput = QueryInput>(
    input: I,
    params?: readonly unknown[],
    options?: ExecuteOptions,
  ): Promise<RowFor<T, I> | null> {
    return firstRow(await this.execute<RowFor<T, I>>(input, params, options)) as RowFor<T, I> | null
  }

  /**
   * `await driver.sql\`select * from users where id = ${id}\``: every interpolation is a bound
   * parameter; `driver.sql.id(name)` splices a quoted identifier, `driver.sql.in(list)` an IN list.
   */
  get sql(): SqlTag<SqlQuery<QueryResult<Record<string, unknown>>>> {
    this.#sql ??= executingSqlTag(PG_QUERY.syntax, (sql, params) => this.execute(sql, params))
    return this.#sql
  }

  /**
   * `transaction(async (tx) => ...)`: BEGIN, the callback, COMMIT; ROLLBACK if it throws.
   * `transaction([[sql, params], ...])`: the atomic batch, all or nothing, in one round trip.
   * With `retry`, serialization failures and deadlocks re-run the whole transaction.
   */
  transaction<R>(fn: (tx: Transaction) => R | Promise<R>, options?: TransactionOptions): Promise<R>
  transaction(
    statements: readonly BatchStatement[],
    options?: TransactionOptions,
  ): Promise<QueryResult<Record<string, unknown>>[]>
  transaction(
    work: ((tx: Transaction) => unknown) | readonly BatchStatement[],
    options: TransactionOptions = {},
  ): Promise<unknown> {
    const counters = this.#core.counters
    return this.#core.transaction(work, options, isRetryable, () => {
      const begin = beginSql(options)
      return (conn: PgConnection) =>
        typeof work === 'function'
          ? runTransaction(conn, counters, PG_TRANSACTIONS, [begin], new Transaction(conn, counters), work)
          : runBatch(conn, counters, batchQueries(work, PG_QUERY), begin)
    })
  }

  /** A connection of your own for session work (temp tables, advisory locks); call `release()`. */
  reserve(options: { signal?: AbortSignal } = {}): Promise<ReservedConnection> {
    return this.#core.reserve(
      options.signal,
      (conn, release) => new ReservedConnection(conn, this.#core.counters, release),
    )
  }

  /**
   * Rows as they arrive, with memory bounded by `batchSize` rows (socket flow control). Breaking
   * out of the loop cancels the query; the connection goes back to the pool either way.
   */
  async *stream<T = Record<string, unknown>>(
    input: QueryInput,
    params?: readonly unknown[],
    options: DriverStreamOptions = {},
  ): AsyncGenerator<T, void, undefined> {
    const q = toQuery(input, params, PG_QUERY)
    const counters = this.#core.counters
    yield* this.#core.stream(options.signal, (conn) =>
      new Session(conn, counters).stream<T>(q.sql, q.params, options),
    )
  }

  /** `COPY table (cols) FROM STDIN (FORMAT binary)` of `rows`; resolves with the count. All or nothing. */
  bulkInsert(
    table: string | readonly string[],
    columns: readonly string[],
    rows: BulkRows,
    options?: BulkInsertOptions,
  ): Promise<number> {
    return this.#onSession(options?.signal, (s) => s.bulkInsert(table, columns, rows, options))
  }

  /** `COPY ... FROM STDIN` (text or CSV) fed by a Readable or an (async) iterable of chunks. */
  copyFrom(sql: string, source: CopySource, options?: CopyOptions): Promise<number> {
    return this.#onSession(options?.signal, (s) => s.copyFrom(sql, source, options))
  }

  /** `COPY ... TO STDOUT` as a Readable of Buffers; destroying it cancels the COPY. */
  copyTo(sql: string, options?: CopyOptions): Readable {
    const chunks = this.#core.stream(options?.signal, (conn) => conn.copyTo(sql, copyOptions(options)))
    return Readable.from(chunks, { objectMode: false })
  }

  /** Subscribes to a channel on the driver's listening connection; resolves to an unsubscribe function. */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    if (this.#core.closing) return Promise.reject(this.#core.closedError())
    return this.#listener.listen(channel, handler)
  }

  /** `pg_notify(channel, payload)`. */
  async notify(channel: string, payload = ''): Promise<void> {
    if (typeof channel !== 'string' || typeof payload !== 'string') {
      throw new InvalidArgumentError('notify(channel, payload) takes two strings')
    }
    await this.execute('SELECT pg_notify($1, $2)', [channel, payload])
  }

  /**
   * Opens one connection with the driver's settings, outside the pool, and closes it: a wrong
   * host, password or database fails here with its own error. (Through the pool, a wrong password
   * or database also fails at once with its own error; an unreachable host is retried and ends
   * as ERR_CIRCUIT_OPEN or ERR_POOL_TIMEOUT, the error as `cause`.)
   */
  async verifyConnection(): Promise<void> {
    const conn = await PgConnection.connect(this.#options.settings)
    await conn.close()
  }

  metrics(): DriverMetrics {
    const counters = this.#core.counters
    return {
      ...pooledDriverMetrics(
        this.#connections.pool.metrics(),
        counters,
        this.#statements,
        this.#connections.bytes(),
      ),
      copy: { ...counters.copy },
      listener: {
        connected: this.#listener.connected,
        channels: this.#listener.channels,
        reconnects: this.#listener.reconnects,
      },
    }
  }

  /**
   * Stops taking work, waits for in-flight work up to `timeoutMs` (default: the `closeTimeoutMs`
   * option), then closes every connection; work still running then fails with ERR_CONNECTION_CLOSED.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.#core.close(options.timeoutMs, () => this.#listener.close())
  }

  #onSession<T>(signal: AbortSignal | undefined, fn: (session: Session) => Promise<T>): Promise<T> {
    const counters = this.#core.counters
    return this.#core.track(() =>
      this.#connections.run(false, signal, (conn) => fn(new Session(conn, counters))),
    )
  }
}
