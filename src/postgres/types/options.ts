import { InvalidArgumentError } from '../../errors/classes.js'
import type { DateMode, TimestampMode, WallClockZone } from './datetime.js'
import type { IntervalMode } from './interval.js'
import type { Int8Mode } from './numbers.js'
import type { NumericMode } from './numeric.js'
import type { JsonMode } from './strings.js'

/**
 * How values are mapped between PostgreSQL and JavaScript. Every default is exact: a lossy
 * mapping is something a user asks for (issue 4, "Binary format").
 */
export interface TypeOptions {
  /** int8: `bigint` (default, exact), `string` (exact), `number` (lossy beyond 2^53). */
  int8?: Int8Mode
  /** numeric: `string` (default, exact decimal text), `number` (lossy). */
  numeric?: NumericMode
  /** timestamp and timestamptz: `date` (default; µs truncated to ms) or `string` (exact, µs). */
  timestamps?: TimestampMode
  /** How a timestamp WITHOUT time zone maps to and from a Date: `utc` (default) or `local`. */
  timestampWithoutTimeZone?: WallClockZone
  /** date: `string` (default, 'YYYY-MM-DD': a date has no time zone) or `date` (UTC midnight). */
  date?: DateMode
  /** interval: `string` (default, as psql prints it) or `object` ({ months, days, microseconds }). */
  interval?: IntervalMode
  /** json and jsonb: `parse` (default) or `string` (the JSON text as the server sent it). */
  json?: JsonMode
  /** Use the binary format for the types that have one (default true); false: text everywhere. */
  binary?: boolean
  /**
   * Type names whose results are requested in text format although binary is on. Default
   * `['numeric']`: numeric_out's text is the exact decimal already, and reading it is several
   * times faster than formatting the base-10000 binary digits (docs/postgres-types.md).
   */
  textResults?: readonly string[]
}

export type ResolvedTypeOptions = Required<TypeOptions>

const CHOICES: Record<string, readonly string[]> = {
  int8: ['bigint', 'string', 'number'],
  numeric: ['string', 'number'],
  timestamps: ['date', 'string'],
  timestampWithoutTimeZone: ['utc', 'local'],
  date: ['string', 'date'],
  interval: ['string', 'object'],
  json: ['parse', 'string'],
}

export function resolveTypeOptions(options: TypeOptions): ResolvedTypeOptions {
  for (const [key, allowed] of Object.entries(CHOICES)) {
    const v = (options as Record<string, unknown>)[key]
    if (v !== undefined && !allowed.includes(v as string)) {
      throw new InvalidArgumentError(`types.${key} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`)
    }
  }
  const known = new Set([...Object.keys(CHOICES), 'binary', 'textResults'])
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new InvalidArgumentError(`types.${key} is not a type option`)
  }
  if (options.binary !== undefined && typeof options.binary !== 'boolean') {
    throw new InvalidArgumentError('types.binary must be a boolean')
  }
  if (
    options.textResults !== undefined &&
    (!Array.isArray(options.textResults) || options.textResults.some((t) => typeof t !== 'string'))
  ) {
    throw new InvalidArgumentError('types.textResults must be an array of type names')
  }
  return {
    int8: options.int8 ?? 'bigint',
    numeric: options.numeric ?? 'string',
    timestamps: options.timestamps ?? 'date',
    timestampWithoutTimeZone: options.timestampWithoutTimeZone ?? 'utc',
    date: options.date ?? 'string',
    interval: options.interval ?? 'string',
    json: options.json ?? 'parse',
    binary: options.binary ?? true,
    textResults: options.textResults ?? ['numeric'],
  }
}
