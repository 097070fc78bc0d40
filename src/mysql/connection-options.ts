import { InvalidArgumentError } from '../errors/classes.js'
import { checkTypeOptions, type MySqlConnectionOptions } from './config.js'
import type { InfileSource } from './pending.js'
import type { MySqlTypeOptions } from './types/options.js'
import type { RowMode } from './types/row-decoder.js'

/** Options of one MySqlConnection: where to connect (config.ts) plus query behaviour. */
export interface MySqlConnectionSettings extends MySqlConnectionOptions {
  /** How values map to JavaScript (docs/mysql.md); every default is exact. */
  types?: MySqlTypeOptions
  /** Rows as objects keyed by column name (default) or as arrays. */
  rowMode?: RowMode
  /** Prepared statements kept per connection; also kept below the server's max_prepared_stmt_count. Default 256. */
  statementCacheSize?: number
  /** Estimated bytes of cached statements per connection. Default 4 MiB. */
  statementCacheBytes?: number
  /** Fail a buffered query whose rows exceed this many wire bytes. Default: no limit. */
  maxResultBytes?: number
  /** Largest payload accepted from the server (after joining 16 MiB packets). Default 1 GiB. */
  maxPacketBytes?: number
}

export interface QueryOptions {
  signal?: AbortSignal
  /** Reject with ERR_QUERY_TIMEOUT and KILL QUERY after this many ms. */
  timeoutMs?: number
  maxResultBytes?: number
  /** Data for this statement's LOAD DATA LOCAL INFILE (needs the `localInfile` connection option). */
  infile?: InfileSource
}

export interface ExecuteOptions {
  signal?: AbortSignal
  timeoutMs?: number
  maxResultBytes?: number
  /** Keep the prepared statement in the connection's cache. Default true; false closes it after the run. */
  cache?: boolean
}

export interface StreamOptions {
  signal?: AbortSignal
  timeoutMs?: number
  /** Rows waiting for the consumer before reading pauses. Default 1,000. */
  highWaterMark?: number
  /**
   * Read through a server-side cursor (COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY, then
   * COM_STMT_FETCH of this many rows at a time). Other commands may run on the connection between
   * fetches. Default: no cursor, the rows stream with socket backpressure.
   */
  fetchSize?: number
}

export function validateSettings(s: MySqlConnectionSettings): void {
  const nonNegative = (name: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
      throw new InvalidArgumentError(`${name} must be a non-negative integer`)
    }
  }
  nonNegative('statementCacheSize', s.statementCacheSize)
  nonNegative('statementCacheBytes', s.statementCacheBytes)
  nonNegative('maxResultBytes', s.maxResultBytes)
  if (s.maxPacketBytes !== undefined && (!Number.isSafeInteger(s.maxPacketBytes) || s.maxPacketBytes < 1)) {
    throw new InvalidArgumentError('maxPacketBytes must be a positive integer')
  }
  if (s.rowMode !== undefined && s.rowMode !== 'object' && s.rowMode !== 'array') {
    throw new InvalidArgumentError("rowMode must be 'object' or 'array'")
  }
  checkTypeOptions(s.types)
}

export function positiveInteger(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt
  if (!Number.isInteger(v) || v < 1 || v > 0xffffffff) {
    throw new InvalidArgumentError(`${name} must be a positive integer`)
  }
  return v
}

/** A user handler that throws must not break the protocol stream: report it as a warning. */
export function callHandler<T>(handler: ((value: T) => void) | undefined, value: T): void {
  if (handler === undefined) return
  try {
    handler(value)
  } catch (err) {
    process.emitWarning(`covet: a MySqlConnection handler threw: ${String(err)}`, 'CovetWarning')
  }
}
