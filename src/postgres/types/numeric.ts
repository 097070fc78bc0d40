import { decodeError, encodeError, type PgType } from './pg-type.js'

/**
 * numeric (numeric.c, numeric_send/numeric_recv): int16 ndigits, int16 weight, uint16 sign,
 * uint16 dscale, then ndigits base-10000 digits, the first of weight `weight` (10000^weight).
 * Special values are sign codes. Decoded as the exact decimal text PostgreSQL prints (default) or,
 * opt-in and lossy, as a JS number.
 */
export type NumericMode = 'string' | 'number'

const NUMERIC_POS = 0x0000
const NUMERIC_NEG = 0x4000
const NUMERIC_NAN = 0xc000
const NUMERIC_PINF = 0xd000
const NUMERIC_NINF = 0xf000
/** numeric.c: NUMERIC_MAX_DISPLAY_SCALE and the weight range an int16 holds. */
const MAX_DSCALE = 0x3fff
const MAX_DIGITS = 200_000

const PAD = ['0000', '000', '00', '0', '']
const pad4 = (d: number): string => {
  const s = String(d)
  return PAD[s.length] + s
}

export function decodeNumericText(b: Buffer, o: number): string {
  const ndigits = (b[o]! << 8) | b[o + 1]!
  const weight = ((b[o + 2]! << 24) >> 16) | b[o + 3]!
  const sign = (b[o + 4]! << 8) | b[o + 5]!
  const dscale = (b[o + 6]! << 8) | b[o + 7]!
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) return specialText(sign)
  // Digit k (at o + 8 + 2k) has weight `weight - k`: the integer part is weights weight..0.
  const digit = (k: number): number =>
    k < ndigits && k >= 0 ? (b[o + 8 + 2 * k]! << 8) | b[o + 9 + 2 * k]! : 0
  let s = sign === NUMERIC_NEG ? '-' : ''
  if (weight < 0) s += '0'
  else {
    s += digit(0)
    for (let k = 1; k <= weight; k++) s += pad4(digit(k))
  }
  if (dscale === 0) return s
  s += '.'
  let left = dscale
  for (let k = weight + 1; left > 0; k++, left -= 4) {
    const d = pad4(digit(k))
    s += left >= 4 ? d : d.slice(0, left)
  }
  return s
}

function specialText(sign: number): string {
  if (sign === NUMERIC_NAN) return 'NaN'
  if (sign === NUMERIC_PINF) return 'Infinity'
  if (sign === NUMERIC_NINF) return '-Infinity'
  throw decodeError('numeric', 'unknown sign code')
}

const NUMERIC_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i

/** The numeric_send bytes of a decimal string, number or bigint (plus NaN and ±Infinity). */
export function encodeNumeric(value: unknown): Buffer {
  let text: string
  if (typeof value === 'string') text = value.trim()
  else if (typeof value === 'number' || typeof value === 'bigint') text = String(value)
  else throw encodeError('numeric', 'a decimal string, number or bigint')
  const special = specialSign(text)
  // numeric_send writes the header's display-scale bits as dscale, which for ±Infinity is 32;
  // numeric_recv ignores it for special values. Writing the same keeps the bytes identical.
  if (special !== undefined) return header(0, 0, special, (special & 0x1f80) >> 7)
  const m = NUMERIC_TEXT.exec(text)
  if (m === null || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
    throw encodeError('numeric', 'a decimal string, number or bigint')
  }
  const exponent = m[4] === undefined ? 0 : Number(m[4])
  let intPart = m[2]!
  let fracPart = m[3] ?? ''
  if (Math.abs(exponent) > MAX_DIGITS) throw encodeError('numeric', 'a value within numeric range')
  // Move the decimal point by the exponent, as numeric_in does (dscale = fraction digits left).
  if (exponent > 0) {
    const moved = fracPart.padEnd(exponent, '0')
    intPart += moved.slice(0, exponent)
    fracPart = moved.slice(exponent)
  } else if (exponent < 0) {
    const moved = intPart.padStart(-exponent, '0')
    fracPart = moved.slice(moved.length + exponent) + fracPart
    intPart = moved.slice(0, moved.length + exponent)
  }
  intPart = intPart.replace(/^0+/, '')
  const dscale = fracPart.length
  if (dscale > MAX_DSCALE || intPart.length > MAX_DIGITS) {
    throw encodeError('numeric', 'a value within numeric range')
  }
  // Group into base-10000 digits aligned on the decimal point.
  const intGroups = Math.ceil(intPart.length / 4)
  const digits = intPart.padStart(intGroups * 4, '0') + fracPart.padEnd(Math.ceil(dscale / 4) * 4, '0')
  const groups: number[] = []
  for (let i = 0; i < digits.length; i += 4) groups.push(Number(digits.slice(i, i + 4)))
  let weight = intGroups - 1
  let first = 0
  while (first < groups.length && groups[first] === 0) {
    first++
    weight--
  }
  let last = groups.length
  while (last > first && groups[last - 1] === 0) last--
  if (first === last) return header(0, 0, NUMERIC_POS, dscale)
  const negative = m[1] === '-'
  const out = header(last - first, weight, negative ? NUMERIC_NEG : NUMERIC_POS, dscale)
  for (let k = first; k < last; k++) out.writeInt16BE(groups[k]!, 8 + 2 * (k - first))
  return out
}

function specialSign(text: string): number | undefined {
  switch (text.toLowerCase()) {
    case 'nan':
      return NUMERIC_NAN
    case 'infinity':
    case '+infinity':
    case 'inf':
    case '+inf':
      return NUMERIC_PINF
    case '-infinity':
    case '-inf':
      return NUMERIC_NINF
  }
  return undefined
}

function header(ndigits: number, weight: number, sign: number, dscale: number): Buffer {
  const b = Buffer.allocUnsafe(8 + 2 * ndigits)
  b.writeUInt16BE(ndigits, 0)
  b.writeInt16BE(weight, 2)
  b.writeUInt16BE(sign, 4)
  b.writeUInt16BE(dscale, 6)
  return b
}

/** The text numeric_in accepts; checked here so a bad value fails before reaching the server. */
function numericText(value: unknown): string {
  if (typeof value === 'string') {
    // The binary encoder's checks (syntax, range) apply to the text as well.
    encodeNumeric(value)
    return value.trim()
  } else if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value)
  else if (typeof value === 'bigint') return String(value)
  throw encodeError('numeric', 'a decimal string, number or bigint')
}

export function numericType(mode: NumericMode): PgType {
  return {
    name: 'numeric',
    decode: mode === 'string' ? decodeNumericText : (b, o) => Number(decodeNumericText(b, o)),
    encode: encodeNumeric,
    parse: mode === 'string' ? String : Number,
    serialize: numericText,
    stringsToServer: true,
  }
}
