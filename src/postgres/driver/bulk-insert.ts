import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { InvalidArgumentError, QueryError } from '../../errors/classes.js'
import { CovetError } from '../../errors/covet-error.js'
import type { ParamCodec, TypeCodecs } from '../codecs.js'
import type { CopyOptions, PgConnection } from '../connection.js'
import { ChunkWriter, type FieldWriter, fieldWriter } from './bulk-encoders.js'
import { quoteIdentifier } from './dialect.js'

/**
 * `bulkInsert` (issue 5): rows encoded in COPY's binary format (PostgreSQL docs, COPY, "Binary
 * Format") with the type layer's binary encoders, streamed as `COPY ... FROM STDIN (FORMAT
 * binary)`. The column types come from the table itself (a `LIMIT 0` select), so each value is
 * encoded as exactly the column's type. Rows are encoded in chunks; between chunks the encoder
 * gives the event loop a turn when it has held it for more than a few milliseconds, and the COPY
 * waits for the socket to drain, so memory stays at about one chunk.
 */

export type BulkRow = readonly unknown[] | Readonly<Record<string, unknown>>
export type BulkRows = Iterable<BulkRow> | AsyncIterable<BulkRow>

export interface BulkInsertOptions extends CopyOptions {
  /** Bytes encoded per CopyData message. Default 256 KiB. */
  chunkBytes?: number
}

/** 'PGCOPY\n\377\r\n\0', then Int32 flags (0: no OIDs) and Int32 header-extension length (0). */
const SIGNATURE = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00])
const MAX_EVENT_LOOP_HOLD_MS = 8

/** `"schema"."table"` from 'table', 'schema.table' split by the caller as ['schema', 'table']. */
export function qualifiedTable(table: string | readonly string[]): string {
  const parts = typeof table === 'string' ? [table] : table
  if (!Array.isArray(parts) || parts.length === 0 || parts.length > 2) {
    throw new InvalidArgumentError('bulkInsert: table must be a name or [schema, name]')
  }
  return parts.map(quoteIdentifier).join('.')
}

export async function bulkInsert(
  conn: PgConnection,
  table: string | readonly string[],
  columns: readonly string[],
  rows: BulkRows,
  options: BulkInsertOptions = {},
): Promise<number> {
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new InvalidArgumentError('bulkInsert: columns must be a non-empty array of names')
  }
  if (rows === null || typeof rows !== 'object') {
    throw new InvalidArgumentError('bulkInsert: rows must be an iterable or async iterable')
  }
  const chunkBytes = options.chunkBytes ?? 256 * 1024
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1024) {
    throw new InvalidArgumentError('bulkInsert: chunkBytes must be an integer >= 1024')
  }
  const target = qualifiedTable(table)
  const list = columns.map(quoteIdentifier).join(', ')
  const described = await conn.query(`SELECT ${list} FROM ${target} LIMIT 0`, [], { prepare: false })
  const encoders = described.fields.map((f, i) =>
    fieldWriter(f.typeOid, binaryEncoder(conn.codecs, f.typeOid, columns[i]!)),
  )
  const copyOptions: CopyOptions = {}
  if (options.signal !== undefined) copyOptions.signal = options.signal
  if (options.timeoutMs !== undefined) copyOptions.timeoutMs = options.timeoutMs
  return conn.copyFrom(
    `COPY ${target} (${list}) FROM STDIN (FORMAT binary)`,
    encodeRows(rows, columns, encoders, chunkBytes),
    copyOptions,
  )
}

function binaryEncoder(codecs: TypeCodecs, typeOid: number, column: string): ParamCodec {
  const encoder = codecs.binary(typeOid)
  if (encoder === undefined) {
    throw new CovetError(
      'ERR_UNSUPPORTED',
      `bulkInsert: column "${column}" (type OID ${typeOid}) has no binary encoder; use copyFrom() with CSV`,
    )
  }
  return encoder
}

/** The binary COPY stream: header, one tuple per row, trailer; in chunks of about `chunkBytes`. */
async function* encodeRows(
  rows: BulkRows,
  columns: readonly string[],
  encoders: readonly FieldWriter[],
  chunkBytes: number,
): AsyncGenerator<Buffer> {
  const out = new ChunkWriter(chunkBytes)
  out.bytes(SIGNATURE)
  out.int32(0)
  out.int32(0)
  let index = 0
  let heldSince = performance.now()
  // A sync iterable is walked without a promise per row (for await would add one each).
  const sync = Symbol.iterator in rows ? (rows as Iterable<BulkRow>)[Symbol.iterator]() : undefined
  const iterator = sync ?? (rows as AsyncIterable<BulkRow>)[Symbol.asyncIterator]()
  try {
    for (;;) {
      while (out.length < chunkBytes) {
        const next = sync !== undefined ? sync.next() : await iterator.next()
        if (next.done) {
          out.int16(-1)
          yield out.take()
          return
        }
        encodeRow(out, next.value, index++, columns, encoders)
      }
      yield out.take()
      if (performance.now() - heldSince > MAX_EVENT_LOOP_HOLD_MS) {
        await yieldToEventLoop()
        heldSince = performance.now()
      }
    }
  } finally {
    // Stopped early (a bad row, a failed COPY): let the source release what it holds.
    await iterator.return?.()
  }
}

function encodeRow(
  out: ChunkWriter,
  row: BulkRow,
  index: number,
  columns: readonly string[],
  encoders: readonly FieldWriter[],
): void {
  const isArray = Array.isArray(row)
  if (!isArray && (row === null || typeof row !== 'object')) {
    throw new InvalidArgumentError(`bulkInsert: row ${index} is not an array or an object`)
  }
  if (isArray && row.length !== columns.length) {
    throw new InvalidArgumentError(
      `bulkInsert: row ${index} has ${row.length} values for ${columns.length} columns`,
    )
  }
  out.int16(columns.length)
  for (let c = 0; c < columns.length; c++) {
    const value = isArray ? row[c] : (row as Record<string, unknown>)[columns[c]!]
    if (value === null || value === undefined) {
      out.int32(-1)
      continue
    }
    try {
      encoders[c]!(out, value)
    } catch (cause) {
      // The value itself never goes into the message (DESIGN §4: it may be a secret).
      throw new QueryError(
        'ERR_TYPE_ENCODE',
        `bulkInsert: row ${index}, column "${columns[c]}": cannot encode`,
        {
          cause,
        },
      )
    }
  }
}
