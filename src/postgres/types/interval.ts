import { encodeError, type PgType, readInt64, readInt64Number } from './pg-type.js'

/**
 * interval (interval_send: int64 µs, int32 days, int32 months — three fields, because a month
 * and a day have no fixed length). Returned as the text PostgreSQL prints with the default
 * IntervalStyle `postgres` (EncodeInterval, datetime.c), or as `{ months, days, microseconds }`.
 * PostgreSQL 17+ has infinite intervals (INTERVAL_NOBEGIN/NOEND, datatype/timestamp.h: every
 * field at its lowest or highest value): 'infinity' and '-infinity' in string mode, ±Infinity in
 * object mode, as timestamps are.
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

type Kind = 'years' | 'months' | 'weeks' | 'days' | 'us'

/** interval_in's unit words (datetktbl, deltatktbl), singular; a plural drops its "s". */
const UNIT: Record<string, [Kind, number]> = {
  millennium: ['years', 1000],
  century: ['years', 100],
  decade: ['years', 10],
  year: ['years', 1],
  yr: ['years', 1],
  y: ['years', 1],
  month: ['months', 1],
  mon: ['months', 1],
  week: ['weeks', 1],
  w: ['weeks', 1],
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

const PLURAL: Record<string, [Kind, number]> = { centuries: ['years', 100], millennia: ['years', 1000] }

/** C's rint(): to the nearest integer, halves to even. */
function rint(x: number): number {
  const f = Math.floor(x)
  const d = x - f
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1
}

/** AdjustFractMicroseconds: truncated, then rounded only beyond half a microsecond. */
function fractionUs(frac: number, scale: number): bigint {
  const x = frac * scale
  let us = Math.trunc(x)
  const rest = x - us
  if (rest > 0.5) us++
  else if (rest < -0.5) us--
  return BigInt(us)
}

/**
 * Accumulates interval parts as DecodeInterval does (datetime.c): a part is its whole number
 * `val` and its fraction `fval`; a fraction of a year becomes whole months (AdjustFractYears,
 * rounded), of a month or week days and then microseconds (AdjustFractDays, 1 month = 30 days),
 * of a day or a time unit microseconds (AdjustFractMicroseconds).
 */
class IntervalBuilder {
  months = 0
  days = 0
  /** Exact: the time part reaches ±2^63 µs. */
  us = 0n
  #fractDays(frac: number, scale: number): void {
    const x = frac * scale
    const whole = Math.trunc(x)
    this.days += whole
    this.us += fractionUs(x - whole, 86_400_000_000)
  }
  add(val: number, fval: number, unit: string): boolean {
    const u = unit.toLowerCase()
    const entry = UNIT[u] ?? UNIT[u.replace(/s$/, '')] ?? PLURAL[u]
    if (entry === undefined) return false
    const [kind, scale] = entry
    if (kind === 'years') this.months += val * 12 * scale + rint(fval * scale * 12)
    else if (kind === 'months') {
      this.months += val
      this.#fractDays(fval, 30)
    } else if (kind === 'weeks') {
      this.days += val * 7
      this.#fractDays(fval, 7)
    } else if (kind === 'days') {
      this.days += val
      this.us += fractionUs(fval, 86_400_000_000)
    } else this.us += BigInt(val) * BigInt(scale) + fractionUs(fval, scale)
    return true
  }
  /** A number as DecodeInterval splits it: "-1.5" is -1 and -0.5. */
  addText(number: string, unit: string): boolean {
    const dot = number.indexOf('.')
    if (dot < 0) return this.add(Number(number), 0, unit)
    const frac = Number(`0${number.slice(dot)}`)
    return this.add(Math.trunc(Number(number)), number[0] === '-' ? -frac : frac, unit)
  }
}

const NUM = String.raw`([+-]?(?:\d+\.?\d*|\.\d+))`
const ISO = new RegExp(
  `^([+-])?P(?:${NUM}Y)?(?:${NUM}M)?(?:${NUM}W)?(?:${NUM}D)?(?:T(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`,
  'i',
)
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
    for (let i = 0; i < units.length; i++) {
      const v = iso[i + 2]
      if (v !== undefined && !b.addText(v, units[i]!)) return undefined
    }
    // A leading '-' negates every field, as the sign of "-P1Y2M" does.
    const k = iso[1] === '-' ? -1 : 1
    return { months: k * b.months, days: k * b.days, us: k === 1 ? b.us : -b.us }
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
    } else if (m[7] !== undefined && !b.addText(m[7], m[8]!)) return undefined
  }
  if (!any) return undefined
  const k = ago ? -1 : 1
  return { months: k * b.months, days: k * b.days, us: ago ? -b.us : b.us }
}

