import type { ErrorCode } from '../errors/codes.js'
import { JsonParseError } from './parse-error.js'

/** What to do with a `__proto__` member, or a `constructor` member holding a `prototype`. */
export type ProtoAction = 'error' | 'remove' | 'ignore'

export interface ParserOptions {
  /** Reject duplicate member names and lone surrogate escapes (RFC 8259 §4, RFC 7493 §2). */
  strict: boolean
  maxDepth: number
  protoAction: ProtoAction
  /** Integers outside ±(2^53 − 1) become bigint. */
  losslessIntegers: boolean
  /** Numbers with a fraction or exponent are returned as their source text. */
  decimalsAsString: boolean
}

/** An open container; for objects, the pending member name and where it starts (for errors). */
type Frame =
  | { array: unknown[]; object: undefined; key: string; keyAt: number }
  | { array: undefined; object: Record<string, unknown>; key: string; keyAt: number }

// Character codes, named for RFC 8259 §2 (structural characters) and §7 (strings).
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const MINUS = 0x2d
const ZERO = 0x30
const NINE = 0x39

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
}
const HEX4 = /^[0-9a-fA-F]{4}$/

/**
 * A complete RFC 8259 parser, iterative (an explicit stack, so `[[[[…` a million deep cannot
 * overflow the call stack). It is the path for strict mode and lossless numbers, and it re-reads
 * text that JSON.parse refused, to report the line and column.
 */
export class JsonTextParser {
  private i = 0

  constructor(
    private readonly text: string,
    private readonly options: ParserOptions,
  ) {}

  parse(): unknown {
    const value = this.parseValue()
    this.skipWhitespace()
    if (this.i < this.text.length) this.fail('Unexpected data after the JSON value')
    return value
  }

  private fail(why: string, code: ErrorCode = 'ERR_JSON_PARSE', at = this.i): never {
    throw new JsonParseError(code, why, this.text, at)
  }

  /** RFC 8259 §2: only space, tab, line feed and carriage return are whitespace. */
  private skipWhitespace(): void {
    const text = this.text
    let i = this.i
    for (;;) {
      const c = text.charCodeAt(i)
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++
      else break
    }
    this.i = i
  }

  private unexpected(): never {
    if (this.i >= this.text.length) this.fail('Unexpected end of JSON input')
    this.fail(`Unexpected character ${JSON.stringify(this.text[this.i])}`)
  }

  /** Called before a container opens at nesting level `depth` + 1. */
  private enter(depth: number): void {
    if (depth >= this.options.maxDepth) {
      this.fail(`JSON nests deeper than maxDepth ${this.options.maxDepth}`, 'ERR_JSON_DEPTH')
    }
  }

