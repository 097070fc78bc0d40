import { JsonError } from '../errors/classes.js'
import { formatPointer } from './pointer.js'

export type BigIntMode = 'error' | 'string' | 'number'

export interface ValueWriterOptions {
  /** Indentation per level ('' for compact output). */
  indent: string
  sortKeys: boolean
  /** RFC 8785: sorted keys plus refusals (non-finite numbers, lone surrogates). */
  canonical: boolean
  bigint: BigIntMode
}

/** Characters that JSON strings must escape (RFC 8259 §7) plus surrogates, which may be lone. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: RFC 8259 §7 makes U+0000–U+001F must-escape.
export const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/

/** A JSON string literal, as JSON.stringify writes it (ES2019 well-formed: lone surrogates as \uXXXX). */
export function quote(text: string): string {
  if (text.length < 40) {
    // A short string is cheaper to check by hand than with a regular expression.
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text)
    }
    return `"${text}"`
  }
  return text.length < 5000 && !NEEDS_ESCAPE.test(text) ? `"${text}"` : JSON.stringify(text)
}

/**
 * RFC 8785 §3.2.2.2 takes I-JSON input (RFC 7493 §2.1): no lone surrogates. A lone surrogate is
 * written as a 6-character escape, so a string quoted without growing by more than its two quotes
 * has none and needs no further check.
 */
function checkWellFormed(text: string, quoted: string): void {
  if (quoted.length !== text.length + 2 && !(text as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    throw new PathError('ERR_JSON_ENCODE', 'RFC 8785 refuses a string with a lone surrogate')
  }
}

/** Raised deep in the writer; each container on the way out adds its key, so the path is exact. */
class PathError {
  readonly tokens: (string | number)[] = []
  constructor(
    readonly code: 'ERR_JSON_ENCODE' | 'ERR_JSON_CYCLE',
    readonly why: string,
  ) {}
}

/**
 * covet's own recursive writer, with JSON.stringify's semantics (toJSON, undefined and functions
 * skipped in objects and written as null in arrays, boxed primitives unwrapped) plus what it lacks:
 * sorted keys, RFC 8785 canonical form, bigint handling, and cycle errors that name the path.
 */
export class ValueWriter {
  private readonly stack: object[] = []
  private readonly indent: string
  private readonly sortKeys: boolean
  private readonly canonical: boolean
  private readonly bigint: BigIntMode

  constructor(options: ValueWriterOptions) {
    this.indent = options.indent
    this.sortKeys = options.sortKeys
    this.canonical = options.canonical
    this.bigint = options.bigint
  }

  write(value: unknown): string {
    this.stack.length = 0
    let out: string | undefined
    try {
      out = this.value(value, '', '\n')
    } catch (error) {
      if (!(error instanceof PathError)) throw error
      throw new JsonError(error.code, `${error.why} at ${JSON.stringify(formatPointer(error.tokens))}`)
    }
    if (out === undefined) throw new JsonError('ERR_JSON_ENCODE', `Cannot encode ${describe(value)} as JSON`)
    return out
  }

  private string(text: string): string {
    const quoted = quote(text)
    if (this.canonical) checkWellFormed(text, quoted)
    return quoted
  }

  private number(n: number): string {
    if (Number.isFinite(n)) return `${n}`
    if (this.canonical) throw new PathError('ERR_JSON_ENCODE', `RFC 8785 refuses the number ${n}`)
    return 'null'
  }

  private bigintText(n: bigint): string {
    if (this.bigint === 'string') return `"${n}"`
    if (this.bigint === 'number') return `${n}`
    throw new PathError('ERR_JSON_ENCODE', `A bigint (${n}n) cannot be encoded with bigint: 'error'`)
  }

  private value(input: unknown, key: string, newline: string): string | undefined {
    switch (typeof input) {
      case 'string':
        return this.string(input)
      case 'number':
        return this.number(input)
      case 'boolean':
        return input ? 'true' : 'false'
      case 'bigint':
        return this.bigintText(input)
      case 'object':
        return input === null ? 'null' : this.object(input, key, newline)
      default:
        return undefined
    }
  }

  private object(input: object, key: string, newline: string): string | undefined {
    if (typeof (input as { toJSON?: unknown }).toJSON === 'function') {
      return this.value((input as { toJSON(key: string): unknown }).toJSON(key), key, newline)
    }
    const proto = Object.getPrototypeOf(input)
    if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) {
      if (input instanceof Number || input instanceof String || input instanceof Boolean) {
        return this.value(input.valueOf(), key, newline)
      }
    }
    if (this.stack.includes(input)) {
      const error = new PathError('ERR_JSON_CYCLE', 'The value refers back to an ancestor')
      throw error
    }
    this.stack.push(input)
    const inner = this.indent === '' ? '' : newline + this.indent
    const out = Array.isArray(input)
      ? this.array(input, inner, newline)
      : this.members(input as Record<string, unknown>, inner, newline)
    this.stack.pop()
    return out
  }

  private array(list: unknown[], inner: string, newline: string): string {
    if (list.length === 0) return '[]'
    const comma = `,${inner}`
    let out = '['
    let i = 0
    try {
      for (; i < list.length; i++) {
        const item = list[i]
        const text = typeof item === 'string' ? this.string(item) : this.value(item, `${i}`, inner)
        out += (i === 0 ? inner : comma) + (text ?? 'null')
      }
    } catch (error) {
      if (error instanceof PathError) error.tokens.unshift(i)
      throw error
    }
    return `${out}${inner === '' ? '' : newline}]`
  }

  private members(record: Record<string, unknown>, inner: string, newline: string): string {
    const names = Object.keys(record)
    if (this.sortKeys && names.length > 1) sortNames(names)
    const colon = inner === '' ? ':' : ': '
    const comma = `,${inner}`
    let out = '{'
    let first = true
    let name = ''
    try {
      for (let i = 0; i < names.length; i++) {
        name = names[i]!
        const member = record[name]
        let text: string | undefined
        if (typeof member === 'string') text = this.string(member)
        else if (typeof member === 'number') text = this.number(member)
        else text = this.value(member, name, inner)
        if (text === undefined) continue
        const quotedName = quoteName(name)
        if (this.canonical) checkWellFormed(name, quotedName)
        out += (first ? inner : comma) + quotedName + colon + text
        first = false
      }
    } catch (error) {
      if (error instanceof PathError) error.tokens.unshift(name)
      throw error
    }
    return first ? '{}' : `${out}${inner === '' ? '' : newline}}`
  }
}

/**
 * Member names in UTF-16 code unit order (RFC 8785 §3.2.3; `<` on strings compares code units).
 * Objects have few members: an insertion sort beats Array#sort there.
 */
function sortNames(names: string[]): void {
  if (names.length > 24) {
    names.sort()
    return
  }
  for (let i = 1; i < names.length; i++) {
    const name = names[i]!
    let j = i - 1
    while (j >= 0 && names[j]! > name) {
      names[j + 1] = names[j]!
      j--
    }
    names[j + 1] = name
  }
}

/** Quoted member names, by name: documents repeat the same few names. Bounded; cleared when full. */
const quotedNames = new Map<string, string>()
const MAX_QUOTED_NAMES = 2048

function quoteName(name: string): string {
  let quoted = quotedNames.get(name)
  if (quoted === undefined) {
    quoted = quote(name)
    if (quotedNames.size >= MAX_QUOTED_NAMES) quotedNames.clear()
    quotedNames.set(name, quoted)
  }
  return quoted
}

export function describe(value: unknown): string {
  return value === undefined ? 'undefined' : typeof value === 'function' ? 'a function' : typeof value
}
