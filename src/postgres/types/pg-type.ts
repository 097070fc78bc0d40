import { QueryError } from '../../errors/classes.js'
import { decodeUtf8 } from '../../internal/utf8.js'

/**
 * One PostgreSQL type as a pair of representations (PostgreSQL docs §55.2.2 "Formats and Format
 * Codes"): the binary format of the type's `*_send`/`*_recv` functions and the text format of its
 * `*_out`/`*_in` functions. Binary decoders read `length` bytes at `offset` (never NULL);
 * encoders are given a non-null value and throw `ERR_TYPE_ENCODE` when it does not fit the type.
 */
export interface PgType {
  readonly name: string
  /** Binary (format 1) decoder; absent for text-only types. */
  readonly decode?: ((buffer: Buffer, offset: number, length: number) => unknown) | undefined
  /** Binary (format 1) encoder; absent for text-only types. */
  readonly encode?: ((value: unknown) => Uint8Array) | undefined
  /** Text (format 0) decoder: the server's `*_out` text to a value. */
  readonly parse: (text: string) => unknown
  /** The same as `parse`, straight from the bytes (a fast path for short, common values). */
  readonly decodeText?: ((buffer: Buffer, offset: number, length: number) => unknown) | undefined
  /** Text (format 0) encoder: a value to text the server's `*_in` accepts. */
  readonly serialize: (value: unknown) => string
  /** Arrays of this type nest only at the top level (json: a JS array is itself a value). */
  readonly flatArrays?: boolean
  /**
   * A string parameter goes to the server as it is, in text format, and the type's input function
   * parses it (issue 14): parsing it here would disagree with the server (the session's TimeZone,
   * DateStyle, every spelling `*_in` accepts, its rounding and range errors). Set for every
   * built-in type; a custom type's `serialize` sees its strings.
   */
  readonly stringsToServer?: boolean
  /**
   * Bind sends this type in text format even with binary on: its binary form of a string is the
   * same bytes (text types, json, jsonb), so one format serves strings and other values alike.
   */
  readonly bindText?: boolean
  /**
   * The Bind encoder of a non-string value, when it may differ from `encode` (binary on) or
   * `serialize` (bindText): bytes in the parameter's format, or text (a string) to send in text
   * format instead, as arrays with string elements do.
   */
  readonly bind?: ((value: unknown) => Uint8Array | string) | undefined
}

/**
 * The error for a value that does not fit its parameter type. It names the type and what was
 * expected, never the value (DESIGN §4: parameter values may be secrets); the statement layer adds
 * the parameter's position.
 */
export function encodeError(type: string, expected: string, cause?: unknown): QueryError {
  const message = `cannot encode the value as ${type}: expected ${expected}`
  return new QueryError('ERR_TYPE_ENCODE', message, cause === undefined ? undefined : { cause })
}

export function decodeError(type: string, why: string): QueryError {
  return new QueryError('ERR_TYPE_DECODE', `cannot decode a ${type} value: ${why}`)
}

export const utf8 = (b: Buffer, o: number, n: number): string => decodeUtf8(b, o, o + n)

/** Buffer.from(string) without the encoding-argument handling; UTF-8. */
export const utf8Bytes = (s: string): Buffer => Buffer.from(s, 'utf8')

/** A signed 64-bit integer at `o` as a JS number (exact up to 2^53). */
export function readInt64Number(b: Buffer, o: number): number {
  const hi = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!
  const lo = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0
  return hi * 4294967296 + lo
}

/** A signed 64-bit integer at `o`, exactly. */
export function readInt64(b: Buffer, o: number): bigint {
  const hi = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!
  const lo = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0
  // Within ±2^53 the double is exact, and one BigInt(number) is cheaper than shifts and ors.
  if (hi >= -0x200000 && hi < 0x200000) return BigInt(hi * 4294967296 + lo)
  return (BigInt(hi) << 32n) | BigInt(lo)
}

export function writeInt64(b: Buffer, o: number, v: bigint): void {
  b.writeBigInt64BE(v, o)
}

/** Writes an integral number of at most ±2^63 as a big-endian int64. */
export function writeInt64Number(b: Buffer, o: number, v: number): void {
  if (v >= -9007199254740992 && v <= 9007199254740992) {
    const hi = Math.floor(v / 4294967296)
    b.writeInt32BE(hi, o)
    b.writeUInt32BE(v - hi * 4294967296, o + 4)
  } else b.writeBigInt64BE(BigInt(v), o)
}

/** An exact integer from a JS value: bigint, integral number, or a decimal string. */
export function toBigIntValue(value: unknown, type: string, min: bigint, max: bigint): bigint {
  let v: bigint
  if (typeof value === 'bigint') v = value
  else if (typeof value === 'number' && Number.isInteger(value)) v = BigInt(value)
  else if (typeof value === 'string' && /^[+-]?\d{1,40}$/.test(value.trim())) v = BigInt(value.trim())
  else throw encodeError(type, 'an integer (bigint, number or decimal string)')
  if (v < min || v > max) throw encodeError(type, `an integer in [${min}, ${max}]`)
  return v
}

/** An integral number in [min, max] from a number, bigint or decimal string. */
export function toIntValue(value: unknown, type: string, min: number, max: number): number {
  let v: number
  if (typeof value === 'number') v = value
  else if (typeof value === 'bigint') v = value >= min && value <= max ? Number(value) : Number.NaN
  else if (typeof value === 'string' && /^[+-]?\d{1,20}$/.test(value.trim())) v = Number(value.trim())
  else throw encodeError(type, 'an integer (number, bigint or decimal string)')
  if (!Number.isInteger(v) || v < min || v > max) throw encodeError(type, `an integer in [${min}, ${max}]`)
  return v
}

/** A decimal integer of at most 15 digits, read from the bytes without making a string. */
export function decodeDecimal(b: Buffer, o: number, n: number): number {
  const negative = b[o] === 0x2d // '-'
  let value = 0
  for (let i = negative ? o + 1 : o; i < o + n; i++) value = value * 10 + b[i]! - 0x30
  return negative ? -value : value
}

/** Two lowercase hex digits per byte value: formatting by table beats Buffer#toString('hex') for 6–16 bytes. */
export const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
