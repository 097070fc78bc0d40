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
 * bool, int2, int4, oid, int8 (boolsend, int2send, int4send, oidsend, int8send in
 * src/backend/utils/adt): fixed-width big-endian values. float4 and float8 are in floats.ts.
 */

function fixed(size: number, write: (b: Buffer, v: number) => void): (v: number) => Buffer {
  return (v) => {
    const b = Buffer.allocUnsafe(size)
    write(b, v)
    return b
  }
}

/**
 * boolin's words (bool.c, parse_bool_with_len): any prefix of true/false/yes/no, on/off with at
 * least two letters, 1/0, any case, surrounding spaces ignored.
 */
function parseBool(text: string): boolean | undefined {
  const s = text.trim().toLowerCase()
  if (s.length === 0) return undefined
  for (const [word, value, min] of BOOL_WORDS) {
    if (s.length >= min && word.startsWith(s)) return value
  }
  return undefined
}

const BOOL_WORDS: readonly [string, boolean, number][] = [
  ['true', true, 1],
  ['false', false, 1],
  ['yes', true, 1],
  ['no', false, 1],
  ['on', true, 2],
  ['off', false, 2],
  ['1', true, 1],
  ['0', false, 1],
]

function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value
  // node-postgres sends a number as its text, which boolin reads only as 1 or 0.
  if (value === 1 || value === 0) return value === 1
  if (typeof value === 'string') {
    const b = parseBool(value)
    if (b !== undefined) return b
  }
  throw encodeError('bool', "a boolean (or 1, 0, or boolin's words: 't', 'false', 'yes', 'off' ...)")
}

export const boolType: PgType = {
  name: 'bool',
  decode: (b, o) => b[o] !== 0,
  encode: (v) => Buffer.from([toBool(v) ? 1 : 0]),
  parse: (s) => s === 't',
  decodeText: (b, o) => b[o] === 0x74, // 't'
  serialize: (v) => (toBool(v) ? 't' : 'f'),
  stringsToServer: true,
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
    stringsToServer: true,
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
  stringsToServer: true,
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
    stringsToServer: true,
  }
}
