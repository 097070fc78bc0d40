import { decodeError, encodeError, HEX, type PgType, utf8, utf8Bytes } from './pg-type.js'
import { textBind, valueText } from './text-param.js'

/**
 * text, varchar, bpchar, name, xml (textsend: the bytes in the client encoding, UTF-8 here),
 * "char" (charsend: one byte), bytea (byteasend: raw bytes), uuid (uuid_send: 16 bytes), json
 * (the text) and jsonb (jsonb_send: a version byte, 1, then the text).
 */

/** A text type's value: a string as is, anything else as node-postgres writes it (valueText). */
export function textType(name: string): PgType {
  return {
    name,
    decode: utf8,
    encode: (v) => utf8Bytes(valueText(v)),
    parse: (s) => s,
    serialize: valueText,
    stringsToServer: true,
    bindText: true,
    bind: textBind,
  }
}

/**
 * "char", a single byte (char.c). charout prints a byte with the high bit set as \ooo (octal)
 * and NUL as the empty string; charin reads \ooo, else takes the first byte of its input.
 * Decoding the byte as UTF-8 would turn 0xff into U+FFFD, and encoding a multi-byte character
 * whole would send charrecv more than its one byte.
 */
function charText(byte: number): string {
  if (byte === 0) return ''
  if (byte < 0x80) return String.fromCharCode(byte)
  return `\\${byte.toString(8)}`
}

function isOctal(c: number): boolean {
  return c >= 0x30 && c <= 0x37
}

function charByte(value: unknown): number {
  const s = valueText(value)
  if (
    s.length === 4 &&
    s[0] === '\\' &&
    isOctal(s.charCodeAt(1)) &&
    isOctal(s.charCodeAt(2)) &&
    isOctal(s.charCodeAt(3))
  ) {
    return Number.parseInt(s.slice(1), 8) & 0xff
  }
  if (s.length === 0) return 0
  const c = s.charCodeAt(0)
  return c < 0x80 ? c : Buffer.from(s.slice(0, 2), 'utf8')[0]!
}

export const charType: PgType = {
  name: 'char',
  decode: (b, o, n) => (n === 0 ? '' : charText(b[o]!)),
  encode: (v) => Buffer.from([charByte(v)]),
  parse: (s) => s,
  serialize: valueText,
  stringsToServer: true,
  bindText: true,
  bind: textBind,
}

function toBytes(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  if (value instanceof ArrayBuffer) return Buffer.from(value)
  throw encodeError('bytea', 'a Buffer, Uint8Array or ArrayBuffer')
}

/** byteaout's two formats: hex (`\x0aff`, the default since 9.0) and escape (octal `\ooo`, `\\`). */
function parseBytea(s: string): Buffer {
  if (s.startsWith('\\x')) return Buffer.from(s.slice(2), 'hex')
  const out: number[] = []
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c !== 0x5c) out.push(c)
    else if (s[i + 1] === '\\') {
      out.push(0x5c)
      i++
    } else {
      out.push(Number.parseInt(s.slice(i + 1, i + 4), 8))
      i += 3
    }
  }
  return Buffer.from(out)
}

export const byteaType: PgType = {
  name: 'bytea',
  // A copy: the row's buffer is the socket's chunk, which must not be kept alive by a value.
  decode: (b, o, n) => Buffer.from(b.subarray(o, o + n)),
  encode: toBytes,
  parse: parseBytea,
  serialize: (v) => `\\x${toBytes(v).toString('hex')}`,
  stringsToServer: true,
}

// uuid_in: 32 hex digits, optionally in braces, optionally hyphenated after any group of four.
const UUID_TEXT = /^\{?([0-9a-f]{4}-?){7}[0-9a-f]{4}\}?$/i

function uuidHex(value: unknown): string {
  if (typeof value === 'string' && UUID_TEXT.test(value)) return value.replace(/[{}-]/g, '').toLowerCase()
  // uuid_recv's 16 bytes, which node-postgres sends for a Buffer.
  if (value instanceof Uint8Array && value.length === 16) return Buffer.from(value).toString('hex')
  throw encodeError('uuid', 'a UUID string or 16 bytes')
}

function formatUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function decodeUuid(b: Buffer, o: number): string {
  let s = ''
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-'
    s += HEX[b[o + i]!]
  }
  return s
}

export const uuidType: PgType = {
  name: 'uuid',
  decode: decodeUuid,
  encode: (v) => Buffer.from(uuidHex(v), 'hex'),
  parse: (s) => s,
  serialize: (v) => formatUuid(uuidHex(v)),
  stringsToServer: true,
}

/** How json and jsonb values are returned: parsed (default) or as the JSON text. */
export type JsonMode = 'parse' | 'string'

/**
 * A string is taken as JSON text as it is (like pg and postgres.js), so pre-serialised JSON is not
 * encoded twice; anything else goes through JSON.stringify. To store a JSON string, stringify it.
 */
function jsonText(value: unknown, type: string): string {
  if (typeof value === 'string') return value
  // A bigint is its decimal, a JSON number (JSON.stringify refuses it); NaN and ±Infinity are no
  // JSON number, and JSON.stringify's 'null' for them would store a different value.
  if (typeof value === 'bigint') return String(value)
  if (typeof value === 'number' && !Number.isFinite(value)) throw encodeError(type, 'a finite number')
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (err) {
    // JSON.stringify throws on a bigint or a cycle; its message names no value.
    throw encodeError(type, 'a JSON-serialisable value', err)
  }
  if (text === undefined) throw encodeError(type, 'a JSON-serialisable value')
  return text
}

export function jsonType(mode: JsonMode): PgType {
  const parse = mode === 'parse' ? (s: string) => JSON.parse(s) as unknown : (s: string) => s
  return {
    name: 'json',
    decode: (b, o, n) => parse(utf8(b, o, n)),
    encode: (v) => utf8Bytes(jsonText(v, 'json')),
    parse,
    serialize: (v) => jsonText(v, 'json'),
    flatArrays: true,
    stringsToServer: true,
    bindText: true,
    bind: (v) => (v instanceof Uint8Array ? v : jsonText(v, 'json')),
  }
}

const JSONB_VERSION = 1

export function jsonbType(mode: JsonMode): PgType {
  const parse = mode === 'parse' ? (s: string) => JSON.parse(s) as unknown : (s: string) => s
  return {
    name: 'jsonb',
    decode: (b, o, n) => {
      if (b[o] !== JSONB_VERSION) throw decodeError('jsonb', `unsupported jsonb version ${b[o]}`)
      return parse(utf8(b, o + 1, n - 1))
    },
    encode: (v) => {
      const text = jsonText(v, 'jsonb')
      const out = Buffer.allocUnsafe(1 + Buffer.byteLength(text))
      out[0] = JSONB_VERSION
      out.write(text, 1)
      return out
    },
    parse,
    serialize: (v) => jsonText(v, 'jsonb'),
    flatArrays: true,
    stringsToServer: true,
    bindText: true,
    // In text format (bindText) a Buffer is the JSON text, as node-postgres sends it.
    bind: (v) => (v instanceof Uint8Array ? v : jsonText(v, 'jsonb')),
  }
}
