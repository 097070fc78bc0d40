import { Readable } from 'node:stream'
import { InvalidArgumentError, PoolError } from '../errors/classes.js'
import { type CopyOptions, PgConnection } from './connection.js'
import type { CopySource } from './copy.js'
import type { BulkInsertOptions, BulkRows } from './driver/bulk-insert.js'
import { DriverConnections } from './driver/connections.js'
import { type NotificationHandler, NotificationListener } from './driver/listener.js'
import { cacheLevel, DriverCounters, type DriverMetrics } from './driver/metrics.js'
import {
  type PostgresDriverOptions,
  type ResolvedDriverOptions,
  resolveDriverOptions,
} from './driver/options.js'
import { isShareable, type QueryInput, toQuery } from './driver/query-input.js'
import { ReservedConnection } from './driver/reserved.js'
import {
  copyOptions,
  type DriverStreamOptions,
  type ExecuteOptions,
  queryOptions,
  Session,
} from './driver/session.js'
import { executingSqlTag, firstRow, type SqlQuery, type SqlTag } from './driver/sql-tag.js'
import {
  type BatchStatement,
  backoff,
  beginSql,
  isRetryable,
  retryPolicy,
  runBatch,
  runTransaction,
  type Transaction,
  type TransactionOptions,
} from './driver/transactions.js'
import type { QueryResult } from './query-handlers.js'
import { wasNeverSent } from './query-pipeline.js'

/**
 * The pooled everyday API (issue 5, DESIGN §3): `ConnectionPool<PgConnection>` with statement
 * caching, transactions, COPY, LISTEN and session reset. Every method borrows a connection for
 * the duration of its work and gives it back clean.
 */
export class PostgresDriver {
  /** Kept private: the settings hold the password. */
  readonly #options: Readonly<ResolvedDriverOptions>
  readonly #counters = new DriverCounters()
  readonly #connections: DriverConnections
  readonly #listener: NotificationListener
  #sql: SqlTag<SqlQuery<QueryResult<Record<string, unknown>>>> | undefined
  #active = 0
  #idle: (() => void)[] = []
  #closing: Promise<void> | undefined

  constructor(input: string | PostgresDriverOptions, options?: PostgresDriverOptions) {
    this.#options = resolveDriverOptions(input, options)
    this.#connections = new DriverConnections(this.#options, this.#counters)
    this.#listener = new NotificationListener((onNotification) =>
      PgConnection.connect({ ...this.#options.settings, onNotification }),
    )
  }

  /** Runs one statement on a pooled connection; rows with `rowCount`, `command`, `fields`. */
  execute<T = Record<string, unknown>>(
    input: QueryInput,
    params?: readonly unknown[],
    options?: ExecuteOptions,
  ): Promise<QueryResult<T>> {
    try {
      const q = toQuery(input, params)
      const opts = queryOptions(options)
      return this.#counters.observe(this.#track(this.#execute<T>(q.sql, q.params, opts, false)))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * A statement the server never received (its connection failed before it was written) is run
   * once more on another connection: it cannot have had any effect. One that was written fails
   * with ERR_CONNECTION_CLOSED: whether it ran is unknown.
   */
  async #execute<T>(
    sql: string,
    params: readonly unknown[],
    opts: ExecuteOptions,
    retried: boolean,
  ): Promise<QueryResult<T>> {
    try {
      // A cancellable statement is a pipeline barrier (nothing is written behind it until it
      // ends): sharing its connection would make other callers wait for it, so it gets its own.
      const shareable = opts.signal === undefined && opts.timeoutMs === undefined && isShareable(sql)
      return await this.#connections.run(shareable, opts.signal, (conn) => {
        conn.session.observeSql(sql)
        return conn.query<T>(sql, params, opts)
      })
    } catch (error) {
      if (retried || !wasNeverSent(error)) throw error
      this.#counters.retriedUnsent++
      return this.#execute<T>(sql, params, opts, true)
    }
  }

  /** The first row, or null. */
  async executeOne<T = Record<string, unknown>>(
    input: QueryInput,
    params?: readonly unknown[],
    options?: ExecuteOptions,
  ): Promise<T | null> {
    return firstRow(await this.execute<T>(input, params, options))
  }

