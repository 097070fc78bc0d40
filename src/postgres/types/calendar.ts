import { encodeError } from './pg-type.js'

/**
 * Calendar arithmetic shared by the date/time codecs. PostgreSQL counts dates in days and
 * timestamps in microseconds from 2000-01-01 (POSTGRES_EPOCH_JDATE, datatype/timestamp.h) on the
 * proleptic Gregorian calendar, with year 0 written as 1 BC. The conversions below are Howard
 * Hinnant's days_from_civil / civil_from_days, exact over PostgreSQL's whole range (which exceeds
 * what a JS Date can hold).
 */
export const US_PER_DAY = 86_400_000_000
/** Days from 1970-01-01 to 2000-01-01. */
export const PG_EPOCH_DAYS = 10_957
export const PG_EPOCH_MS = PG_EPOCH_DAYS * 86_400_000

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468 - PG_EPOCH_DAYS
}

/** [year, month, day] of a PostgreSQL day number (days since 2000-01-01); year 0 is 1 BC. */
export function civilFromDays(pgDays: number): [number, number, number] {
  const z = pgDays + PG_EPOCH_DAYS + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day]
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** DateStyle ISO: YYYY-MM-DD, with " BC" for years ≤ 0 (EncodeDateOnly). */
export function formatDate(pgDays: number): { text: string; bc: boolean } {
  const [y, m, d] = civilFromDays(pgDays)
  const bc = y <= 0
  return { text: `${String(bc ? 1 - y : y).padStart(4, '0')}-${two(m)}-${two(d)}`, bc }
}

/** HH:MM:SS with the fraction's trailing zeros dropped (AppendSeconds). */
export function formatTime(us: number): string {
  const h = Math.floor(us / 3_600_000_000)
  const m = Math.floor((us % 3_600_000_000) / 60_000_000)
  const s = Math.floor((us % 60_000_000) / 1_000_000)
  return `${two(h)}:${two(m)}:${two(s)}${fraction(us % 1_000_000)}`
}

export function fraction(us: number): string {
  if (us === 0) return ''
  let digits = 6
  while (us % 10 === 0) {
    us /= 10
    digits--
  }
  const s = String(us)
  return `.${'00000'.slice(0, digits - s.length)}${s}`
}

/** A UTC offset east of Greenwich as EncodeTimezone prints it: +HH, +HH:MM or +HH:MM:SS. */
export function formatOffset(eastSeconds: number): string {
  const a = Math.abs(eastSeconds)
  const h = Math.floor(a / 3600)
  const m = Math.floor((a % 3600) / 60)
  const s = a % 60
  const sign = eastSeconds >= 0 ? '+' : '-'
  if (s !== 0) return `${sign}${two(h)}:${two(m)}:${two(s)}`
  if (m !== 0) return `${sign}${two(h)}:${two(m)}`
  return `${sign}${two(h)}`
}

/** Parsed date/time text: day number, microseconds into the day, offset east (if given). */
export interface ParsedDateTime {
  days: number
  us: number
  offset: number | undefined
}

// ISO 8601 / PostgreSQL ISO output: date, optional time, optional offset, optional " BC".
const DATE_TIME =
  /^(\d{4,})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)?(\s+BC)?$/i

export function parseDateTime(text: string, type: string): ParsedDateTime {
  const m = DATE_TIME.exec(text.trim())
  if (m === null) throw encodeError(type, 'a Date, an ISO 8601 string, or ±infinity')
  // Year 0 does not exist (date_in refuses it): 1 BC comes before 1 AD.
  if (Number(m[1]) === 0) throw encodeError(type, 'a valid calendar date')
  const year = m[9] === undefined ? Number(m[1]) : 1 - Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  const days = daysFromCivil(year, month, day)
  // Reject 2023-02-30 and friends instead of letting them roll over into March.
  const [, cm, cd] = civilFromDays(days)
  if (month < 1 || month > 12 || cm !== month || cd !== day) throw encodeError(type, 'a valid calendar date')
  const us = m[4] === undefined ? 0 : timeOfDay(m[4], m[5]!, m[6], m[7], type)
  return { days, us, offset: m[8] === undefined ? undefined : parseOffset(m[8]) }
}

export function timeOfDay(
  h: string,
  m: string,
  s: string | undefined,
  frac: string | undefined,
  type: string,
): number {
  const hours = Number(h)
  const minutes = Number(m)
  const seconds = s === undefined ? 0 : Number(s)
  const us = frac === undefined ? 0 : fractionUs(frac)
  const total = ((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + us
  if (minutes > 59 || seconds > 59 || total > US_PER_DAY) throw encodeError(type, 'a valid time of day')
  return total
}

/** Up to 6 fraction digits, rounded on the 7th as the server rounds its input. */
function fractionUs(frac: string): number {
  return Number(frac.padEnd(6, '0').slice(0, 6)) + (frac.charCodeAt(6) >= 0x35 ? 1 : 0)
}

/** `Z`, `+HH`, `+HHMM`, `+HH:MM`, `+HH:MM:SS` → seconds east of UTC. */
export function parseOffset(text: string): number {
  if (text === 'Z' || text === 'z') return 0
  const sign = text[0] === '-' ? -1 : 1
  const digits = text.slice(1).replaceAll(':', '')
  const hLen = digits.length % 2 === 1 ? 1 : 2
  const h = Number(digits.slice(0, hLen))
  const m = Number(digits.slice(hLen, hLen + 2) || 0)
  const s = Number(digits.slice(hLen + 2, hLen + 4) || 0)
  return sign * (h * 3600 + m * 60 + s)
}

const three = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n))

/**
 * A Date as ISO 8601 text in the client's local time with its UTC offset, the form node-postgres
 * sends to a text parameter ('2024-01-05T10:00:00.000+01:00'), with ' BC' for years ≤ 0 and any
 * number of year digits, both of which timestamptz_in reads.
 */
export function localDateTimeText(d: Date): string {
  const year = d.getFullYear()
  const bc = year <= 0
  // Seconds east of UTC; a zone's historic local mean time has seconds (Europe/Amsterdam +00:19:32).
  const east = Math.round(-d.getTimezoneOffset() * 60)
  const a = Math.abs(east)
  const h = Math.floor(a / 3600)
  const m = Math.floor((a % 3600) / 60)
  const s = a % 60
  const offset = `${east < 0 ? '-' : '+'}${two(h)}:${two(m)}${s === 0 ? '' : `:${two(s)}`}`
  const date = `${String(bc ? 1 - year : year).padStart(4, '0')}-${two(d.getMonth() + 1)}-${two(d.getDate())}`
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${three(d.getMilliseconds())}`
  return `${date}T${time}${offset}${bc ? ' BC' : ''}`
}
