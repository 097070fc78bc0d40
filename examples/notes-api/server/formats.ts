/**
 * JSON Schema `format`s the service asserts (JsonSchemaValidator's `formats` option; without one a
 * format is only an annotation, JSON Schema 2020-12 Validation §7.2).
 */

/** `2026-01-02T03:04:05Z` or with up to 3 fractional digits: RFC 3339 §5.6 in UTC, as Date prints it. */
const UTC_TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,3})?Z$/

/**
 * The shape alone passes `2024-13-45T99:99:99Z`, which `new Date` turns into an Invalid Date that no
 * database accepts. Every field must also exist on the calendar (RFC 3339 §5.7): set on a Date, an
 * impossible one rolls over (February 30 becomes March 1) and reads back different. A leap second
 * (`:60`) is refused too: a JavaScript Date cannot hold one.
 */
export function isUtcTimestamp(text: string): boolean {
  const match = UTC_TIMESTAMP.exec(text)
  if (match === null) return false
  const [year, month, day, hours, minutes, seconds] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const date = new Date(0)
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hours, minutes, seconds)
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hours &&
    date.getUTCMinutes() === minutes &&
    date.getUTCSeconds() === seconds
  )
}

export const FORMATS = { 'utc-timestamp': isUtcTimestamp }