  private parseValue(): unknown {
    const text = this.text
    const stack: Frame[] = []
    let value: unknown
    for (;;) {
      this.skipWhitespace()
      const c = text.charCodeAt(this.i)
      if (c === OPEN_BRACE) {
        this.enter(stack.length)
        this.i++
        this.skipWhitespace()
        if (text.charCodeAt(this.i) === CLOSE_BRACE) {
          this.i++
          value = {}
        } else {
          const keyAt = this.i
          stack.push({ array: undefined, object: {}, key: this.parseKey(), keyAt })
          continue
        }
      } else if (c === OPEN_BRACKET) {
        this.enter(stack.length)
        this.i++
        this.skipWhitespace()
        if (text.charCodeAt(this.i) === CLOSE_BRACKET) {
          this.i++
          value = []
        } else {
          stack.push({ array: [], object: undefined, key: '', keyAt: 0 })
          continue
        }
      } else if (c === QUOTE) {
        value = this.parseString()
      } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
        value = this.parseNumber()
      } else if (text.startsWith('true', this.i)) {
        this.i += 4
        value = true
      } else if (text.startsWith('false', this.i)) {
        this.i += 5
        value = false
      } else if (text.startsWith('null', this.i)) {
        this.i += 4
        value = null
      } else {
        this.unexpected()
      }
      // A value is complete: hand it to the enclosing containers, closing as many as end here.
      for (;;) {
        const frame = stack[stack.length - 1]
        if (frame === undefined) return value
        this.skipWhitespace()
        const next = text.charCodeAt(this.i)
        if (frame.array) {
          frame.array.push(value)
          if (next === COMMA) {
            this.i++
            break
          }
          if (next !== CLOSE_BRACKET) this.unexpected()
          this.i++
          value = frame.array
        } else {
          this.setMember(frame.object, frame.key, value, frame.keyAt)
          if (next === COMMA) {
            this.i++
            this.skipWhitespace()
            frame.keyAt = this.i
            frame.key = this.parseKey()
            break
          }
          if (next !== CLOSE_BRACE) this.unexpected()
          this.i++
          value = frame.object
        }
        stack.pop()
      }
    }
  }

  /** A member name and its colon. */
  private parseKey(): string {
    if (this.text.charCodeAt(this.i) !== QUOTE) {
      this.fail(
        this.i >= this.text.length ? 'Unexpected end of JSON input' : 'Expected a double-quoted member name',
      )
    }
    const key = this.parseString()
    this.skipWhitespace()
    if (this.text.charCodeAt(this.i) !== COLON) this.unexpected()
    this.i++
    return key
  }

  private setMember(object: Record<string, unknown>, key: string, value: unknown, keyAt: number): void {
    const unsafe =
      key === '__proto__' ||
      (key === 'constructor' &&
        typeof value === 'object' &&
        value !== null &&
        Object.hasOwn(value, 'prototype'))
    if (unsafe && this.options.protoAction !== 'ignore') {
      if (this.options.protoAction === 'remove') return
      this.fail(`Refused "${key}" member (prototype poisoning)`, 'ERR_JSON_UNSAFE', keyAt)
    }
    if (this.options.strict && Object.hasOwn(object, key)) {
      this.fail(`Duplicate member name ${JSON.stringify(key)}`, 'ERR_JSON_PARSE', keyAt)
    }
    // defineProperty keeps "__proto__" (when allowed) an own data member, as JSON.parse does.
    if (key === '__proto__') {
      Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
    } else {
      object[key] = value
    }
  }

  private parseString(): string {
    const text = this.text
    const start = ++this.i
    let i = start
    // Fast path: no escapes, no control characters.
    for (;;) {
      const c = text.charCodeAt(i)
      if (c === QUOTE) {
        this.i = i + 1
        return text.slice(start, i)
      }
      if (c === BACKSLASH || c < 0x20 || Number.isNaN(c)) break
      i++
    }
    let out = text.slice(start, i)
    let lowSurrogateAt = -1
    for (;;) {
      const c = text.charCodeAt(i)
      if (Number.isNaN(c)) this.fail('Unterminated string', 'ERR_JSON_PARSE', i)
      if (c < 0x20) this.fail('Unescaped control character in string', 'ERR_JSON_PARSE', i)
      if (c === QUOTE) {
        this.i = i + 1
        return out
      }
      if (c !== BACKSLASH) {
        out += text[i]
        i++
        continue
      }
      const e = text[i + 1]
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6)
        if (!HEX4.test(hex)) this.fail('Bad \\u escape', 'ERR_JSON_PARSE', i)
        const unit = Number.parseInt(hex, 16)
        if (this.options.strict && unit >= 0xd800 && unit <= 0xdfff)
          lowSurrogateAt = this.checkSurrogate(unit, i, lowSurrogateAt)
        out += String.fromCharCode(unit)
        i += 6
        continue
      }
      const decoded = e === undefined ? undefined : ESCAPES[e]
      if (decoded === undefined) this.fail('Bad escape in string', 'ERR_JSON_PARSE', i)
      out += decoded
      i += 2
    }
  }

  /**
   * RFC 7493 §2.1 (I-JSON): a high surrogate escape must be followed at once by a low one, and a
   * low one must follow a high one. Returns where the next escape must be a low surrogate, or -1.
   */
  private checkSurrogate(unit: number, i: number, lowSurrogateAt: number): number {
    if (unit >= 0xdc00) {
      if (i !== lowSurrogateAt) this.fail('Lone surrogate escape in string', 'ERR_JSON_PARSE', i)
      return -1
    }
    const next = this.text.slice(i + 6, i + 12)
    const low = /^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/.test(next)
    if (!low) this.fail('Lone surrogate escape in string', 'ERR_JSON_PARSE', i)
    return i + 6
  }

  private parseNumber(): number | bigint | string {
    const text = this.text
    const start = this.i
    let i = start
    if (text.charCodeAt(i) === MINUS) i++
    const first = text.charCodeAt(i)
    if (first === ZERO) i++
    else if (first > ZERO && first <= NINE) while (isDigit(text.charCodeAt(i))) i++
    else this.fail('Bad number', 'ERR_JSON_PARSE', i)
    let integer = true
    if (text.charCodeAt(i) === 0x2e) {
      integer = false
      i++
      if (!isDigit(text.charCodeAt(i))) this.fail('Bad number: a digit must follow "."', 'ERR_JSON_PARSE', i)
      while (isDigit(text.charCodeAt(i))) i++
    }
    const e = text.charCodeAt(i)
    if (e === 0x65 || e === 0x45) {
      integer = false
      i++
      const sign = text.charCodeAt(i)
      if (sign === 0x2b || sign === MINUS) i++
      if (!isDigit(text.charCodeAt(i)))
        this.fail('Bad number: a digit must follow the exponent', 'ERR_JSON_PARSE', i)
      while (isDigit(text.charCodeAt(i))) i++
    }
    this.i = i
    const source = text.slice(start, i)
    if (!integer && this.options.decimalsAsString) return source
    const value = Number(source)
    if (integer && this.options.losslessIntegers && !Number.isSafeInteger(value)) return BigInt(source)
    if (this.options.strict && !Number.isFinite(value))
      this.fail('Number out of range', 'ERR_JSON_PARSE', start)
    return value
  }
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE
}
