import { QueryBuilderError } from '../errors/classes.js'
import { RESERVED_WORDS } from './reserved-words.js'

/**
 * Identifier rules (issue 6, Safety). A string given where an identifier is expected is one to
 * three dot-separated parts (`name`, `schema.name`, `alias.column`, `schema.table.column`), each an
 * ASCII letter or `_` followed by letters, digits, `_` or `$`; a column path may end in `*`.
 * Anything else is ERR_INVALID_IDENTIFIER. Names that are not lower-case or are reserved words are
 * quoted, so a name means the same thing in every dialect; `ident()` quotes any other name.
 */

const PART = /^[A-Za-z_][A-Za-z0-9_$]*$/
const BARE = /^[a-z_][a-z0-9_]*$/

/** A short, printable rendering of a rejected identifier for error messages (never a value). */
function show(text: string): string {
  const json = JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text)
  return json
}

export function invalidIdentifier(what: string, text: unknown, why = ''): QueryBuilderError {
  const shown = typeof text === 'string' ? show(text) : `a ${typeof text}`
  return new QueryBuilderError(
    'ERR_INVALID_IDENTIFIER',
    `${what} ${shown} is not a valid identifier${why === '' ? '' : `: ${why}`}; pass unusual names with ident()`,
  )
}

/**
 * Splits and checks a path. `star` allows `*` as the last part (column lists only); `maxParts`
 * is 1 for aliases and names, 3 for columns.
 */
export function splitPath(text: unknown, what: string, maxParts: number, star: boolean): string[] {
  if (typeof text !== 'string') throw invalidIdentifier(what, text)
  const parts = text.split('.')
  if (parts.length > maxParts) throw invalidIdentifier(what, text, `at most ${maxParts} dot-separated parts`)
  const last = parts.length - 1
  for (let i = 0; i <= last; i++) {
    const part = parts[i]!
    if (PART.test(part)) continue
    if (star && i === last && part === '*') continue
    throw invalidIdentifier(what, text)
  }
  return parts
}

/** Checks a one-part name (alias, CTE name, column of an INSERT) and returns it. */
export function checkName(text: unknown, what: string): string {
  if (typeof text !== 'string' || !PART.test(text)) throw invalidIdentifier(what, text)
  return text
}

/** Checks the parts given to `ident()`: non-empty strings without NUL (no dialect accepts NUL). */
export function checkIdentParts(parts: readonly unknown[]): string[] {
  if (parts.length === 0 || parts.length > 3) {
    throw new QueryBuilderError('ERR_INVALID_IDENTIFIER', 'ident() takes one to three name parts')
  }
  for (const part of parts) {
    if (typeof part !== 'string' || part.length === 0 || part.includes('\0')) {
      throw invalidIdentifier('ident() part', part, 'parts must be non-empty strings without NUL')
    }
  }
  return parts as string[]
}

/** True when a checked part must be quoted to keep its spelling. */
export function needsQuoting(part: string): boolean {
  return !BARE.test(part) || RESERVED_WORDS.has(part)
}

const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/

/** Function names are emitted as written (so `count` stays a built-in), hence this stricter check. */
export function checkFunctionName(text: unknown): string {
  if (typeof text !== 'string' || !FUNCTION_NAME.test(text)) throw invalidIdentifier('function name', text)
  return text
}
