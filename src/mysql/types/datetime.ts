import { decodeError, type ValueDecoder } from './numbers.js'
import type { DateMode, DateTimeMode } from './options.js'

/**
 * DATE, DATETIME, TIMESTAMP and TIME. Text protocol: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS[.ffffff]'
 * with as many fraction digits as the column's decimals, '[-]HHH:MM:SS[.ffffff]'. Binary protocol
 * ("Binary Protocol Result Set Row", temporal values): a length byte, then for dates int<2> year,
 * int<1> month, day, [hour, minute, second, [int<4> microseconds]]; for TIME int<1> negative,
 * int<4> days, hour, minute, second, [int<4> microseconds]. Shorter forms mean zero fields.
 *
 * A DATETIME is a wall-clock time; as a Date it is read in the session time zone, which the
 * connection sets explicitly (timezone option), so reading is exact up to the millisecond.
 */

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n))
const pad4 = (n: number) => String(n).padStart(4, '0')

function fraction(us: number, decimals: number): string {
  if (decimals <= 0 || decimals > 6) return ''
  return `.${String(us).padStart(6, '0').slice(0, decimals)}`
}

/** Milliseconds since the epoch of a wall-clock UTC time; throws for a time a Date cannot be. */
function utcMs(type: string, y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31) {
    throw decodeError(
      type,
      `${pad4(y)}-${pad2(mo)}-${pad2(d)} is not a calendar date; use the 'string' type mode`,
    )
  }
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms))
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  date.setUTCFullYear(y)
  if (date.getUTCDate() !== d) {
    throw decodeError(type, `${pad4(y)}-${pad2(mo)}-${pad2(d)} does not exist; use the 'string' type mode`)
  }
  return date.getTime()
}

/** Two or more decimal digits at a fixed place; -1 for a non-digit. */
function num(b: Buffer, at: number, n: number): number {
  let v = 0
  for (let i = at; i < at + n; i++) {
    const d = b[i]! - 0x30
    if (d < 0 || d > 9) return -1
    v = v * 10 + d
  }
  return v
}

interface Fields {
  y: number
  mo: number
  d: number
  h: number
  mi: number
  s: number
  us: number
}

/** 'YYYY-MM-DD[ HH:MM:SS[.f…]]' into fields; `type` names the column type in errors. */
function parseText(b: Buffer, st: number, n: number, type: string): Fields {
  const f: Fields = {
    y: num(b, st, 4),
    mo: num(b, st + 5, 2),
    d: num(b, st + 8, 2),
    h: 0,
    mi: 0,
    s: 0,
    us: 0,
  }
  let ok = n >= 10 && b[st + 4] === 0x2d && b[st + 7] === 0x2d
  if (ok && n > 10) {
    ok = n >= 19 && b[st + 10] === 0x20 && b[st + 13] === 0x3a && b[st + 16] === 0x3a
    f.h = num(b, st + 11, 2)
    f.mi = num(b, st + 14, 2)
    f.s = num(b, st + 17, 2)
    if (ok && n > 19) {
      const digits = n - 20
      ok = b[st + 19] === 0x2e && digits >= 1 && digits <= 6
      f.us = num(b, st + 20, digits) * 10 ** (6 - digits)
    }
  }
  if (!ok || f.y < 0 || f.mo < 0 || f.d < 0 || f.h < 0 || f.mi < 0 || f.s < 0 || f.us < 0) {
    throw decodeError(type, `"${b.toString('latin1', st, st + n)}" is not a ${type}`)
  }
  return f
}

/** Fields of a binary DATE/DATETIME/TIMESTAMP of length 0, 4, 7 or 11. */
function binaryFields(b: Buffer, s: number, n: number, type: string): Fields {
  if (n !== 0 && n !== 4 && n !== 7 && n !== 11) throw decodeError(type, `binary length ${n}`)
  return {
    y: n >= 4 ? b[s]! | (b[s + 1]! << 8) : 0,
    mo: n >= 4 ? b[s + 2]! : 0,
    d: n >= 4 ? b[s + 3]! : 0,
    h: n >= 7 ? b[s + 4]! : 0,
    mi: n >= 7 ? b[s + 5]! : 0,
    s: n >= 7 ? b[s + 6]! : 0,
    us: n === 11 ? b.readUInt32LE(s + 7) : 0,
  }
}

function dateText(f: Fields): string {
  return `${pad4(f.y)}-${pad2(f.mo)}-${pad2(f.d)}`
}

function dateTimeText(f: Fields, decimals: number): string {
  return `${dateText(f)} ${pad2(f.h)}:${pad2(f.mi)}:${pad2(f.s)}${fraction(f.us, decimals)}`
}

function dateValue(f: Fields, mode: DateMode): unknown {
  return mode === 'string' ? dateText(f) : new Date(utcMs('DATE', f.y, f.mo, f.d, 0, 0, 0, 0))
}

function dateTimeValue(f: Fields, mode: DateTimeMode, decimals: number, tzOffsetMs: number): unknown {
  if (mode === 'string') return dateTimeText(f, decimals)
  return new Date(utcMs('DATETIME', f.y, f.mo, f.d, f.h, f.mi, f.s, Math.floor(f.us / 1000)) - tzOffsetMs)
}

export function textDate(mode: DateMode): ValueDecoder {
  return mode === 'string'
    ? (b, s, n) => b.toString('latin1', s, s + n)
    : (b, s, n) => dateValue(parseText(b, s, n, 'DATE'), mode)
}

export function binaryDate(mode: DateMode): ValueDecoder {
  return (b, s, n) => dateValue(binaryFields(b, s, n, 'DATE'), mode)
}

export function textDateTime(mode: DateTimeMode, tzOffsetMs: number): ValueDecoder {
  return mode === 'string'
    ? (b, s, n) => b.toString('latin1', s, s + n)
    : (b, s, n) => dateTimeValue(parseText(b, s, n, 'DATETIME'), mode, 0, tzOffsetMs)
}

export function binaryDateTime(mode: DateTimeMode, decimals: number, tzOffsetMs: number): ValueDecoder {
  return (b, s, n) => dateTimeValue(binaryFields(b, s, n, 'DATETIME'), mode, decimals, tzOffsetMs)
}

/** TIME is a duration ('-838:59:59' to '838:59:59'), not a time of day: always a string. */
export const textTime: ValueDecoder = (b, s, n) => b.toString('latin1', s, s + n)

export function binaryTime(decimals: number): ValueDecoder {
  return (b, s, n) => {
    if (n === 0) return `00:00:00${fraction(0, decimals)}`
    if (n !== 8 && n !== 12) throw decodeError('TIME', `binary length ${n}`)
    const hours = b.readUInt32LE(s + 1) * 24 + b[s + 5]!
    const us = n === 12 ? b.readUInt32LE(s + 8) : 0
    const sign = b[s] === 1 ? '-' : ''
    return `${sign}${pad2(hours)}:${pad2(b[s + 6]!)}:${pad2(b[s + 7]!)}${fraction(us, decimals)}`
  }
}
