import { QueryError } from '../errors/classes.js'
import type { FormatCode } from './protocol/codes.js'

/**
 * What the connection needs from a type layer: for each type OID, how to decode a result column
 * and how to encode a parameter, each with its wire format. The connection resolves these once
 * per prepared statement (DESIGN §2: per-statement compiled decoders), never per row.
 */
export interface ResultCodec {
  format: FormatCode
  /** Decodes `length` bytes at `offset` (never called for NULL). */
  decode(buffer: Buffer, offset: number, length: number): unknown
}

export interface ParamCodec {
  format: FormatCode
  /** Encodes a non-null value for the parameter's type. */
  encode(value: unknown): Uint8Array
}

export interface TypeCodecs {
  result(typeOid: number): ResultCodec
  param(typeOid: number): ParamCodec
}

/**
 * The built-in text-format codecs, used until a binary type layer is plugged in: results come as
 * the server's text with the few unambiguous conversions below; everything else stays a string.
 */
// Buffer#utf8Slice skips toString's argument handling, which costs as much as the decoding itself
// for the short values of a typical row.
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(start: number, end: number): string }).utf8Slice
const decodeText = (b: Buffer, o: number, n: number): string => utf8Slice.call(b, o, o + n)
const text = (decode: ResultCodec['decode']): ResultCodec => ({ format: 0, decode })
const asString = text(decodeText)
const asNumber = text((b, o, n) => Number(decodeText(b, o, n)))

/** A decimal integer of at most 15 digits, read from the bytes without making a string. */
function decodeSmallInt(b: Buffer, o: number, n: number): number {
  const negative = b[o] === 0x2d // '-'
  let value = 0
  for (let i = negative ? o + 1 : o; i < o + n; i++) value = value * 10 + b[i]! - 0x30
  return negative ? -value : value
}
const asInteger = text(decodeSmallInt)

const RESULT_BY_OID = new Map<number, ResultCodec>([
  [16, text((b, o) => b[o] === 0x74 /* 't' */)], // bool
  [21, asInteger], // int2
  [23, asInteger], // int4
  [26, asInteger], // oid
  [700, asNumber], // float4: Number() also reads NaN, Infinity, -Infinity
  [701, asNumber], // float8
  // int8: exact by default; up to 15 digits fit a double exactly, so skip the string then.
  [20, text((b, o, n) => (n <= 15 ? BigInt(decodeSmallInt(b, o, n)) : BigInt(decodeText(b, o, n))))],
  [114, text((b, o, n) => JSON.parse(decodeText(b, o, n)))], // json
  [3802, text((b, o, n) => JSON.parse(decodeText(b, o, n)))], // jsonb
  [17, text((b, o, n) => Buffer.from(decodeText(b, o + 2, n - 2), 'hex'))], // bytea, hex output format
])

function encodeTextParam(value: unknown): Uint8Array {
  switch (typeof value) {
    case 'string':
      return Buffer.from(value)
    case 'number':
    case 'bigint':
      return Buffer.from(String(value))
    case 'boolean':
      return Buffer.from(value ? 't' : 'f')
    case 'object':
      if (value instanceof Uint8Array) return Buffer.from(`\\x${Buffer.from(value).toString('hex')}`)
      if (value instanceof Date) return Buffer.from(value.toISOString())
      return Buffer.from(JSON.stringify(value))
    default:
      throw new QueryError('ERR_TYPE_ENCODE', `cannot encode a parameter of type ${typeof value}`)
  }
}

const TEXT_PARAM: ParamCodec = { format: 0, encode: encodeTextParam }

export const textCodecs: TypeCodecs = {
  result: (oid) => RESULT_BY_OID.get(oid) ?? asString,
  param: () => TEXT_PARAM,
}
