import { Readable } from 'node:stream'
import type { SessionDialect, SessionTypes } from '../../driver/contract.js'
import type { DriverCounters } from '../../driver/metrics.js'
import { Session as DriverSession } from '../../driver/session.js'
import { InvalidArgumentError } from '../../errors/classes.js'
import type { CopyOptions, PgConnection, QueryOptions } from '../connection.js'
import type { CopySource } from '../copy.js'
import type { QueryResult } from '../query-handlers.js'
import { type BulkInsertOptions, type BulkRows, bulkInsert } from './bulk-insert.js'
import { canUseCursor, cursorStream } from './cursor-stream.js'
import { PG_QUERY } from './dialect.js'

/** Per-call options of `execute()` and friends. */
export interface ExecuteOptions {
  signal?: AbortSignal
  /** Cancel the statement (CancelRequest) and reject with ERR_QUERY_TIMEOUT after this many ms. */
  timeoutMs?: number
  /** Override the driver's `prepare` for this statement. */
  prepare?: boolean
  /**
   * `driver.execute()` only: whether the statement may be pipelined on a connection other callers
   * are using (docs/postgres.md, "Sharing connections"). `true`: you vouch that it changes no
   * session state and does not block (e.g. it calls your own pure function); `false`: never.
   * Default: only what the driver can prove (`sharing: 'auto'`).
   */
  shareable?: boolean
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
  if (options.shareable !== undefined && typeof options.shareable !== 'boolean') {
    throw new InvalidArgumentError('option shareable must be a boolean')
  }
  return out
}

export function copyOptions(options: CopyOptions | undefined): CopyOptions {
  const out: CopyOptions = {}
  if (options?.signal !== undefined) out.signal = options.signal
  if (options?.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs
  return out
}

/** The types of PostgreSQL sessions (src/driver/contract.ts): results are `QueryResult<Row>`. */
export interface PgSessionTypes extends SessionTypes {
  readonly connection: PgConnection
  readonly result: QueryResult<this['row']>
  readonly executeOptions: ExecuteOptions
  readonly streamOptions: DriverStreamOptions
}

/** How a PostgreSQL session runs statements; the SessionTracker sees every text first. */
export const PG_SESSION: SessionDialect<PgSessionTypes> = {
  query: PG_QUERY,
  run(conn, sql, params, options) {
    conn.session.observeSql(sql)
    return conn.query(sql, params, queryOptions(options))
  },
  stream(conn, sql, params, options = {}) {
    conn.session.observeSql(sql)
    const stream = { ...queryOptions(options) }
    // In a transaction: a cursor, so other statements can run between batches (cursor-stream.ts).
    if (canUseCursor(conn, sql)) {
      return cursorStream(conn, sql, params, options.batchSize ?? 1000, stream)
    }
    return conn.stream(sql, params, {
      ...stream,
      ...(options.batchSize === undefined ? {} : { highWaterMark: options.batchSize }),
    })
  },
}

/**
 * The statements every holder of one connection can run (src/driver/session.ts: `execute`,
 * `executeOne`, `sql`, `stream`), plus COPY: a transaction (`tx`), a reserved connection.
 */
export class Session extends DriverSession<PgSessionTypes> {
  constructor(connection: PgConnection, counters: DriverCounters) {
    super(connection, PG_SESSION, counters)
  }

  copyFrom(sql: string, source: CopySource, options?: CopyOptions): Promise<number> {
    try {
      this.check()
      this.counters.copy.operations++
      return this.counters.observe(this.connection.copyFrom(sql, source, copyOptions(options))).then((n) => {
        this.counters.copy.rowsIn += n
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
      this.counters.copy.operations++
      return this.counters.observe(bulkInsert(this.connection, table, columns, rows, options)).then((n) => {
        this.counters.copy.rowsIn += n
        return n
      })
    } catch (error) {
      return Promise.reject(error)
    }
  }
}
