import { encodeError, type PgType, readInt64, readInt64Number } from './pg-type.js'

/**
 * interval (interval_send: int64 µs, int32 days, int32 months — three fields, because a month
 * and a day have no fixed length). Returned as the text PostgreSQL prints with the default
 * IntervalStyle `postgres` (EncodeInterval, datetime.c), or as `{ months, days, microseconds }`.
 */
export type IntervalMode = 'string' | 'object'

export interface Interval {
  months: number
  days: number
  /** Exact up to ±2^53 µs (about 285 years). */
  microseconds: number
}

const US_PER_HOUR = 3_600_000_000
const two = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** EncodeInterval, INTSTYLE_POSTGRES: "1 year 2 mons -3 days +04:05:06.5". */
export function formatInterval(months: number, days: number, hours: number, restUs: number): string {
  let out = ''
  let isZero = true
  let isBefore = false
  const part = (value: number, unit: string) => {
    if (value === 0) return
    out += `${isZero ? '' : ' '}${isBefore && value > 0 ? '+' : ''}${value} ${unit}${value !== 1 ? 's' : ''}`
    isBefore = value < 0
    isZero = false
  }
  part(Math.trunc(months / 12), 'year')
  part(months % 12, 'mon')
  part(days, 'day')
  if (isZero || hours !== 0 || restUs !== 0) {
    const minus = hours < 0 || restUs < 0
    const a = Math.abs(restUs)
    const min = Math.floor(a / 60_000_000)
    const sec = Math.floor((a % 60_000_000) / 1_000_000)
    const frac = a % 1_000_000
    const sign = minus ? '-' : isBefore ? '+' : ''
    out += `${isZero ? '' : ' '}${sign}${two(Math.abs(hours))}:${two(min)}:${two(sec)}`
    if (frac !== 0) out += `.${String(frac).padStart(6, '0').replace(/0+$/, '')}`
  }
  return out
}

/** Hours and the remaining µs (same sign), exactly even beyond 2^53 µs. */
const BIG_US_PER_HOUR = BigInt(US_PER_HOUR)

function asObject(f: IntervalFields | undefined): Interval | undefined {
  return f === undefined ? undefined : { months: f.months, days: f.days, microseconds: Number(f.us) }
}

function splitHours(b: Buffer, o: number): [number, number] {
  const n = readInt64Number(b, o)
  if (Number.isSafeInteger(n)) return [Math.trunc(n / US_PER_HOUR), n % US_PER_HOUR]
  const v = readInt64(b, o)
  const h = v / BIG_US_PER_HOUR
  return [Number(h), Number(v - h * BIG_US_PER_HOUR)]
}

/** interval_in's unit words (datetktbl, deltatktbl), singular; a plural drops its "s". */
const UNIT: Record<string, ['months' | 'days' | 'us', number]> = {
  year: ['months', 12],
  yr: ['months', 12],
  y: ['months', 12],
  month: ['months', 1],
  mon: ['months', 1],
  week: ['days', 7],
  w: ['days', 7],
  day: ['days', 1],
  d: ['days', 1],
  hour: ['us', 3.6e9],
  hr: ['us', 3.6e9],
  h: ['us', 3.6e9],
  minute: ['us', 6e7],
  min: ['us', 6e7],
  m: ['us', 6e7],
  second: ['us', 1e6],
  sec: ['us', 1e6],
  s: ['us', 1e6],
  millisecond: ['us', 1e3],
  msec: ['us', 1e3],
  ms: ['us', 1e3],
  microsecond: ['us', 1],
  usec: ['us', 1],
  us: ['us', 1],
}

/** Accumulates interval parts, spilling fractions downwards as interval_in does (1 month = 30 days). */
class IntervalBuilder {
  months = 0
  days = 0
  /** Exact: the time part reaches ±2^63 µs. */
  us = 0n
  addMonths(x: number): void {
    const whole = Math.trunc(x)
    this.months += whole
    if (x !== whole) this.addDays((x - whole) * 30)
  }
  addDays(x: number): void {
    const whole = Math.trunc(x)
    this.days += whole
    if (x !== whole) this.us += BigInt(Math.round((x - whole) * 86_400_000_000))
  }
  add(value: number, unit: string): boolean {
    const u = unit.toLowerCase()
    const key = UNIT[u] !== undefined ? u : u.replace(/s$/, '')
    const [kind, factor] = UNIT[key] ?? []
    if (kind === undefined || factor === undefined) return false
    if (kind === 'months') this.addMonths(value * factor)
    else if (kind === 'days') this.addDays(value * factor)
    else this.us += BigInt(Math.round(value * factor))
    return true
  }
}

