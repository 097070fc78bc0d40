import {
  formatDate,
  formatOffset,
  formatTime,
  PG_EPOCH_DAYS,
  PG_EPOCH_MS,
  parseDateTime,
  parseOffset,
  timeOfDay,
  US_PER_DAY,
} from './calendar.js'
import { encodeError, type PgType, readInt64, readInt64Number, writeInt64Number } from './pg-type.js'

/**
 * date (date_send: int32 days since 2000-01-01), time (int64 µs since midnight), timetz (time +
 * int32 zone in seconds WEST of UTC), timestamp and timestamptz (int64 µs since 2000-01-01 UTC).
 * The extremes of each integer are -infinity/infinity (DATEVAL_NOBEGIN/NOEND, DT_NOBEGIN/NOEND).
 */

/** How timestamps come back: `Date` (millisecond precision) or the exact text (microseconds). */
export type TimestampMode = 'date' | 'string'
/** How a timestamp WITHOUT time zone maps to a Date: wall clock read as UTC, or as local time. */
export type WallClockZone = 'utc' | 'local'
/** How `date` comes back: 'YYYY-MM-DD' text (default) or a Date at UTC midnight. */
export type DateMode = 'string' | 'date'

const INT32_MAX = 0x7fffffff
const INT32_MIN = -0x80000000
const infinityOf = (text: string): number | undefined =>
  text === 'infinity' || text === '+infinity' ? Infinity : text === '-infinity' ? -Infinity : undefined

/** ±Infinity as a number (and 'infinity' strings), or undefined for an ordinary value. */
function infinite(value: unknown): number | undefined {
  if (value === Infinity || value === -Infinity) return value
  return typeof value === 'string' ? infinityOf(value.trim().toLowerCase()) : undefined
}

function validDate(value: Date, type: string): number {
  const ms = value.getTime()
  if (Number.isNaN(ms)) throw encodeError(type, 'a valid Date')
  return ms
}

// date ---------------------------------------------------------------------------------------

function toPgDays(value: unknown): number {
  const inf = infinite(value)
  if (inf !== undefined) return inf > 0 ? INT32_MAX : INT32_MIN
  if (value instanceof Date) return Math.floor(validDate(value, 'date') / 86_400_000) - PG_EPOCH_DAYS
  if (typeof value === 'string') return parseDateTime(value, 'date').days
  throw encodeError('date', "a 'YYYY-MM-DD' string, a Date (its UTC day) or ±Infinity")
}

function dateValue(days: number, mode: DateMode): unknown {
  if (days === INT32_MAX) return mode === 'string' ? 'infinity' : Infinity
  if (days === INT32_MIN) return mode === 'string' ? '-infinity' : -Infinity
  if (mode === 'date') return new Date(PG_EPOCH_MS + days * 86_400_000)
  const { text, bc } = formatDate(days)
  return bc ? `${text} BC` : text
}

export function dateType(mode: DateMode): PgType {
  return {
    name: 'date',
    decode: (b, o) => dateValue(b.readInt32BE(o), mode),
    encode: (v) => {
      const b = Buffer.allocUnsafe(4)
      b.writeInt32BE(toPgDays(v), 0)
      return b
    },
    // In string mode the server's text (DateStyle ISO, set at startup) is already the value.
    parse:
      mode === 'string'
        ? (s) => s
        : (s) => {
            const inf = infinityOf(s)
            return dateValue(
              inf === undefined ? parseDateTime(s, 'date').days : inf > 0 ? INT32_MAX : INT32_MIN,
              mode,
            )
          },
    serialize: (v) => {
      const days = toPgDays(v)
      return days === INT32_MAX
        ? 'infinity'
        : days === INT32_MIN
          ? '-infinity'
          : (dateValue(days, 'string') as string)
    },
    stringsToServer: true,
  }
}

// time, timetz -----------------------------------------------------------------------------

const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)?$/i

function parseTime(value: unknown, type: string, withZone: boolean): { us: number; offset: number } {
  const m = typeof value === 'string' ? TIME.exec(value.trim()) : null
  if (m === null || (m[5] !== undefined && !withZone))
    throw encodeError(type, "an 'HH:MM[:SS[.ffffff]]' string")
  // Without an offset the server would apply the session's TimeZone, which is not known here.
  if (withZone && m[5] === undefined) throw encodeError(type, "an 'HH:MM[:SS[.ffffff]]+HH[:MM]' string")
  return { us: timeOfDay(m[1]!, m[2]!, m[3], m[4], type), offset: m[5] === undefined ? 0 : parseOffset(m[5]) }
}

export const timeType: PgType = {
  name: 'time',
  decode: (b, o) => formatTime(readInt64Number(b, o)),
  encode: (v) => {
    const b = Buffer.allocUnsafe(8)
    writeInt64Number(b, 0, parseTime(v, 'time', false).us)
    return b
  },
  parse: (s) => s,
  serialize: (v) => formatTime(parseTime(v, 'time', false).us),
  stringsToServer: true,
}

export const timetzType: PgType = {
  name: 'timetz',
  decode: (b, o) => formatTime(readInt64Number(b, o)) + formatOffset(-b.readInt32BE(o + 8)),
  encode: (v) => {
    const { us, offset } = parseTime(v, 'timetz', true)
    const b = Buffer.allocUnsafe(12)
    writeInt64Number(b, 0, us)
    b.writeInt32BE(-offset, 8)
    return b
  },
  parse: (s) => s,
  serialize: (v) => {
    const { us, offset } = parseTime(v, 'timetz', true)
    return formatTime(us) + formatOffset(offset)
  },
  stringsToServer: true,
}

// timestamp, timestamptz -----------------------------------------------------------------------

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)
const BIG_US_PER_DAY = BigInt(US_PER_DAY)