  /**
   * `await driver.sql\`select * from users where id = ${id}\``: every interpolation is a bound
   * parameter; `driver.sql.id(name)` splices a quoted identifier, `driver.sql.in(list)` an IN list.
   */
  get sql(): SqlTag<SqlQuery<QueryResult<Record<string, unknown>>>> {
    this.#sql ??= executingSqlTag((sql, params) => this.execute(sql, params))
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
    try {
      if (typeof work !== 'function' && !Array.isArray(work)) {
        throw new InvalidArgumentError('transaction() takes a callback or an array of statements')
      }
      const begin = beginSql(options)
      const policy = retryPolicy(options.retry)
      const attempt = () =>
        this.#connections.run(false, options.signal, (conn) =>
          typeof work === 'function'
            ? runTransaction(conn, this.#counters, work, begin)
            : runBatch(conn, this.#counters, work, begin),
        )
      return this.#track(
        (async () => {
          for (let n = 0; ; n++) {
            try {
              return await attempt()
            } catch (error) {
              if (n + 1 >= policy.maxAttempts || !isRetryable(error)) throw error
              this.#counters.transactions.retried++
              await backoff(policy, n, options.signal)
            }
          }
        })(),
      )
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** A connection of your own for session work (temp tables, advisory locks); call `release()`. */
  async reserve(options: { signal?: AbortSignal } = {}): Promise<ReservedConnection> {
    this.#enter()
    try {
      const conn = await this.#connections.acquire(options.signal)
      return new ReservedConnection(conn, this.#counters, () => {
        this.#connections.giveBack(conn)
        this.#leave()
      })
    } catch (error) {
      this.#leave()
      throw error
    }
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
    const q = toQuery(input, params)
    this.#enter()
    try {
      const conn = await this.#connections.acquire(options.signal)
      try {
        yield* new Session(conn, this.#counters).stream<T>(q.sql, q.params, options)
      } finally {
        this.#connections.giveBack(conn)
      }
    } finally {
      this.#leave()
    }
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
    const self = this
    async function* chunks(): AsyncGenerator<Buffer> {
      self.#enter()
      try {
        const conn = await self.#connections.acquire(options?.signal)
        try {
          yield* conn.copyTo(sql, copyOptions(options))
        } finally {
          self.#connections.giveBack(conn)
        }
      } finally {
        self.#leave()
      }
    }
    return Readable.from(chunks(), { objectMode: false })
  }

  /** Subscribes to a channel on the driver's listening connection; resolves to an unsubscribe function. */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    if (this.#closing !== undefined) return Promise.reject(this.#closedError())
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
   * host, password or database fails here with its own error, where the pool would retry and
   * eventually report ERR_CIRCUIT_OPEN or ERR_POOL_TIMEOUT (the error as `cause`).
   */
  async verifyConnection(): Promise<void> {
    const conn = await PgConnection.connect(this.#options.settings)
    await conn.close()
  }

  metrics(): DriverMetrics {
    const c = this.#counters
    return {
      ...this.#connections.pool.metrics(),
      queries: {
        total: c.queries,
        failed: c.failed,
        bySqlStateClass: { ...c.bySqlStateClass },
        byCode: { ...c.byCode },
        retriedUnsent: c.retriedUnsent,
      },
      transactions: { ...c.transactions },
      copy: { ...c.copy },
      statementCache: this.#statementCache(),
      bytes: this.#connections.bytes(),
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
    this.#closing ??= (async () => {
      const timeoutMs = options.timeoutMs ?? this.#options.closeTimeoutMs
      if (this.#active !== 0) {
        let timer: NodeJS.Timeout | undefined
        await Promise.race([
          new Promise<void>((resolve) => this.#idle.push(resolve)),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, timeoutMs)
          }),
        ])
        clearTimeout(timer)
      }
      await this.#listener.close()
      const pool = this.#connections.pool.close()
      await this.#connections.closeAll()
      await pool
    })()
    return this.#closing
  }

  #statementCache(): DriverMetrics['statementCache'] {
    const stats = this.#connections.statements.stats()
    return {
      l1: cacheLevel(stats.l1.hits, stats.l1.misses),
      l2: cacheLevel(stats.l2.hits, stats.l2.misses),
      size: stats.l1.size,
    }
  }

  #onSession<T>(signal: AbortSignal | undefined, fn: (session: Session) => Promise<T>): Promise<T> {
    return this.#track(this.#connections.run(false, signal, (conn) => fn(new Session(conn, this.#counters))))
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    try {
      this.#enter()
    } catch (error) {
      promise.catch(() => {})
      return Promise.reject(error)
    }
    return promise.finally(() => this.#leave())
  }

  #enter(): void {
    if (this.#closing !== undefined) throw this.#closedError()
    this.#active++
  }

  #leave(): void {
    if (--this.#active === 0) for (const resolve of this.#idle.splice(0)) resolve()
  }

  #closedError(): PoolError {
    return new PoolError('ERR_POOL_CLOSED', 'the driver is closed')
  }
}
