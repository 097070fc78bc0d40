import type { ColumnDefinition } from '../protocol/columns.js'
import { BINARY_COLLATION, ColumnFlag, ColumnType as T } from '../protocol/constants.js'
import { binaryDate, binaryDateTime, binaryTime, textDate, textDateTime, textTime } from './datetime.js'
import {
  binaryBigInt,
  binaryDouble,
  binaryFloat,
  binaryInt,
  decimal,
  decodeError,
  textBigInt,
  textFloat,
  textInt,
  type ValueDecoder,
} from './numbers.js'
import type { ResolvedTypeOptions } from './options.js'

/**
 * Picks the decoder of each result column, once per result set (or per prepared statement), from
 * its type, flags, collation and MariaDB format ("Result Set Packets", field types):
 *
 * | column | JavaScript |
 * |---|---|
 * | TINYINT..INT, YEAR | number |
 * | BIGINT | bigint (types.bigint) |
 * | FLOAT, DOUBLE | number |
 * | DECIMAL | string (types.decimal) |
 * | DATE | 'YYYY-MM-DD' (types.date) |
 * | DATETIME, TIMESTAMP | Date in the session time zone (types.datetime) |
 * | TIME | string |
 * | CHAR, VARCHAR, TEXT, ENUM, SET | string |
 * | BINARY, VARBINARY, BLOB, GEOMETRY, BIT | Buffer (BIT(1): boolean with types.bitOneAsBoolean) |
 * | JSON (MySQL type 245; MariaDB text with format=json) | parsed (types.json) |
 */

/** How a binary-protocol value is framed: a fixed width, a length byte (temporal), or int<lenenc>. */
export const LENENC = -1
export const LENGTH_BYTE = -2

export interface ColumnCodec {
  text: ValueDecoder
  binary: ValueDecoder
  /** Bytes of a fixed-width binary value, or LENENC / LENGTH_BYTE. */
  binaryWidth: number
}

const utf8: ValueDecoder = (b, s, n) => b.toString('utf8', s, s + n)
// A copy: a subarray would keep the whole received chunk alive as long as the row lives.
const bytes: ValueDecoder = (b, s, n) => Buffer.from(b.subarray(s, s + n))
const nothing: ValueDecoder = () => null

function json(mode: ResolvedTypeOptions['json']): ValueDecoder {
  if (mode === 'string') return utf8
  return (b, s, n) => {
    try {
      return JSON.parse(b.toString('utf8', s, s + n))
    } catch {
      throw decodeError('JSON', 'the server sent text that is not JSON')
    }
  }
}

function bitOne(b: Buffer, s: number, n: number): boolean {
  if (n !== 1) throw decodeError('BIT(1)', `${n} bytes`)
  return b[s] !== 0
}

function varying(text: ValueDecoder, binary: ValueDecoder = text): ColumnCodec {
  return { text, binary, binaryWidth: LENENC }
}

export function columnCodec(column: ColumnDefinition, o: ResolvedTypeOptions): ColumnCodec {
  const unsigned = (column.flags & ColumnFlag.UNSIGNED) !== 0
  const isBinary = column.collation === BINARY_COLLATION
  switch (column.type) {
    case T.TINY:
      return { text: textInt, binary: binaryInt(1, unsigned), binaryWidth: 1 }
    case T.SHORT:
    case T.YEAR:
      return { text: textInt, binary: binaryInt(2, unsigned), binaryWidth: 2 }
    case T.INT24:
    case T.LONG:
      return { text: textInt, binary: binaryInt(4, unsigned), binaryWidth: 4 }
    case T.LONGLONG:
      return { text: textBigInt(o.bigint), binary: binaryBigInt(o.bigint, unsigned), binaryWidth: 8 }
    case T.FLOAT:
      return { text: textFloat, binary: binaryFloat, binaryWidth: 4 }
    case T.DOUBLE:
      return { text: textFloat, binary: binaryDouble, binaryWidth: 8 }
    case T.DECIMAL:
    case T.NEWDECIMAL:
      return varying(decimal(o.decimal))
    case T.DATE:
    case T.NEWDATE:
      return { text: textDate(o.date), binary: binaryDate(o.date), binaryWidth: LENGTH_BYTE }
    case T.DATETIME:
    case T.DATETIME2:
    case T.TIMESTAMP:
    case T.TIMESTAMP2:
      return {
        text: textDateTime(o.datetime, o.tzOffsetMs),
        binary: binaryDateTime(o.datetime, column.decimals, o.tzOffsetMs),
        binaryWidth: LENGTH_BYTE,
      }
    case T.TIME:
    case T.TIME2:
      return { text: textTime, binary: binaryTime(column.decimals), binaryWidth: LENGTH_BYTE }
    case T.NULL:
      return { text: nothing, binary: nothing, binaryWidth: 0 }
    case T.BIT:
      return varying(o.bitOneAsBoolean && column.length === 1 ? bitOne : bytes)
    case T.JSON:
      return varying(json(o.json))
    case T.GEOMETRY:
      return varying(bytes)
    default:
      // Strings and blobs (VARCHAR, VAR_STRING, STRING, ENUM, SET, *BLOB); MariaDB marks JSON columns
      // with the extended format 'json' (MARIADB_CLIENT_EXTENDED_METADATA).
      if (column.format === 'json') return varying(json(o.json))
      return varying(isBinary ? bytes : utf8)
  }
}
