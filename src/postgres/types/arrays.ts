import { decodeError, encodeError, type PgType } from './pg-type.js'

/**
 * Arrays (arrayfuncs.c). Binary (array_send): int32 ndim, int32 has-nulls flag, int32 element
 * OID, per dimension int32 length and int32 lower bound, then each element as int32 length (-1 =
 * NULL) and bytes, in row-major order. Text (array_out): `{1,2,NULL}`, `{{1,2},{3,4}}`, with
 * elements double-quoted when needed. Lower bounds other than 1 are dropped: a JS array starts
 * at 0 whatever the server's bounds were.
 */
const MAXDIM = 6

function decodeBinaryArray(element: PgType, b: Buffer, o: number): unknown[] {
  const decode = element.decode!
  const ndim = b.readInt32BE(o)
  if (ndim === 0) return []
  if (ndim < 0 || ndim > MAXDIM) throw decodeError('array', `${ndim} dimensions`)
  const dims: number[] = []
  for (let d = 0; d < ndim; d++) dims.push(b.readInt32BE(o + 12 + 8 * d))
  let p = o + 12 + 8 * ndim
  const build = (d: number): unknown[] => {
    const n = dims[d]!
    const out = new Array<unknown>(n)
    for (let i = 0; i < n; i++) {
      if (d + 1 < ndim) out[i] = build(d + 1)
      else {
        const len = b.readInt32BE(p)
        p += 4
        if (len < 0) out[i] = null
        else {
          out[i] = decode(b, p, len)
          p += len
        }
      }
    }
    return out
  }
  return build(0)
}

/** The dimensions of a (rectangular) nested JS array; `flat` stops at the first level. */
function dimensionsOf(value: unknown[], flat: boolean, type: string): number[] {
  const dims: number[] = []
  let a: unknown = value
  while (Array.isArray(a)) {
    dims.push(a.length)
    if (a.length === 0 || flat) break
    a = a[0]
  }
  if (dims.length > MAXDIM) throw encodeError(type, `an array of at most ${MAXDIM} dimensions`)
  return dims
}

/** Walks the leaves in row-major order, checking that every sub-array has the expected shape. */
function forEachLeaf(
  value: unknown[],
  dims: number[],
  flat: boolean,
  type: string,
  visit: (v: unknown) => void,
): void {
  const walk = (a: unknown, d: number) => {
    if (d === dims.length) {
      if (Array.isArray(a) && !flat) {
        throw encodeError(type, 'a rectangular array (sub-arrays of equal lengths)')
      }
      visit(a)
      return
    }
    if (!Array.isArray(a) || a.length !== dims[d]) {
      throw encodeError(type, 'a rectangular array (sub-arrays of equal lengths)')
    }
    for (const x of a) walk(x, d + 1)
  }
  walk(value, 0)
}

function toArray(value: unknown, type: string): unknown[] {
  if (Array.isArray(value)) return value
  throw encodeError(type, 'an array')
}

function encodeBinaryArray(element: PgType, elementOid: number, value: unknown, type: string): Buffer {
  const arr = toArray(value, type)
  const flat = element.flatArrays === true
  const dims = dimensionsOf(arr, flat, type)
  const encode = element.encode!
  if (dims.includes(0)) {
    const b = Buffer.alloc(12)
    b.writeInt32BE(elementOid, 8)
    return b
  }
  const parts: (Uint8Array | null)[] = []
  let size = 12 + 8 * dims.length
  forEachLeaf(arr, dims, flat, type, (v) => {
    const bytes = v === null || v === undefined ? null : encode(v)
    parts.push(bytes)
    size += 4 + (bytes === null ? 0 : bytes.length)
  })
  const b = Buffer.allocUnsafe(size)
  b.writeInt32BE(dims.length, 0)
  b.writeInt32BE(parts.includes(null) ? 1 : 0, 4)
  b.writeInt32BE(elementOid, 8)
  let p = 12
  for (const n of dims) {
    b.writeInt32BE(n, p)
    b.writeInt32BE(1, p + 4)
    p += 8
  }
  for (const part of parts) {
    if (part === null) {
      b.writeInt32BE(-1, p)
      p += 4
    } else {
      b.writeInt32BE(part.length, p)
      b.set(part, p + 4)
      p += 4 + part.length
    }
  }
  return b
}

