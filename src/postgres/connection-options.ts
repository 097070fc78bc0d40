import { InvalidArgumentError } from '../errors/classes.js'
import type { TypeCodecs } from './codecs.js'
import type { PgConnectionOptions } from './config.js'
import type { QueryBatch } from './query-types.js'
import type { RowMode } from './row-decoder.js'
import type { databaseErrorFields } from './server-error.js'
import type { TypeOptions } from './types/options.js'
import { resolveTypeOptions } from './types/options.js'

/** The options of PgConnection and of its queries, with their checks. */

/** Options of one PgConnection: where to connect (config.ts) plus query behaviour. */
export interface PgConnectionSettings extends PgConnectionOptions {
  /** Prepare statements by name and cache them (L1, per connection). Default true; false for PgBouncer. */
  prepare?: boolean
  /** Cached statements per connection. Default 256. */
  statementCacheSize?: number
  /** Estimated bytes of cached statements per connection. Default 4 MiB. */
  statementCacheBytes?: number
  /**
   * Fail a buffered query whose rows exceed this many wire bytes. A single row over it is refused
   * at its header, before it is buffered. Default: no limit.
   */
  maxResultBytes?: number
  /**
   * Default deadline of every query without its own `timeoutMs` (streams and COPY excepted): after
   * it the query fails with ERR_QUERY_TIMEOUT and a CancelRequest is sent. Unlike `timeoutMs` it
   * does not stop pipelining. Default 300,000 (5 minutes); 0 = none.
   */
  queryTimeoutMs?: number
  /**
   * After a query was cancelled or timed out, how long the server may send nothing before the
   * connection is destroyed (and how long a CancelRequest may take). Default 10,000 ms.
   */
  cancelGraceMs?: number
  /** TCP keepalive on the connection's socket, so a dead peer is noticed. Default true. */
  keepAlive?: boolean
  /** Idle time before the first keepalive probe (the OS sets interval and count). Default 60,000 ms. */
  keepAliveInitialDelayMs?: number
  /** Largest single backend message accepted. Default 1 GiB + 1 MiB. */
  maxMessageBytes?: number
  /** Rows as objects keyed by column name (default) or as arrays. */
  rowMode?: RowMode
  /**
   * The type layer: a `TypeRegistry` (custom types registered on it) or its options, e.g.
   * `{ int8: 'string', timestamps: 'string' }` (docs/postgres-types.md). Default: the built-in
   * types in binary format, with exact defaults.
   */
  types?: TypeCodecs | TypeOptions
  /** Receives NoticeResponse (also published on diagnostics channel `covet:postgres:notice`). */
  onNotice?: (notice: Notice) => void
  /** Receives NotificationResponse (LISTEN/NOTIFY). */
  onNotification?: (notification: Notification) => void
}

export type Notice = ReturnType<typeof databaseErrorFields> & { message: string }
export interface Notification {
  processId: number
  channel: string
  payload: string
}

export interface StreamOptions {
  signal?: AbortSignal
  timeoutMs?: number
  prepare?: boolean
  /** Rows waiting for the consumer before the socket is paused. Default 1,000. */
  highWaterMark?: number
}

export interface QueryOptions {
  signal?: AbortSignal
  /**
   * Cancel the query (CancelRequest) and reject with ERR_QUERY_TIMEOUT after this many ms, instead
   * of the connection's `queryTimeoutMs`; 0 = no deadline at all. A query with a timeoutMs (or a
   * signal) is a pipeline barrier: nothing is written behind it until it completes.
   */
  timeoutMs?: number
  /** Override the connection's `prepare` for this query. */
  prepare?: boolean
  /** Use the simple query protocol (several statements, no parameters, text results). */
  simple?: boolean
  maxResultBytes?: number
  /** Used by the driver's atomic batch (transactions.ts): see QueryBatch. */
  batch?: QueryBatch
}

/** A user handler that throws must not break the protocol stream: report it as a warning. */
export function callHandler<T>(handler: ((value: T) => void) | undefined, value: T): void {
  if (handler === undefined) return
  try {
    handler(value)
  } catch (err) {
    process.emitWarning(`covet: a PgConnection handler threw: ${String(err)}`, 'CovetWarning')
  }
}

/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1

export const DEFAULT_QUERY_TIMEOUT_MS = 300_000
export const DEFAULT_CANCEL_GRACE_MS = 10_000
export const DEFAULT_KEEPALIVE_DELAY_MS = 60_000

export function validateSettings(s: PgConnectionSettings): void {
  const positiveInt = (name: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
      throw new InvalidArgumentError(`${name} must be a non-negative integer`)
    }
  }
  positiveInt('statementCacheSize', s.statementCacheSize)
  positiveInt('statementCacheBytes', s.statementCacheBytes)
  positiveInt('maxResultBytes', s.maxResultBytes)
  positiveInt('queryTimeoutMs', s.queryTimeoutMs)
  positiveInt('keepAliveInitialDelayMs', s.keepAliveInitialDelayMs)
  for (const [name, v] of [
    ['queryTimeoutMs', s.queryTimeoutMs],
    ['cancelGraceMs', s.cancelGraceMs],
    ['keepAliveInitialDelayMs', s.keepAliveInitialDelayMs],
  ] as const) {
    if (v !== undefined && v > MAX_TIMER_MS) throw new InvalidArgumentError(`${name} must be at most 2^31-1`)
  }
  if (s.cancelGraceMs !== undefined && (!Number.isInteger(s.cancelGraceMs) || s.cancelGraceMs < 1)) {
    throw new InvalidArgumentError('cancelGraceMs must be a positive integer')
  }
  if (s.keepAlive !== undefined && typeof s.keepAlive !== 'boolean') {
    throw new InvalidArgumentError('keepAlive must be a boolean')
  }
  if (s.rowMode !== undefined && s.rowMode !== 'object' && s.rowMode !== 'array') {
    throw new InvalidArgumentError("rowMode must be 'object' or 'array'")
  }
  const types = s.types as Partial<TypeCodecs> | TypeOptions | undefined
  if (types !== undefined && (typeof types !== 'object' || types === null)) {
    throw new InvalidArgumentError('types must be a TypeRegistry or type options')
  }
  // Options are checked here so a typo fails at construction, naming the option (DESIGN §4).
  if (types !== undefined && typeof (types as Partial<TypeCodecs>).result !== 'function') {
    resolveTypeOptions(types as TypeOptions)
  }
}
