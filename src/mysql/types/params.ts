import { QueryError } from '../../errors/classes.js'
import type { ByteWriter } from '../../internal/byte-writer.js'
import { ColumnType } from '../protocol/constants.js'

/**
 * Binary parameter encoding for COM_STMT_EXECUTE and COM_STMT_BULK_EXECUTE ("Binary protocol
 * value", https://mariadb.com/docs/server/reference/clientserver-protocol/3-binary-protocol-prepared-statements/com_stmt_execute).
 * The type of each value is chosen from the JavaScript value and sent with it, so integers travel
 * as integers (mysql2 binds every number as DOUBLE, which makes `LIMIT ?` and bigint keys fail):
 *
 * | value | sent as |
 * |---|---|
 * | null, undefined | NULL (bit in the NULL bitmap) |
 * | safe-integer number | LONGLONG |
 * | other finite number | DOUBLE |
 * | bigint | LONGLONG, with the unsigned flag above 2^63-1 |
 * | boolean | TINY 1/0 |
 * | string | VAR_STRING (utf8mb4) |
 * | Buffer, Uint8Array | BLOB |
 * | Date | DATETIME(6) as wall-clock time in the session time zone |
 * | other object, array | its JSON text as VAR_STRING |
 */

/** A parameter's type as COM_STMT_EXECUTE sends it: the type byte, plus 0x8000 for the unsigned flag. */
export type ParamType = number

export const UNSIGNED_PARAM = 0x8000

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

export function encodeError(position: number, why: string, cause?: unknown): QueryError {
  return new QueryError(
    'ERR_TYPE_ENCODE',
    `parameter ${position + 1}: ${why}`,
    cause === undefined ? undefined : { cause },
  )
}

/** The type `value` is sent as. `position` (0-based) names the parameter in errors. */
export function paramType(value: unknown, position: number): ParamType {
  switch (typeof value) {
    case 'number':
      if (Number.isSafeInteger(value)) return ColumnType.LONGLONG
      if (Number.isFinite(value)) return ColumnType.DOUBLE
      throw encodeError(position, `${value} has no MySQL/MariaDB representation`)
    case 'string':
      return ColumnType.VAR_STRING
    case 'bigint':
      if (value >= INT64_MIN && value <= INT64_MAX) return ColumnType.LONGLONG
      if (value > INT64_MAX && value <= UINT64_MAX) return ColumnType.LONGLONG | UNSIGNED_PARAM
      throw encodeError(position, 'the bigint is outside the 64-bit integer range; pass it as a string')
    case 'boolean':
      return ColumnType.TINY
    case 'undefined':
      return ColumnType.NULL
    case 'object':
      if (value === null) return ColumnType.NULL
      if (value instanceof Date) return ColumnType.DATETIME
      if (value instanceof Uint8Array) return ColumnType.BLOB
      return ColumnType.VAR_STRING
    default:
      throw encodeError(position, `a ${typeof value} cannot be sent to the server`)
  }
}

/**
 * Writes `value` as `type` (from `paramType`, or a column type fixed by a bulk insert); the value
 * must fit the type. `tzOffsetMs` is the session time zone's offset from UTC, for Dates.
 */
export function writeParam(
  w: ByteWriter,
  value: unknown,
  type: ParamType,
  position: number,
  tzOffsetMs: number,
): void {
  switch (type & 0xff) {
    case ColumnType.LONGLONG:
      if (typeof value === 'bigint') {
        if (type & UNSIGNED_PARAM) w.uint64LE(value)
        else w.int64LE(value)
        return
      }
      if (typeof value === 'number' && Number.isSafeInteger(value)) {
        w.int64LE(value)
        return
      }
      break
    case ColumnType.DOUBLE:
      if (typeof value === 'number' && Number.isFinite(value)) {
        w.float64LE(value)
        return
      }
      break
    case ColumnType.TINY:
      if (typeof value === 'boolean') {
        w.uint8(value ? 1 : 0)
        return
      }
      break
    case ColumnType.BLOB:
      if (value instanceof Uint8Array) {
        w.lengthEncodedInt(value.length).bytes(value)
        return
      }
      break
    case ColumnType.DATETIME:
      if (value instanceof Date) {
        writeDateTime(w, value, position, tzOffsetMs)
        return
      }
      break
    case ColumnType.VAR_STRING:
      w.lengthEncodedString(typeof value === 'string' ? value : jsonText(value, position))
      return
  }
  throw encodeError(position, `the value does not fit the parameter's type ${type & 0xff}`)
}

function jsonText(value: unknown, position: number): string {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (cause) {
    throw encodeError(position, 'the object cannot be encoded as JSON', cause)
  }
  if (text === undefined) throw encodeError(position, 'the value cannot be encoded as JSON')
  return text
}

/** DATETIME binary value: length 11, then year(2) month day hour minute second microsecond(4). */
function writeDateTime(w: ByteWriter, value: Date, position: number, tzOffsetMs: number): void {
  const ms = value.getTime()
  if (Number.isNaN(ms)) throw encodeError(position, 'the Date is invalid')
  const wall = new Date(ms + tzOffsetMs)
  const year = wall.getUTCFullYear()
  // DATETIME's range ("Date and Time Data Types"): years 1000-9999; 0-999 are accepted by the server too.
  if (year < 0 || year > 9999) throw encodeError(position, `the year ${year} is outside DATETIME's 0-9999`)
  w.uint8(11)
  w.uint16LE(year)
  w.uint8(wall.getUTCMonth() + 1)
  w.uint8(wall.getUTCDate())
  w.uint8(wall.getUTCHours())
  w.uint8(wall.getUTCMinutes())
  w.uint8(wall.getUTCSeconds())
  w.uint32LE(wall.getUTCMilliseconds() * 1000)
}
