import { decodeError, encodeError, HEX, type PgType, utf8, utf8Bytes } from './pg-type.js'

/**
 * text, varchar, bpchar, name, "char", xml (textsend: the bytes in the client encoding, UTF-8
 * here), bytea (byteasend: raw bytes), uuid (uuid_send: 16 bytes), json (the text) and jsonb
 * (jsonb_send: a version byte, 1, then the text).
 */

function toText(value: unknown, type: string): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  throw encodeError(type, 'a string (or a number)')
}

export function textType(name: string): PgType {
  return {
    name,
    decode: utf8,
    encode: (v) => utf8Bytes(toText(v, name)),
    parse: (s) => s,
    serialize: (v) => toText(v, name),
  }
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
}

// uuid_in: 32 hex digits, optionally in braces, optionally hyphenated after any group of four.
const UUID_TEXT = /^\{?([0-9a-f]{4}-?){7}[0-9a-f]{4}\}?$/i

function uuidHex(value: unknown): string {
  if (typeof value === 'string' && UUID_TEXT.test(value)) return value.replace(/[{}-]/g, '').toLowerCase()
  throw encodeError('uuid', 'a UUID string')
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
}

/** How json and jsonb values are returned: parsed (default) or as the JSON text. */
export type JsonMode = 'parse' | 'string'

/**
 * A string is taken as JSON text as it is (like pg and postgres.js), so pre-serialised JSON is not
 * encoded twice; anything else goes through JSON.stringify. To store a JSON string, stringify it.
 */
function jsonText(value: unknown, type: string): string {
  if (typeof value === 'string') return value
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
  }
}
