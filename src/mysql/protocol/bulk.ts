import { QueryError } from '../../errors/classes.js'
import { ByteWriter } from '../../internal/byte-writer.js'
import { type ParamType, paramType, UNSIGNED_PARAM, writeParam } from '../types/params.js'
import { ColumnType, Command } from './constants.js'
import { endPacket } from './packets.js'

/**
 * COM_STMT_BULK_EXECUTE (MariaDB 10.2.7+, https://mariadb.com/docs/server/reference/clientserver-protocol/3-binary-protocol-prepared-statements/com_stmt_bulk_execute):
 *
 *   int<1> 0xFA, int<4> statement id, int<2> bulk flags,
 *   if flags & SEND_TYPES_TO_SERVER: per parameter byte<1> field type, byte<1> flag (128 unsigned),
 *   until the end of the packet, per row and per parameter: byte<1> indicator, the value if NONE.
 *
 * The server answers one OK (affected rows of all rows) or one ERR. One type per column for every
 * row of a command, so a row whose value needs another type ends the command (`'conflict'`) and
 * the types are learned for the next one: a column of integers that meets a fraction becomes
 * DOUBLE, a column of signed BIGINTs that meets one above 2^63-1 becomes unsigned, and a column
 * whose values so far were all NULL takes the type of its first value. Sans I/O: each writer
 * builds one framed command (sequence id 0) in memory of its own, for the caller to send.
 */

/** Indicator bytes of COM_STMT_BULK_EXECUTE rows. */
export const BulkIndicator = { NONE: 0, NULL: 1, DEFAULT: 2, IGNORE: 3 } as const
/** COM_STMT_BULK_EXECUTE flags: 128 = types follow; 64 = one result per row (MariaDB 11.5+). */
export const BulkFlag = { SEND_UNIT_RESULTS: 64, SEND_TYPES_TO_SERVER: 128 } as const

/** What `add` did with a row: written; not written because the command is full; or needs other types. */
export type AddResult = 'added' | 'full' | 'conflict'

export interface BulkWriterOptions {
  /** Column names, for errors. */
  columns: readonly string[]
  /** Most rows per command. */
  maxRows: number
  /** Largest payload of the command (the server refuses one above max_allowed_packet). */
  maxPayloadBytes: number
  /** The session time zone's offset from UTC, for Dates. */
  tzOffsetMs: number
}

const NULL = ColumnType.NULL
const UNSIGNED_LONGLONG = ColumnType.LONGLONG | UNSIGNED_PARAM
/** 0xFA, statement id, flags. */
const HEAD_BYTES = 7

/**
 * A command's memory, allocated once: its bound plus room for the row that overflows it (taken
 * back), so no full command is copied to grow; beyond 16 MiB it grows as needed.
 */
export function capacityFor(maxBytes: number): number {
  return Math.min(maxBytes, 1 << 24) + (64 << 10)
}

/** True when `value`, whose own type is `own`, can be written as `type`. */
export function fitsType(type: ParamType, own: ParamType, value: unknown): boolean {
  if (type === own) return true
  if (own !== ColumnType.LONGLONG) return false
  // A safe integer is exact as a DOUBLE; a non-negative integer is the same 8 bytes unsigned.
  if (type === ColumnType.DOUBLE) return typeof value === 'number'
  return type === UNSIGNED_LONGLONG && (value as number | bigint) >= 0
}

/** The type a column takes after holding `type` and meeting `value` (of type `own`). */
export function widenType(type: ParamType, own: ParamType, value: unknown): ParamType {
  let wider: ParamType | undefined
  if (
    (type === ColumnType.LONGLONG && own === ColumnType.DOUBLE) ||
    (type === ColumnType.DOUBLE && own === ColumnType.LONGLONG)
  )
    wider = ColumnType.DOUBLE
  else if ((type & 0xff) === ColumnType.LONGLONG && (own & 0xff) === ColumnType.LONGLONG)
    wider = UNSIGNED_LONGLONG
  return wider !== undefined && fitsType(wider, own, value) ? wider : own
}

