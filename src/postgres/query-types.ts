import type { CovetError } from '../errors/covet-error.js'
import type { ParameterCodec } from './codecs.js'
import type { FieldDescription } from './protocol/messages.js'
import type { RowDecoder } from './row-decoder.js'

/** A statement described by the server, with its codecs resolved once (issue 4, row decoding). */
export interface PreparedStatement {
  /** Server-side name; '' for the unnamed statement (prepare: false). */
  name: string
  sql: string
  paramTypes: number[]
  paramCodecs: ParameterCodec[]
  paramFormats: number[]
  /** Result columns, with the format covet asks for. */
  fields: FieldDescription[]
  resultFormats: number[]
  /** Undefined when the statement returns no rows (NoData). */
  decoder: RowDecoder | undefined
  /** Estimated memory held, for the cache's byte bound. */
  bytes: number
}

/**
 * The statements of an atomic batch (`driver.transaction([...])`) share one: the first failure of
 * any of them is kept here, and the statements behind it that are not yet written never are.
 */
export interface QueryBatch {
  failure?: CovetError
}

/** The connection's view of one query() call. */
export interface PendingQuery {
  readonly sql: string
  readonly params: readonly unknown[]
  /** 'extended' until a multi-statement text is detected, then 'simple'. */
  mode: 'simple' | 'extended'
  readonly prepare: boolean
  readonly maxResultBytes: number
  /** Has a signal or timeoutMs: nothing is pipelined behind it, so its cancel cannot hit another query. */
  readonly cancellable: boolean
  readonly callSite: { stack?: string } | undefined
  /** Streamed query: rows go here as they arrive instead of into the result array. */
  readonly sink: { push(row: unknown): void } | undefined
  readonly batch: QueryBatch | undefined
  /** Call order on the connection: a retry goes back into the queue at its place. */
  seq: number
  /** When the default deadline (queryTimeoutMs) expires, in performance.now() ms; 0 = none. */
  expiresAt: number
  /** Statement described for this query when it is not cached (prepare: false). */
  statement: PreparedStatement | undefined
  retried: boolean
  settled: boolean
  /** Set once the server should stop working on this query (abort, timeout, result too large). */
  cancelRequested: boolean
  resolve(value: unknown): void
  /** Settles with `error`; `cancel` asks the connection to send a CancelRequest if it is running. */
  fail(error: CovetError, cancel?: boolean): void
}