/**
 * array_in's syntax: optional `[1:2]=` bounds, braces, comma-separated elements that are nested
 * braces, double-quoted strings with backslash escapes, or bare words (NULL unquoted is NULL).
 */
export function parseArrayText(text: string, parseElement: (s: string) => unknown): unknown[] {
  let i = 0
  if (text[0] === '[') i = text.indexOf('=') + 1
  const fail = (): never => {
    throw decodeError('array', 'malformed array literal')
  }
  const parseList = (): unknown[] => {
    if (text[i] !== '{') fail()
    i++
    const out: unknown[] = []
    if (text[i] === '}') {
      i++
      return out
    }
    for (;;) {
      while (text[i] === ' ') i++
      if (text[i] === '{') out.push(parseList())
      else if (text[i] === '"') {
        let s = ''
        for (i++; text[i] !== '"'; i++) {
          if (i >= text.length) fail()
          if (text[i] === '\\') i++
          s += text[i]
        }
        i++
        out.push(parseElement(s))
      } else {
        let s = ''
        for (; i < text.length && text[i] !== ',' && text[i] !== '}'; i++) {
          if (text[i] === '\\') i++
          s += text[i]
        }
        s = s.trim()
        out.push(s.toUpperCase() === 'NULL' ? null : parseElement(s))
      }
      while (text[i] === ' ') i++
      if (text[i] === ',') i++
      else if (text[i] === '}') {
        i++
        return out
      } else fail()
    }
  }
  return parseList()
}

/** array_in text; every element quoted, which array_in always accepts. */
export function serializeArray(
  value: unknown,
  serialize: (v: unknown) => string,
  flat: boolean,
  type: string,
): string {
  const arr = toArray(value, type)
  const dims = dimensionsOf(arr, flat, type)
  const quote = (s: string) => `"${s.replace(/[\\"]/g, '\\$&')}"`
  const walk = (a: unknown, d: number): string => {
    if (d === dims.length || (flat && d === 1)) {
      return a === null || a === undefined ? 'NULL' : quote(serialize(a))
    }
    return `{${(a as unknown[]).map((x) => walk(x, d + 1)).join(',')}}`
  }
  if (dims.includes(0)) return '{}'
  forEachLeaf(arr, dims, flat, type, () => {})
  return walk(arr, 0)
}

/** Whether a string sits among the elements (a leaf, or any element of a flat array). */
function hasString(a: unknown, flat: boolean): boolean {
  if (!Array.isArray(a)) return false
  for (const x of a) {
    if (typeof x === 'string' || (!flat && hasString(x, false))) return true
  }
  return false
}

/**
 * The array type of `element`: binary when the element has a binary form, text otherwise. A
 * string parameter is array_in's text as it is. String elements of a built-in type go inside
 * array text for the element's input function to parse (a binary array would need them parsed
 * here), unless the string is the element's binary form already (bindText: text, json).
 */
export function arrayType(element: PgType, elementOid: number): PgType {
  const name = `${element.name}[]`
  const flat = element.flatArrays === true
  const binary = element.decode !== undefined && element.encode !== undefined
  const serializeElement = element.serialize
  const elementText =
    element.stringsToServer === true
      ? (v: unknown) => (typeof v === 'string' ? v : serializeElement(v))
      : serializeElement
  const serialize = (v: unknown) => serializeArray(v, elementText, flat, name)
  const encode = binary ? (v: unknown) => encodeBinaryArray(element, elementOid, v, name) : undefined
  const textElements = element.stringsToServer === true && element.bindText !== true
  return {
    name,
    decode: binary ? (b, o) => decodeBinaryArray(element, b, o) : undefined,
    encode,
    parse: (s) => parseArrayText(s, element.parse),
    serialize,
    stringsToServer: true,
    bind:
      encode !== undefined && textElements ? (v) => (hasString(v, flat) ? serialize(v) : encode(v)) : encode,
  }
}