const ISO =
  /^([+-])?P(?:([+-]?[\d.]+)Y)?(?:([+-]?[\d.]+)M)?(?:([+-]?[\d.]+)W)?(?:([+-]?[\d.]+)D)?(?:T(?:([+-]?[\d.]+)H)?(?:([+-]?[\d.]+)M)?(?:([+-]?[\d.]+)S)?)?$/i
const TOKEN =
  /\s*(?:(@)|(ago)\b|([+-]?)(\d+):(\d{2})(?::(\d{2}(?:\.\d+)?))?|([+-]?\d+(?:\.\d+)?)\s*([a-z]+))/giy

interface IntervalFields {
  months: number
  days: number
  us: bigint
}

/** interval_in's postgres and ISO 8601 formats ("1 day 02:00", "-1 mons +3 days", "P1Y2DT3H"). */
export function parseInterval(text: string): IntervalFields | undefined {
  const b = new IntervalBuilder()
  const iso = ISO.exec(text.trim())
  if (iso !== null) {
    const units = ['y', 'mon', 'w', 'd', 'h', 'min', 's']
    const sign = iso[1] === '-' ? -1 : 1
    units.forEach((u, i) => {
      const v = iso[i + 2]
      if (v !== undefined) b.add(sign * Number(v), u)
    })
    return { months: b.months, days: b.days, us: b.us }
  }
  TOKEN.lastIndex = 0
  let ago = false
  let any = false
  const s = text.trim()
  while (TOKEN.lastIndex < s.length) {
    const m = TOKEN.exec(s)
    if (m === null) return undefined
    any = true
    if (m[2] !== undefined) ago = true
    else if (m[4] !== undefined) {
      const [sec = '0', frac = ''] = (m[6] ?? '0').split('.')
      const us =
        (BigInt(m[4]!) * 3600n + BigInt(m[5]!) * 60n + BigInt(sec)) * 1_000_000n +
        BigInt(frac.padEnd(6, '0').slice(0, 6))
      b.us += m[3] === '-' ? -us : us
    } else if (m[7] !== undefined && !b.add(Number(m[7]), m[8]!)) return undefined
  }
  if (!any) return undefined
  const k = ago ? -1 : 1
  return { months: k * b.months, days: k * b.days, us: ago ? -b.us : b.us }
}

interface IntervalInput {
  years?: number
  months?: number
  weeks?: number
  days?: number
  hours?: number
  minutes?: number
  seconds?: number
  milliseconds?: number
  microseconds?: number
}

const INT64_MAX = 2n ** 63n - 1n

function toInterval(value: unknown): IntervalFields {
  let f: IntervalFields | undefined
  if (typeof value === 'string') f = parseInterval(value)
  else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as IntervalInput
    const b = new IntervalBuilder()
    const fields: [keyof IntervalInput, string][] = [
      ['years', 'y'],
      ['months', 'mon'],
      ['weeks', 'w'],
      ['days', 'd'],
      ['hours', 'h'],
      ['minutes', 'min'],
      ['seconds', 's'],
      ['milliseconds', 'ms'],
      ['microseconds', 'us'],
    ]
    let ok = true
    for (const [key, unit] of fields) {
      const x = v[key]
      if (x === undefined) continue
      if (typeof x !== 'number' || !Number.isFinite(x)) ok = false
      else b.add(x, unit)
    }
    if (ok) f = { months: b.months, days: b.days, us: b.us }
  }
  if (f === undefined) {
    throw encodeError(
      'interval',
      'an interval string or { years, months, days, hours, minutes, seconds, ... }',
    )
  }
  if (
    f.us > INT64_MAX ||
    f.us < -INT64_MAX ||
    Math.abs(f.months) > 0x7fffffff ||
    Math.abs(f.days) > 0x7fffffff
  ) {
    throw encodeError('interval', 'an interval within the range of interval')
  }
  return f
}

export function intervalType(mode: IntervalMode): PgType {
  return {
    name: 'interval',
    decode: (b, o) => {
      const days = b.readInt32BE(o + 8)
      const months = b.readInt32BE(o + 12)
      if (mode === 'object') return { months, days, microseconds: readInt64Number(b, o) }
      return formatInterval(months, days, ...splitHours(b, o))
    },
    encode: (v) => {
      const { months, days, us } = toInterval(v)
      const b = Buffer.allocUnsafe(16)
      b.writeBigInt64BE(us, 0)
      b.writeInt32BE(days, 8)
      b.writeInt32BE(months, 12)
      return b
    },
    parse: mode === 'string' ? (s) => s : (s) => asObject(parseInterval(s)) ?? s,
    serialize: (v) => {
      const { months, days, us } = toInterval(v)
      const h = us / BIG_US_PER_HOUR
      return formatInterval(months, days, Number(h), Number(us - h * BIG_US_PER_HOUR))
    },
  }
}
