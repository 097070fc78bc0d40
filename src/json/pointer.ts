import { JsonError } from '../errors/classes.js'

/**
 * JSON Pointer (RFC 6901). Segments that reach the prototype machinery of a JavaScript object are
 * refused everywhere a pointer is parsed: a patch or a pointer taken from a request must never be
 * able to write through `__proto__` (the class of CVE-2021-4279 in fast-json-patch).
 */
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/** RFC 6901 §4: an array index is `0` or a digit string without a leading zero. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/

export function isForbiddenSegment(segment: string): boolean {
  return FORBIDDEN_SEGMENTS.has(segment)
}

function pointerError(pointer: string, why: string): JsonError {
  return new JsonError('ERR_JSON_POINTER', `JSON Pointer ${JSON.stringify(pointer)}: ${why}`)
}

/**
 * Parsed pointers, by text: patches repeat the same few paths. Bounded; cleared when full. The
 * token arrays are frozen because they are shared.
 */
const parsedPointers = new Map<string, readonly string[]>()
const MAX_CACHED_POINTERS = 4096

/** Splits a pointer into unescaped reference tokens (RFC 6901 §3: `~1` is `/`, `~0` is `~`). */
export function parsePointer(pointer: string): readonly string[] {
  const cached = parsedPointers.get(pointer)
  if (cached !== undefined) return cached
  const tokens = Object.freeze(splitPointer(pointer))
  if (parsedPointers.size >= MAX_CACHED_POINTERS) parsedPointers.clear()
  parsedPointers.set(pointer, tokens)
  return tokens
}

function splitPointer(pointer: string): string[] {
  if (typeof pointer !== 'string') throw pointerError(String(pointer), 'must be a string')
  if (pointer === '') return []
  if (pointer.charCodeAt(0) !== 47) throw pointerError(pointer, 'must be empty or start with "/"')
  const tokens = pointer.slice(1).split('/')
  for (let i = 0; i < tokens.length; i++) {
    let token = tokens[i]!
    if (token.includes('~')) {
      if (/~[^01]|~$/.test(token))
        throw pointerError(pointer, `bad escape in segment ${JSON.stringify(token)}`)
      token = token.replaceAll('~1', '/').replaceAll('~0', '~')
      tokens[i] = token
    }
    if (FORBIDDEN_SEGMENTS.has(token)) throw pointerError(pointer, `the segment "${token}" is refused`)
  }
  return tokens
}

/** Escapes one reference token (RFC 6901 §3: `~` first, then `/`). */
export function escapePointerSegment(segment: string | number): string {
  const text = String(segment)
  if (!text.includes('~') && !text.includes('/')) return text
  return text.replaceAll('~', '~0').replaceAll('/', '~1')
}

export function formatPointer(tokens: readonly (string | number)[]): string {
  let out = ''
  for (const token of tokens) out += '/' + escapePointerSegment(token)
  return out
}

/**
 * The array index a token names, or -1 when it is not a valid index. `-` (the element after the
 * last, RFC 6901 §4) is returned as `length` so callers can accept it where RFC 6902 allows it.
 */
export function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (token === '-') return allowEnd ? length : -1
  if (!ARRAY_INDEX.test(token)) return -1
  const index = Number(token)
  return index <= length ? index : -1
}

const MISSING: unique symbol = Symbol('missing')

/** The child of a container at `token`, or MISSING. Only own properties count. */
export function childAt(container: unknown, token: string): unknown {
  if (Array.isArray(container)) {
    const index = arrayIndex(token, container.length, false)
    return index >= 0 && index < container.length ? container[index] : MISSING
  }
  if (typeof container === 'object' && container !== null && Object.hasOwn(container, token)) {
    return (container as Record<string, unknown>)[token]
  }
  return MISSING
}

export function isMissing(value: unknown): value is typeof MISSING {
  return value === MISSING
}

function resolve(document: unknown, pointer: string): unknown {
  let current = document
  for (const token of parsePointer(pointer)) {
    current = childAt(current, token)
    if (current === MISSING) return MISSING
  }
  return current
}

/** The value a pointer refers to; throws ERR_JSON_POINTER when it refers to nothing. */
export function getByPointer(document: unknown, pointer: string): unknown {
  const value = resolve(document, pointer)
  if (value === MISSING) throw pointerError(pointer, 'refers to no value in the document')
  return value
}

export function hasPointer(document: unknown, pointer: string): boolean {
  return resolve(document, pointer) !== MISSING
}