/** Fails a value with its row and column, never the value itself (DESIGN §4: it may be a secret). */
export function valueError(index: number, column: string | undefined, cause: unknown): QueryError {
  return new QueryError('ERR_TYPE_ENCODE', `bulkInsert: row ${index}, column "${column}": cannot encode`, {
    cause,
  })
}

/** One COM_STMT_BULK_EXECUTE command, filled a row at a time. */
export class BulkExecuteWriter {
  readonly #o: BulkWriterOptions
  readonly #w: ByteWriter
  /** This command's types: NULL until a column's first value. */
  readonly #types: ParamType[]
  /** Shared by the commands of one insert: what the next command starts with. */
  readonly #learned: ParamType[]
  readonly #own: ParamType[]
  #rows = 0

  /** `learned` (one entry per column, NULL when unknown) is updated in place for the next command. */
  constructor(statementId: number, learned: ParamType[], options: BulkWriterOptions) {
    this.#o = options
    this.#learned = learned
    this.#types = learned.slice()
    this.#own = new Array<ParamType>(learned.length).fill(NULL)
    this.#w = new ByteWriter(capacityFor(options.maxPayloadBytes + 4))
    // The packet header (patched by endPacket), the head, and room for the types (patched at finish).
    this.#w.uint32LE(0).uint8(Command.STMT_BULK_EXECUTE).uint32LE(statementId)
    this.#w.uint16LE(BulkFlag.SEND_TYPES_TO_SERVER).bytes(new Uint8Array(2 * learned.length))
  }

  get rows(): number {
    return this.#rows
  }

  /** Adds `row` (one value per column; `index` names it in errors) unless it does not fit. */
  add(row: readonly unknown[], index: number): AddResult {
    if (this.#rows === this.#o.maxRows) return 'full'
    const types = this.#types
    const own = this.#own
    const n = types.length
    const w = this.#w
    const mark = w.length
    let c = 0
    let conflict = false
    try {
      for (; c < n; c++) {
        const value = row[c]
        const t = value === null || value === undefined ? NULL : paramType(value, c)
        own[c] = t
        const current = types[c]!
        if (t === NULL || current === NULL || fitsType(current, t, value)) continue
        this.#learned[c] = widenType(current, t, value)
        // Nothing is written yet: this command can still take the wider type itself.
        if (this.#rows === 0) types[c] = this.#learned[c]!
        else conflict = true
      }
      if (conflict) return 'conflict'
      for (c = 0; c < n; c++) {
        const t = own[c]!
        if (t === NULL) w.uint8(BulkIndicator.NULL)
        else
          writeParam(
            w.uint8(BulkIndicator.NONE),
            row[c],
            types[c] === NULL ? t : types[c]!,
            c,
            this.#o.tzOffsetMs,
          )
      }
      if (w.length - 4 > this.#o.maxPayloadBytes) {
        w.truncate(mark)
        return 'full'
      }
    } catch (cause) {
      w.truncate(mark)
      throw valueError(index, this.#o.columns[c], cause)
    }
    for (c = 0; c < n; c++) {
      if (types[c] === NULL && own[c] !== NULL) types[c] = this.#learned[c] = own[c]!
    }
    this.#rows++
    return 'added'
  }

  /** The framed command (split into 16 MiB packets past 0xFFFFFF bytes); the writer is done. */
  finish(): Buffer {
    const w = this.#w
    const view = w.view()
    const types = this.#types
    for (let c = 0, at = 4 + HEAD_BYTES; c < types.length; c++, at += 2) {
      view[at] = types[c]! & 0xff
      view[at + 1] = types[c]! & UNSIGNED_PARAM ? 0x80 : 0
    }
    endPacket(w, 0, 0)
    return w.take()
  }
}
