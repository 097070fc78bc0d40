import { ByteWriter } from '../../internal/byte-writer.js'
import { paramType, UNSIGNED_PARAM, writeParam } from '../types/params.js'
import { type AddResult, type BulkWriterOptions, capacityFor, valueError } from './bulk.js'
import { ColumnType, Command, CursorType } from './constants.js'
import { endPacket } from './packets.js'

/**
 * A multi-row `INSERT ... VALUES (?, ?), (?, ?), ...` executed with COM_STMT_EXECUTE ("COM_STMT_EXECUTE",
 * https://mariadb.com/docs/server/reference/clientserver-protocol/3-binary-protocol-prepared-statements/com_stmt_execute):
 *
 *   int<1> 0x17, int<4> statement id, int<1> flags, int<4> iteration count (1),
 *   NULL bitmap of (params + 7) / 8 bytes, int<1> 1 (types follow), 2 bytes per parameter
 *   (type, 0x80 unsigned), then the values of the non-NULL parameters.
 *
 * What MySQL (no COM_STMT_BULK_EXECUTE) gets from bulkInsert. Every value carries its own type, as
 * execute() sends it (types/params.ts). The head comes before the values but its length depends on
 * the number of rows, so the values are written after room for the largest head, and the head is
 * written at finish right before them: the command is one slice of the buffer, the values never
 * copied. PREPARE's answer gives the parameter count in 2 bytes: at most 65,535 per statement.
 */

/** PREPARE_OK's num_params is int<2>. */
export const MAX_PLACEHOLDERS = 0xffff
/** 0x17, statement id, flags, iteration count; then the bitmap, the types-follow byte, the types. */
const HEAD_BYTES = 10

function headBytes(params: number): number {
  return HEAD_BYTES + ((params + 7) >> 3) + 1 + 2 * params
}

/** Room for the packet header and the largest head, written over at finish. */
const ROOM = new Uint8Array(4 + headBytes(MAX_PLACEHOLDERS))

export class MultiRowExecuteWriter {
  readonly #o: BulkWriterOptions
  readonly #columns: number
  readonly #w: ByteWriter
  readonly #nulls: Uint8Array
  readonly #types: Uint8Array
  /** Where the values start: after the packet header and the largest head. */
  readonly #valuesAt: number
  #rows = 0

  /** `options.maxRows` times the column count must not exceed MAX_PLACEHOLDERS. */
  constructor(options: BulkWriterOptions) {
    this.#o = options
    this.#columns = options.columns.length
    const params = options.maxRows * this.#columns
    this.#nulls = new Uint8Array((params + 7) >> 3)
    this.#types = new Uint8Array(2 * params)
    this.#valuesAt = 4 + headBytes(params)
    this.#w = new ByteWriter(capacityFor(this.#valuesAt + options.maxPayloadBytes))
    this.#w.bytes(ROOM.subarray(0, this.#valuesAt))
  }

  get rows(): number {
    return this.#rows
  }

  /** Adds `row` (one value per column; `index` names it in errors) unless the command is full. */
  add(row: readonly unknown[], index: number): AddResult {
    if (this.#rows === this.#o.maxRows) return 'full'
    const w = this.#w
    const mark = w.length
    const n = this.#columns
    const first = this.#rows * n
    let c = 0
    try {
      for (; c < n; c++) {
        const value = row[c]
        const p = first + c
        if (value === null || value === undefined) {
          this.#nulls[p >> 3] = this.#nulls[p >> 3]! | (1 << (p & 7))
          this.#types[2 * p] = ColumnType.NULL
          this.#types[2 * p + 1] = 0
          continue
        }
        const t = paramType(value, c)
        this.#types[2 * p] = t & 0xff
        this.#types[2 * p + 1] = t & UNSIGNED_PARAM ? 0x80 : 0
        writeParam(w, value, t, c, this.#o.tzOffsetMs)
      }
    } catch (cause) {
      this.#drop(mark, first)
      throw valueError(index, this.#o.columns[c], cause)
    }
    if (headBytes(first + n) + w.length - this.#valuesAt > this.#o.maxPayloadBytes) {
      this.#drop(mark, first)
      return 'full'
    }
    this.#rows++
    return 'added'
  }

  /** Takes back the row being added: its values from `mark`, its NULL bits from parameter `first`. */
  #drop(mark: number, first: number): void {
    this.#w.truncate(mark)
    for (let p = first; p < first + this.#columns; p++)
      this.#nulls[p >> 3] = this.#nulls[p >> 3]! & ~(1 << (p & 7))
  }

  /** The framed command for the statement of `rows` rows; the writer is done. */
  finish(statementId: number): Buffer {
    const params = this.#rows * this.#columns
    const start = this.#valuesAt - headBytes(params) - 4
    const w = this.#w
    const view = w.view()
    let at = start + 4
    view[at++] = Command.STMT_EXECUTE
    view.writeUInt32LE(statementId, at)
    at += 4
    view[at++] = CursorType.NO_CURSOR
    view.writeUInt32LE(1, at)
    at += 4
    const bitmap = (params + 7) >> 3
    view.set(this.#nulls.subarray(0, bitmap), at)
    at += bitmap
    view[at++] = 1
    view.set(this.#types.subarray(0, 2 * params), at)
    endPacket(w, start, 0)
    return w.take().subarray(start)
  }
}