const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)

/**
 * ±1 for the three-field infinity sentinels of interval_send (PostgreSQL 17+), 0 otherwise; the
 * 64-bit field is read only when both 32-bit ones are at an extreme.
 */
function infinityOf(b: Buffer, o: number, days: number, months: number): number {
  if (days === 0x7fffffff && months === 0x7fffffff && b.readBigInt64BE(o) === INT64_MAX) return 1
  if (days === -0x80000000 && months === -0x80000000 && b.readBigInt64BE(o) === INT64_MIN) return -1
  return 0
}

/** ±Infinity as interval_in's text, which only PostgreSQL 17+ reads (older servers refuse it, 22007). */
const infiniteText = (value: unknown): string | undefined =>
  value === Infinity ? 'infinity' : value === -Infinity ? '-infinity' : undefined

/** Text results in object mode: the infinities as numbers, as binary ones decode. */
function parseObject(s: string): Interval | number | string {
  if (s === 'infinity') return Infinity
  if (s === '-infinity') return -Infinity
  return asObject(parseInterval(s)) ?? s
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

const FIELDS: Record<keyof IntervalInput, string> = {
  years: 'y',
  months: 'mon',
  weeks: 'w',
  days: 'd',
  hours: 'h',
  minutes: 'min',
  seconds: 's',
  milliseconds: 'ms',
  microseconds: 'us',
}

/** The fields of an interval object: a plain object of known, finite fields, at least one. */
function fromObject(value: object): IntervalFields | undefined {
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return undefined
  const b = new IntervalBuilder()
  let any = false
  for (const [key, x] of Object.entries(value)) {
    const unit = FIELDS[key as keyof IntervalInput]
    if (unit === undefined || typeof x !== 'number' || !Number.isFinite(x)) return undefined
    b.add(Math.trunc(x), x - Math.trunc(x), unit)
    any = true
  }
  return any ? { months: b.months, days: b.days, us: b.us } : undefined
}

function toInterval(value: unknown): IntervalFields {
  let f: IntervalFields | undefined
  if (typeof value === 'string') f = parseInterval(value)
  // A number is seconds, as interval_in reads the text node-postgres sends for it ('1.5').
  else if (typeof value === 'number' && Number.isFinite(value)) f = fromObject({ seconds: value })
  else if (typeof value === 'bigint') f = { months: 0, days: 0, us: value * 1_000_000n }
  else if (typeof value === 'object' && value !== null) f = fromObject(value)
  if (f === undefined) {
    throw encodeError(
      'interval',
      'an interval string, seconds, or { years, months, days, hours, minutes, seconds, ... }',
    )
  }
  // The fields' own ranges, the lowest values included (an interval the server sent may hold them).
  if (
    f.us > INT64_MAX ||
    f.us < INT64_MIN ||
    f.months > 0x7fffffff ||
    f.months < -0x80000000 ||
    f.days > 0x7fffffff ||
    f.days < -0x80000000
  ) {
    throw encodeError('interval', 'an interval within the range of interval')
  }
  return f
}

function encode(v: unknown): Uint8Array {
  const { months, days, us } = toInterval(v)
  const b = Buffer.allocUnsafe(16)
  b.writeBigInt64BE(us, 0)
  b.writeInt32BE(days, 8)
  b.writeInt32BE(months, 12)
  return b
}

export function intervalType(mode: IntervalMode): PgType {
  return {
    name: 'interval',
    decode: (b, o) => {
      const days = b.readInt32BE(o + 8)
      const months = b.readInt32BE(o + 12)
      const inf = infinityOf(b, o, days, months)
      if (inf !== 0) return mode === 'object' ? inf * Infinity : inf > 0 ? 'infinity' : '-infinity'
      if (mode === 'object') return { months, days, microseconds: readInt64Number(b, o) }
      return formatInterval(months, days, ...splitHours(b, o))
    },
    encode,
    // ±Infinity goes as text: the server, not covet, knows whether it has infinite intervals.
    bind: (v) => infiniteText(v) ?? encode(v),
    parse: mode === 'string' ? (s) => s : parseObject,
    serialize: (v) => {
      const inf = infiniteText(v)
      if (inf !== undefined) return inf
      const { months, days, us } = toInterval(v)
      const h = us / BIG_US_PER_HOUR
      return formatInterval(months, days, Number(h), Number(us - h * BIG_US_PER_HOUR))
    },
    stringsToServer: true,
  }
}
