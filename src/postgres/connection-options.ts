import { InvalidArgumentError } from '../errors/classes.js'
import type { TypeCodecs } from './codecs.js'
import type { PgConnectionOptions } from './config.js'
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
  /** Fail a buffered query whose rows exceed this many wire bytes. Default: no limit. */
  maxResultBytes?: number
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
  /** Cancel the query (CancelRequest) and reject with ERR_QUERY_TIMEOUT after this many ms. */
  timeoutMs?: number
  /** Override the connection's `prepare` for this query. */
  prepare?: boolean
  /** Use the simple query protocol (several statements, no parameters, text results). */
  simple?: boolean
  maxResultBytes?: number
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

export function validateSettings(s: PgConnectionSettings): void {
  const positiveInt = (name: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
      throw new InvalidArgumentError(`${name} must be a non-negative integer`)
    }
  }
  positiveInt('statementCacheSize', s.statementCacheSize)
  positiveInt('statementCacheBytes', s.statementCacheBytes)
  positiveInt('maxResultBytes', s.maxResultBytes)
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