/** A JS Date in local time with the given wall clock (setFullYear keeps years 0–99 as such). */
function localDate(utcWallClock: Date): Date {
  const d = new Date(0)
  d.setFullYear(utcWallClock.getUTCFullYear(), utcWallClock.getUTCMonth(), utcWallClock.getUTCDate())
  d.setHours(
    utcWallClock.getUTCHours(),
    utcWallClock.getUTCMinutes(),
    utcWallClock.getUTCSeconds(),
    utcWallClock.getUTCMilliseconds(),
  )
  return d
}

/** The wall clock of a local Date, as milliseconds of the same clock read in UTC. */
function localWallClockMs(d: Date): number {
  const u = new Date(0)
  u.setUTCFullYear(d.getFullYear(), d.getMonth(), d.getDate())
  u.setUTCHours(d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds())
  return u.getTime()
}

/** Microseconds since 2000-01-01 as [days, µs into the day], exactly, from the int64 at `o`. */
function splitTimestamp(b: Buffer, o: number): [number, number] {
  const n = readInt64Number(b, o)
  if (Number.isSafeInteger(n)) {
    const days = Math.floor(n / US_PER_DAY)
    return [days, n - days * US_PER_DAY]
  }
  const v = readInt64(b, o)
  let days = v / BIG_US_PER_DAY
  let rest = v % BIG_US_PER_DAY
  if (rest < 0n) {
    days -= 1n
    rest += BIG_US_PER_DAY
  }
  return [Number(days), Number(rest)]
}

function timestampText(days: number, us: number, withZone: boolean): string {
  const { text, bc } = formatDate(days)
  return `${text} ${formatTime(us)}${withZone ? '+00' : ''}${bc ? ' BC' : ''}`
}

export interface TimestampOptions {
  mode: TimestampMode
  withZone: boolean
  wallClock: WallClockZone
}

function isInfinity(b: Buffer, o: number): number {
  const hi = b.readInt32BE(o)
  const lo = b.readUInt32BE(o + 4)
  if (hi === INT32_MAX && lo === 0xffffffff) return 1
  if (hi === INT32_MIN && lo === 0) return -1
  return 0
}

export function timestampType(opts: TimestampOptions): PgType {
  const { mode, withZone } = opts
  const name = withZone ? 'timestamptz' : 'timestamp'
  const local = !withZone && opts.wallClock === 'local'
  const fromUtcMs = (ms: number): Date => (local ? localDate(new Date(ms)) : new Date(ms))
  const decode = (b: Buffer, o: number): unknown => {
    const inf = isInfinity(b, o)
    if (inf !== 0) return mode === 'string' ? (inf > 0 ? 'infinity' : '-infinity') : inf * Infinity
    if (mode === 'string') return timestampText(...splitTimestamp(b, o), withZone)
    const n = readInt64Number(b, o)
    if (Number.isSafeInteger(n)) {
      // Integer arithmetic: Math.floor(n / 1000) can round up across a millisecond near 2^53.
      const rest = ((n % 1000) + 1000) % 1000
      return fromUtcMs((n - rest) / 1000 + PG_EPOCH_MS)
    }
    const [days, us] = splitTimestamp(b, o)
    return fromUtcMs(days * 86_400_000 + Math.floor(us / 1000) + PG_EPOCH_MS)
  }
  /** The value as µs since 2000-01-01 (bigint beyond 2^53). */
  const toUs = (value: unknown): number | bigint => {
    const inf = infinite(value)
    if (inf !== undefined) return inf > 0 ? INT64_MAX : INT64_MIN
    if (value instanceof Date) {
      const ms = (local ? localWallClockMs(value) : validDate(value, name)) - PG_EPOCH_MS
      if (Number.isNaN(ms)) throw encodeError(name, 'a valid Date')
      return Math.abs(ms) < 9e12 ? ms * 1000 : BigInt(ms) * 1000n
    }
    if (typeof value === 'string') {
      const p = parseDateTime(value, name)
      // Without an offset the server would apply the session's TimeZone, which is not known here.
      if (withZone && p.offset === undefined) throw encodeError(name, 'an ISO 8601 string with an offset')
      // timestamp without time zone ignores an offset, as timestamp_in does.
      const offsetUs = withZone && p.offset !== undefined ? BigInt(p.offset) * 1_000_000n : 0n
      return BigInt(p.days) * BIG_US_PER_DAY + BigInt(p.us) - offsetUs
    }
    throw encodeError(name, 'a Date, an ISO 8601 string, or ±Infinity')
  }
  return {
    name,
    decode,
    encode: (v) => {
      const us = toUs(v)
      const b = Buffer.allocUnsafe(8)
      if (typeof us === 'bigint') b.writeBigInt64BE(us, 0)
      else writeInt64Number(b, 0, us)
      return b
    },
    parse: (s) => {
      const inf = infinityOf(s)
      if (inf !== undefined) return mode === 'string' ? s : inf
      if (mode === 'string') return s
      const p = parseDateTime(s, name)
      // In milliseconds throughout: µs since 2000 exceed 2^53 outside 1715–2285.
      const ms = p.days * 86_400_000 + Math.floor(p.us / 1000) - (p.offset ?? 0) * 1000
      return fromUtcMs(ms + PG_EPOCH_MS)
    },
    serialize: (v) => {
      const us = BigInt(toUs(v))
      if (us === INT64_MAX) return 'infinity'
      if (us === INT64_MIN) return '-infinity'
      let days = us / BIG_US_PER_DAY
      let rest = us % BIG_US_PER_DAY
      if (rest < 0n) {
        days -= 1n
        rest += BIG_US_PER_DAY
      }
      return timestampText(Number(days), Number(rest), withZone)
    },
    stringsToServer: true,
  }
}
