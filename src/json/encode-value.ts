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

/**
 * Characters that JSON strings must escape (RFC 8259 §7: U+0000–U+001F, quote, backslash) plus
 * surrogates, which may be lone. Written as the complement of the safe ranges: V8 scans a negated
 * class of a few ranges about a fifth faster than the positive class.
 */
export const NEEDS_ESCAPE = /[^\u0020\u0021\u0023-\u005b\u005d-\ud7ff\ue000-\uffff]/

/** Whether a string can be written between quotes as it is (nothing to escape, no surrogates). */
export function isClean(text: string): boolean {
  if (text.length < 40) {
    // A short string is cheaper to check by hand than with a regular expression.
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false
    }
    return true
  }
  return text.length < 5000 && !NEEDS_ESCAPE.test(text)
}

/** A JSON string literal, as JSON.stringify writes it (ES2019 well-formed: lone surrogates as \uXXXX). */
export function quote(text: string): string {
  return isClean(text) ? `"${text}"` : JSON.stringify(text)
}

/**
 * RFC 8785 §3.2.2.2 takes I-JSON input (RFC 7493 §2.1): no lone surrogates. A lone surrogate is
 * written as a 6-character escape, so a string quoted without growing by more than its two quotes
 * has none and needs no further check.
 */
function checkWellFormed(text: string, quoted: string): void {
  if (quoted.length !== text.length + 2 && !isWellFormed(text)) {
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
  private readonly layouts = new Map<string, Layout[]>()
  private layoutCount = 0

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
    if (names.length === 0) return '{}'
    const layout = this.layout(names)
    const order = layout.order
    const heads = layout.heads
    const checkNames = this.canonical && !layout.wellFormed
    const compact = inner === ''
    const comma = `,${inner}`
    let out = '{'
    let first = true
    let name = ''
    try {
      for (let i = 0; i < order.length; i++) {
        name = order[i]!
        const member = record[name]
        if (compact && typeof member === 'string' && isClean(member)) {
          // The common case in compact output: the head carries the comma and the opening quote.
          if (checkNames) checkWellFormed(name, quote(name))
          out += (first ? layout.openHeads[i]! : layout.commaOpenHeads[i]!) + member + '"'
          first = false
          continue
        }
        let text: string | undefined
        if (typeof member === 'string') text = this.string(member)
        else if (typeof member === 'number') text = this.number(member)
        else text = this.value(member, name, inner)
        if (text === undefined) continue
        if (checkNames) checkWellFormed(name, quote(name))
        out +=
          (compact ? (first ? heads[i]! : layout.commaHeads[i]!) : (first ? inner : comma) + heads[i]!) + text
        first = false
      }
    } catch (error) {
      if (error instanceof PathError) error.tokens.unshift(name)
      throw error
    }
    return first ? '{}' : `${out}${inner === '' ? '' : newline}}`
  }

  /**
   * The write order and quoted `"name":` heads for an object's own keys, cached per key list:
   * documents repeat a few shapes, so the sort and the quoting are done once per shape. A hit is
   * found by first name and confirmed name by name (interned names compare by pointer).
   */
  private layout(names: string[]): Layout {
    const bucket = this.layouts.get(names[0]!)
    if (bucket !== undefined) {
      search: for (let b = 0; b < bucket.length; b++) {
        const candidate = bucket[b]!
        const known = candidate.names
        if (known.length !== names.length) continue
        for (let i = 1; i < names.length; i++) if (known[i] !== names[i]) continue search
        return candidate
      }
    }
    const order = this.sortKeys && names.length > 1 ? sortNames([...names]) : names
    const colon = this.indent === '' ? ':' : ': '
    let wellFormed = true
    const heads = order.map((name) => {
      const quoted = quote(name)
      if (quoted.length !== name.length + 2 && !isWellFormed(name)) wellFormed = false
      return quoted + colon
    })
    const layout: Layout = {
      names,
      order,
      heads,
      commaHeads: heads.map((head) => `,${head}`),
      openHeads: heads.map((head) => `${head}"`),
      commaOpenHeads: heads.map((head) => `,${head}"`),
      wellFormed,
    }
    if (this.layoutCount >= MAX_LAYOUTS) {
      this.layouts.clear()
      this.layoutCount = 0
    }
    if (bucket === undefined || bucket.length >= MAX_LAYOUTS_PER_NAME) this.layouts.set(names[0]!, [layout])
    else bucket.push(layout)
    this.layoutCount++
    return layout
  }
}

/** How one key list is written: `order` (sorted when asked) and its quoted heads, `"name":`. */
interface Layout {
  names: string[]
  order: string[]
  heads: string[]
  /** For compact output: the heads after a comma, and both followed by a string's opening quote. */
  commaHeads: string[]
  openHeads: string[]
  commaOpenHeads: string[]
  /** Whether every name is free of lone surrogates (RFC 8785 refuses those). */
  wellFormed: boolean
}

/** Bounds on the layout cache: a writer fed ever-new key lists clears it rather than grow. */
const MAX_LAYOUTS = 1024
const MAX_LAYOUTS_PER_NAME = 8

function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed()
}

/**
 * Member names in UTF-16 code unit order (RFC 8785 §3.2.3; `<` on strings compares code units).
 * Objects have few members: an insertion sort beats Array#sort there.
 */
function sortNames(names: string[]): string[] {
  if (names.length > 24) return names.sort()
  for (let i = 1; i < names.length; i++) {
    const name = names[i]!
    let j = i - 1
    while (j >= 0 && names[j]! > name) {
      names[j + 1] = names[j]!
      j--
    }
    names[j + 1] = name
  }
  return names
}

export function describe(value: unknown): string {
  return value === undefined ? 'undefined' : typeof value === 'function' ? 'a function' : typeof value
}
