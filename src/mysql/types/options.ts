import { InvalidArgumentError } from '../../errors/classes.js'

/**
 * How MySQL/MariaDB values map to JavaScript. Every default is exact, as on the PostgreSQL side
 * (docs/postgres-types.md): a lossy mapping is something the user asks for by name.
 */
export interface MySqlTypeOptions {
  /**
   * BIGINT (signed and unsigned): `bigint` (default, exact), `string` (exact), `number` (exact, or
   * ERR_TYPE_DECODE for a value beyond 2^53), `lossy-number` (rounds beyond 2^53).
   */
  bigint?: BigIntMode
  /** DECIMAL: `string` (default, the exact decimal text) or `number` (lossy). */
  decimal?: DecimalMode
  /** DATETIME and TIMESTAMP: `date` (default; µs truncated to ms, read in the session time zone) or `string` (exact). */
  datetime?: DateTimeMode
  /** DATE: `string` (default, 'YYYY-MM-DD': a date has no time zone) or `date` (a Date at UTC midnight). */
  date?: DateMode
  /** JSON: `parse` (default) or `string` (the JSON text as the server sent it). */
  json?: JsonMode
  /** BIT(1) as a boolean instead of a one-byte Buffer. Default false. */
  bitOneAsBoolean?: boolean
}

export type BigIntMode = 'bigint' | 'string' | 'number' | 'lossy-number'
export type DecimalMode = 'string' | 'number'
export type DateTimeMode = 'date' | 'string'
export type DateMode = 'string' | 'date'
export type JsonMode = 'parse' | 'string'

/** The resolved options plus the session time zone's offset, which Dates are read and written in. */
export interface ResolvedTypeOptions {
  bigint: BigIntMode
  decimal: DecimalMode
  datetime: DateTimeMode
  date: DateMode
  json: JsonMode
  bitOneAsBoolean: boolean
  /** Offset of the session time zone from UTC in ms (+02:00 → 7,200,000). */
  tzOffsetMs: number
}

const CHOICES: Record<string, readonly string[]> = {
  bigint: ['bigint', 'string', 'number', 'lossy-number'],
  decimal: ['string', 'number'],
  datetime: ['date', 'string'],
  date: ['string', 'date'],
  json: ['parse', 'string'],
}

export function resolveTypeOptions(options: MySqlTypeOptions, tzOffsetMs: number): ResolvedTypeOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('types must be an object of type options')
  }
  for (const key of Object.keys(options)) {
    if (key !== 'bitOneAsBoolean' && !Object.hasOwn(CHOICES, key)) {
      throw new InvalidArgumentError(`types.${key} is not a type option`)
    }
  }
  for (const [key, allowed] of Object.entries(CHOICES)) {
    const v = (options as Record<string, unknown>)[key]
    if (v !== undefined && !allowed.includes(v as string)) {
      throw new InvalidArgumentError(`types.${key} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`)
    }
  }
  if (options.bitOneAsBoolean !== undefined && typeof options.bitOneAsBoolean !== 'boolean') {
    throw new InvalidArgumentError('types.bitOneAsBoolean must be a boolean')
  }
  return {
    bigint: options.bigint ?? 'bigint',
    decimal: options.decimal ?? 'string',
    datetime: options.datetime ?? 'date',
    date: options.date ?? 'string',
    json: options.json ?? 'parse',
    bitOneAsBoolean: options.bitOneAsBoolean ?? false,
    tzOffsetMs,
  }
}

/**
 * A session time zone covet can read Dates in exactly: 'Z'/'UTC'/'+00:00' or a fixed offset
 * '±HH:MM'. Named zones are refused: their offset changes with DST, so a DATETIME could not be
 * turned into an instant without the server's zone tables. Returns the offset in ms and the
 * value for `SET time_zone`.
 */
export function parseTimeZone(zone: string): { offsetMs: number; sql: string } {
  if (zone === 'Z' || zone === 'UTC' || zone === 'utc') return { offsetMs: 0, sql: '+00:00' }
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(zone)
  if (m === null) {
    throw new InvalidArgumentError(
      `timezone must be 'Z', 'UTC' or a fixed offset like '+02:00', got "${zone}"`,
    )
  }
  const hours = Number(m[2])
  const minutes = Number(m[3])
  // MariaDB accepts offsets from -12:59 to +13:59 ("Time Zones").
  if (minutes > 59 || hours > 13 || (m[1] === '-' && hours > 12)) {
    throw new InvalidArgumentError(`timezone ${zone} is outside -12:59..+13:59`)
  }
  const offsetMs = (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000
  return { offsetMs, sql: zone }
}
