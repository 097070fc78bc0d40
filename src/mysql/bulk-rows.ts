import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { InvalidArgumentError, QueryError } from '../errors/classes.js'

/**
 * Where bulkInsert's rows come from: an iterable or async iterable of arrays (one value per column,
 * in column order) or objects (values by column name; a missing key is NULL). Rows are taken in
 * chunks, a sync iterable without a promise per row, and each is checked as it is taken: a row of
 * the wrong length is ERR_INVALID_ARGUMENT before the command that would carry it is sent.
 */

export type MySqlBulkRow = readonly unknown[] | Readonly<Record<string, unknown>>
export type MySqlBulkRows = Iterable<MySqlBulkRow> | AsyncIterable<MySqlBulkRow>

/** Rows taken per `next()`: also how often the event-loop clock is looked at while taking them. */
const CHUNK_ROWS = 256
/** The event loop is given a turn once encoding has held it this long (DESIGN: ~1 ms). */
const MAX_HOLD_MS = 1

export interface RowChunk {
  rows: (readonly unknown[])[]
  /** The index of `rows[0]` in the whole input. */
  start: number
}

export class RowSource {
  readonly #columns: readonly string[]
  readonly #sync: Iterator<MySqlBulkRow> | undefined
  readonly #async: AsyncIterator<MySqlBulkRow> | undefined
  #taken = 0
  #done = false

  constructor(rows: MySqlBulkRows, columns: readonly string[]) {
    if (rows === null || typeof rows !== 'object') {
      throw new InvalidArgumentError('bulkInsert: rows must be an iterable or async iterable')
    }
    this.#columns = columns
    if (Symbol.iterator in rows) this.#sync = (rows as Iterable<MySqlBulkRow>)[Symbol.iterator]()
    else if (Symbol.asyncIterator in rows) this.#async = rows[Symbol.asyncIterator]()
    else throw new InvalidArgumentError('bulkInsert: rows must be an iterable or async iterable')
  }

  /** The next rows as arrays in column order; none once the input is exhausted. */
  async next(): Promise<RowChunk> {
    const chunk: RowChunk = { rows: [], start: this.#taken }
    while (!this.#done && chunk.rows.length < CHUNK_ROWS) {
      const next = this.#sync !== undefined ? this.#sync.next() : await this.#async!.next()
      if (next.done) this.#done = true
      else chunk.rows.push(rowValues(next.value, this.#taken++, this.#columns))
    }
    return chunk
  }

  /** Stopped early (a bad row, a failed batch): lets the source release what it holds. */
  async close(): Promise<void> {
    if (this.#done) return
    this.#done = true
    await (this.#sync ?? this.#async)?.return?.()
  }
}

/** `row`'s values in column order, or ERR_INVALID_ARGUMENT. */
export function rowValues(row: MySqlBulkRow, index: number, columns: readonly string[]): readonly unknown[] {
  if (Array.isArray(row)) {
    if (row.length !== columns.length) {
      throw new InvalidArgumentError(
        `bulkInsert: row ${index} has ${row.length} values for ${columns.length} columns`,
      )
    }
    return row
  }
  if (row === null || typeof row !== 'object') {
    throw new InvalidArgumentError(`bulkInsert: row ${index} is not an array or an object`)
  }
  const record = row as Readonly<Record<string, unknown>>
  return columns.map((c) => record[c])
}

/**
 * Checks every row of an array before anything is sent, so a bad row anywhere fails the call
 * with nothing written to the server (an iterable can only be checked as it is read).
 */
export async function checkRows(rows: readonly MySqlBulkRow[], columns: readonly string[]): Promise<void> {
  const clock = new LoopClock()
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    if (Array.isArray(row) ? row.length !== columns.length : row === null || typeof row !== 'object') {
      rowValues(row, i, columns)
    }
    if (clock.due()) await clock.pause()
  }
}

/** Tells a loop of CPU work when it has held the event loop long enough to give it a turn. */
export class LoopClock {
  #since = performance.now()
  #calls = 0

  /** Cheap enough to call per row: looks at the clock every 64 calls. */
  due(): boolean {
    if ((++this.#calls & 63) !== 0) return false
    return performance.now() - this.#since > MAX_HOLD_MS
  }

  async pause(): Promise<void> {
    await yieldToEventLoop()
    this.#since = performance.now()
  }
}

/** bulkInsert's own cancellation error, for an abort seen between batches. */
export function cancelled(signal: AbortSignal): QueryError {
  return new QueryError('ERR_QUERY_CANCELLED', 'bulkInsert was cancelled by its AbortSignal', {
    cause: signal.reason,
  })
}
