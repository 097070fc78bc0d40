import { Readable } from 'node:stream'
import { InvalidArgumentError } from '../../errors/classes.js'
import type { CopyOptions, PgConnection, QueryOptions } from '../connection.js'
import type { CopySource } from '../copy.js'
import type { QueryResult } from '../query-handlers.js'
import { type BulkInsertOptions, type BulkRows, bulkInsert } from './bulk-insert.js'
import { canUseCursor, cursorStream } from './cursor-stream.js'
import type { DriverCounters } from './metrics.js'
import { type QueryInput, toQuery } from './query-input.js'
import { executingSqlTag, firstRow, type SqlQuery, type SqlTag } from './sql-tag.js'

/** Per-call options of `execute()` and friends. */
export interface ExecuteOptions {
  signal?: AbortSignal
  /** Cancel the statement (CancelRequest) and reject with ERR_QUERY_TIMEOUT after this many ms. */
  timeoutMs?: number
  /** Override the driver's `prepare` for this statement. */
  prepare?: boolean
}

export interface DriverStreamOptions extends ExecuteOptions {
  /** Rows buffered for a slow consumer before the socket is paused. Default 1,000. */
  batchSize?: number
}

export function queryOptions(options: ExecuteOptions | undefined): QueryOptions {
  const out: QueryOptions = {}
  if (options === undefined) return out
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('options must be an object')
  if (options.signal !== undefined) out.signal = options.signal
  if (options.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs
  if (options.prepare !== undefined) out.prepare = options.prepare
  return out
}

export function copyOptions(options: CopyOptions | undefined): CopyOptions {
  const out: CopyOptions = {}
  if (options?.signal !== undefined) out.signal = options.signal
  if (options?.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs
  return out
}

/**
 * The statements every holder of one connection can run: a transaction (`tx`), a reserved
 * connection. The pooled driver offers the same methods, each on a borrowed connection.
 */
export class Session {
  readonly connection: PgConnection
  readonly #counters: DriverCounters
  #sql: SqlTag<SqlQuery<QueryResult<Record<string, unknown>>>> | undefined
  /** Set once the holder is done with the connection (committed, released). */
  protected ended: string | undefined

  constructor(connection: PgConnection, counters: DriverCounters) {
    this.connection = connection
    this.#counters = counters
  }

  protected check(): void {
    if (this.ended !== undefined)
      throw new InvalidArgumentError(`this ${this.ended}; it can no longer be used`)
  }

  execute<T = Record<string, unknown>>(
    input: QueryInput,
    params?: readonly unknown[],
    options?: ExecuteOptions,
  ): Promise<QueryResult<T>> {
    try {
      this.check()
      const q = toQuery(input, params)
      this.connection.session.observeSql(q.sql)
      return this.#counters.observe(this.connection.query<T>(q.sql, q.params, queryOptions(options)))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  async executeOne<T = Record<string, unknown>>(
    input: QueryInput,
    params?: readonly unknown[],
    options?: ExecuteOptions,
  ): Promise<T | null> {
    return firstRow(await this.execute<T>(input, params, options))
  }

  /** `tx.sql\`select * from t where id = ${id}\`` runs on this connection when awaited. */
  get sql(): SqlTag<SqlQuery<QueryResult<Record<string, unknown>>>> {
    this.#sql ??= executingSqlTag((sql, params) => this.execute(sql, params))
    return this.#sql
  }

  stream<T = Record<string, unknown>>(
    input: QueryInput,
    params?: readonly unknown[],
    options: DriverStreamOptions = {},
  ): AsyncIterableIterator<T> {
    this.check()
    const q = toQuery(input, params)
    this.connection.session.observeSql(q.sql)
    const stream = { ...queryOptions(options) }
    // In a transaction: a cursor, so other statements can run between batches (cursor-stream.ts).
    if (canUseCursor(this.connection, q.sql)) {
      return cursorStream<T>(this.connection, q.sql, q.params, options.batchSize ?? 1000, stream)
    }
    return this.connection.stream<T>(q.sql, q.params, {
      ...stream,
      ...(options.batchSize === undefined ? {} : { highWaterMark: options.batchSize }),
    })
  }

  copyFrom(sql: string, source: CopySource, options?: CopyOptions): Promise<number> {
    try {
      this.check()
      this.#counters.copy.operations++
      return this.#counters.observe(this.connection.copyFrom(sql, source, copyOptions(options))).then((n) => {
        this.#counters.copy.rowsIn += n
        return n
      })
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** `COPY ... TO STDOUT` as a Readable of Buffers (destroying it cancels the COPY). */
  copyTo(sql: string, options?: CopyOptions): Readable {
    this.check()
    return Readable.from(this.connection.copyTo(sql, copyOptions(options)), { objectMode: false })
  }

  bulkInsert(
    table: string | readonly string[],
    columns: readonly string[],
    rows: BulkRows,
    options?: BulkInsertOptions,
  ): Promise<number> {
    try {
      this.check()
      this.#counters.copy.operations++
      return this.#counters.observe(bulkInsert(this.connection, table, columns, rows, options)).then((n) => {
        this.#counters.copy.rowsIn += n
        return n
      })
    } catch (error) {
      return Promise.reject(error)
    }
  }
}
