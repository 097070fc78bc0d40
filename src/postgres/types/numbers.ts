import {
  decodeDecimal,
  encodeError,
  type PgType,
  readInt64,
  readInt64Number,
  toBigIntValue,
  toIntValue,
  utf8,
  writeInt64,
} from './pg-type.js'

/**
 * bool, int2, int4, oid, int8, float4, float8 (boolsend, int2send, int4send, oidsend, int8send,
 * float4send, float8send in src/backend/utils/adt): fixed-width big-endian values.
 */

function fixed(size: number, write: (b: Buffer, v: number) => void): (v: number) => Buffer {
  return (v) => {
    const b = Buffer.allocUnsafe(size)
    write(b, v)
    return b
  }
}

const BOOL_TEXT: Record<string, boolean> = { t: true, true: true, f: false, false: false }

function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value
  if (typeof value === 'string') {
    const b = BOOL_TEXT[value.trim().toLowerCase()]
    if (b !== undefined) return b
  }
  throw encodeError('bool', "a boolean (or 't', 'f', 'true', 'false')")
}

export const boolType: PgType = {
  name: 'bool',
  decode: (b, o) => b[o] !== 0,
  encode: (v) => Buffer.from([toBool(v) ? 1 : 0]),
  parse: (s) => s === 't',
  decodeText: (b, o) => b[o] === 0x74, // 't'
  serialize: (v) => (toBool(v) ? 't' : 'f'),
}

function intType(name: string, size: 2 | 4, min: number, max: number): PgType {
  const toInt = (v: unknown) => toIntValue(v, name, min, max)
  const write =
    size === 2 ? fixed(2, (b, v) => b.writeInt16BE(v, 0)) : fixed(4, (b, v) => b.writeInt32BE(v, 0))
  return {
    name,
    decode:
      size === 2
        ? (b, o) => ((b[o]! << 24) | (b[o + 1]! << 16)) >> 16
        : (b, o) => (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!,
    encode: (v) => write(toInt(v)),
    parse: Number,
    decodeText: decodeDecimal,
    serialize: (v) => String(toInt(v)),
  }
}

export const int2Type = intType('int2', 2, -32768, 32767)
export const int4Type = intType('int4', 4, -2147483648, 2147483647)

const writeUint32 = fixed(4, (b, v) => b.writeUInt32BE(v, 0))
const toOid = (v: unknown) => toIntValue(v, 'oid', 0, 4294967295)
export const oidType: PgType = {
  name: 'oid',
  decode: (b, o) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0,
  encode: (v) => writeUint32(toOid(v)),
  parse: Number,
  decodeText: decodeDecimal,
  serialize: (v) => String(toOid(v)),
}

/** How int8 values are returned: exact `bigint` (default), exact decimal `string`, or lossy `number`. */
export type Int8Mode = 'bigint' | 'string' | 'number'

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

export function int8Type(mode: Int8Mode): PgType {
  const toInt8 = (v: unknown) => toBigIntValue(v, 'int8', INT64_MIN, INT64_MAX)
  const decoders: Record<Int8Mode, PgType['decode']> = {
    bigint: readInt64,
    number: readInt64Number,
    string: (b, o) => {
      const n = readInt64Number(b, o)
      return Number.isSafeInteger(n) ? String(n) : String(readInt64(b, o))
    },
  }
  const parsers: Record<Int8Mode, PgType['parse']> = { bigint: BigInt, number: Number, string: String }
  return {
    name: 'int8',
    decode: decoders[mode],
    encode: (v) => {
      const b = Buffer.allocUnsafe(8)
      writeInt64(b, 0, toInt8(v))
      return b
    },
    parse: parsers[mode],
    // Up to 15 digits fit a double exactly: skip the intermediate string.
    decodeText:
      mode === 'bigint'
        ? (b, o, n) => (n <= 15 ? BigInt(decodeDecimal(b, o, n)) : BigInt(utf8(b, o, n)))
        : undefined,
    serialize: (v) => String(toInt8(v)),
  }
}

// float8in accepts these spellings besides decimal numbers (float.c, float8in_internal).
const FLOAT_TEXT = /^\s*([+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?|[+-]?(infinity|inf)|nan)\s*$/i

function toFloat(value: unknown, type: string): number {
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'string' && FLOAT_TEXT.test(value)) {
    const s = value.trim().toLowerCase()
    if (s === 'nan') return Number.NaN
    if (/^[+-]?inf/.test(s)) return s.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
    return Number(s)
  }
  throw encodeError(type, 'a number (or a decimal string, NaN, Infinity)')
}

/** The text of a float as PostgreSQL 12+ prints it: shortest exact digits, NaN, Infinity. */
function floatText(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Number.POSITIVE_INFINITY) return 'Infinity'
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity'
  return Object.is(v, -0) ? '-0' : String(v)
}

/**
 * The shortest decimal that reads back as the same float4, which is what PostgreSQL prints
 * (float4out with extra_float_digits ≥ 1, the default since 12). Returning the widened double
 * (0.1 → 0.10000000149011612) would differ from what psql shows for the same value.
 */
function shortestFloat4(f: number): number {
  if (!Number.isFinite(f) || (Number.isInteger(f) && Math.abs(f) < 2 ** 24)) return f
  for (let p = 1; p < 9; p++) {
    const v = Number(f.toPrecision(p))
    if (Math.fround(v) === f) return v
  }
  return f
}

const writeFloat4 = fixed(4, (b, v) => b.writeFloatBE(v, 0))

/** A finite double beyond float4's range would silently become Infinity: refuse it instead. */
function toFloat4(value: unknown): number {
  const v = toFloat(value, 'float4')
  if (Number.isFinite(v) && !Number.isFinite(Math.fround(v)))
    throw encodeError('float4', 'a number within ±3.4e38')
  return v
}
const writeFloat8 = fixed(8, (b, v) => b.writeDoubleBE(v, 0))

export const float4Type: PgType = {
  name: 'float4',
  decode: (b, o) => shortestFloat4(b.readFloatBE(o)),
  encode: (v) => writeFloat4(toFloat4(v)),
  parse: Number,
  serialize: (v) => floatText(toFloat4(v)),
}

export const float8Type: PgType = {
  name: 'float8',
  decode: (b, o) => b.readDoubleBE(o),
  encode: (v) => writeFloat8(toFloat(v, 'float8')),
  parse: Number,
  serialize: (v) => floatText(toFloat(v, 'float8')),
}
