import { InvalidArgumentError, JsonError } from '../errors/classes.js'
import { JsonParseError } from './parse-error.js'
import { JsonTextParser, type ParserOptions, type ProtoAction } from './parser.js'

export type { ProtoAction } from './parser.js'

export interface JsonDecoderOptions {
  /**
   * Accept only RFC 8259 JSON as I-JSON (RFC 7493) narrows it: no duplicate member names, no lone
   * surrogates, no invalid UTF-8, no byte order mark, no number that overflows to Infinity.
   * Default false.
   */
  strict?: boolean
  /**
   * Deepest nesting accepted; deeper input fails with ERR_JSON_DEPTH. Default 1,000. Infinity
   * turns the check off (it costs one pass over texts longer than 2 × maxDepth characters); even
   * then nothing in covet recurses on the depth of the input.
   */
  maxDepth?: number
  /**
   * `__proto__` members and `constructor` members holding a `prototype` (prototype poisoning):
   * 'error' (default) throws ERR_JSON_UNSAFE, 'remove' drops them, 'ignore' keeps them.
   */
  protoAction?: ProtoAction
  /** 'number' (default) is JSON.parse's behaviour; 'lossless' returns integers beyond 2^53 as bigint. */
  bigint?: 'number' | 'lossless'
  /** 'number' (default), or 'string': numbers with a fraction or exponent keep their source text. */
  decimals?: 'number' | 'string'
}

const DEFAULT_MAX_DEPTH = 1000

// The member names secure-json-parse looks for, with any character possibly \u-escaped, so a
// document that cannot be poisoned skips the walk over the parsed value.
const char = (c: string) =>
  `(?:${c}|\\\\u${c
    .charCodeAt(0)
    .toString(16)
    .padStart(4, '0')
    .replace(/[a-f]/g, (h) => `[${h}${h.toUpperCase()}]`)})`
const SUSPECT_PROTO = new RegExp(`"${[...'__proto__'].map(char).join('')}"\\s*:`)
const SUSPECT_CONSTRUCTOR = new RegExp(`"${[...'constructor'].map(char).join('')}"\\s*:`)

/**
 * Both attacks need a member name containing "proto" (`__proto__`, or `prototype` under
 * `constructor`), unless it is \u-escaped; two native substring searches rule most texts out
 * before the regular expressions run.
 */
function mayBePoisoned(text: string): boolean {
  if (!text.includes('proto') && !text.includes('\\u')) return false
  return SUSPECT_PROTO.test(text) || SUSPECT_CONSTRUCTOR.test(text)
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Safe JSON decoding. The default path is V8's JSON.parse plus the checks that need no second
 * parse (nesting bound, prototype poisoning); strict mode and lossless numbers use covet's own
 * iterative parser. Every error carries line, column and an excerpt.
 */
export class FastJsonDecoder {
  readonly strict: boolean
  readonly maxDepth: number
  readonly protoAction: ProtoAction
  private readonly parserOptions: ParserOptions
  private readonly ownParser: boolean

  constructor(options: JsonDecoderOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError('FastJsonDecoder: options must be an object')
    }
    const { strict = false, maxDepth = DEFAULT_MAX_DEPTH, protoAction = 'error', bigint = 'number' } = options
    const { decimals = 'number' } = options
    if (typeof strict !== 'boolean') throw invalid('strict', 'must be a boolean')
    if (maxDepth !== Number.POSITIVE_INFINITY && !(Number.isInteger(maxDepth) && maxDepth >= 1)) {
      throw invalid('maxDepth', 'must be a positive integer or Infinity')
    }
    if (!['error', 'remove', 'ignore'].includes(protoAction))
      throw invalid('protoAction', "must be 'error', 'remove' or 'ignore'")
    if (bigint !== 'number' && bigint !== 'lossless')
      throw invalid('bigint', "must be 'number' or 'lossless'")
    if (decimals !== 'number' && decimals !== 'string')
      throw invalid('decimals', "must be 'number' or 'string'")
    this.strict = strict
    this.maxDepth = maxDepth
    this.protoAction = protoAction
    this.parserOptions = {
      strict,
      maxDepth,
      protoAction,
      losslessIntegers: bigint === 'lossless',
      decimalsAsString: decimals === 'string',
    }
    this.ownParser = strict || bigint === 'lossless' || decimals === 'string'
  }

  decode<T = unknown>(input: string | Uint8Array): T {
    const text = this.toText(input)
    if (this.ownParser) return new JsonTextParser(text, this.parserOptions).parse() as T
    // Valid JSON nested d deep needs at least 2d characters, so short texts skip the depth scan.
    if (text.length > 2 * this.maxDepth) checkDepth(text, this.maxDepth)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      throw this.explain(text, error)
    }
    if (this.protoAction !== 'ignore' && typeof value === 'object' && value !== null && mayBePoisoned(text)) {
      value = this.scrub(value, text)
    }
    return value as T
  }

  private toText(input: string | Uint8Array): string {
    if (typeof input === 'string') {
      if (this.strict && !(input as unknown as { isWellFormed(): boolean }).isWellFormed()) {
        throw new JsonParseError(
          'ERR_JSON_PARSE',
          'Lone surrogate in the text',
          input,
          firstLoneSurrogate(input),
        )
      }
      return input
    }
    if (!(input instanceof Uint8Array)) {
      throw new InvalidArgumentError('decode: input must be a string, Buffer or Uint8Array')
    }
    if (this.strict) {
      try {
        return utf8Fatal.decode(input)
      } catch (error) {
        throw new JsonError('ERR_JSON_PARSE', 'The bytes are not valid UTF-8 (RFC 8259 §8.1)', {
          cause: error,
        })
      }
    }
    // RFC 8259 §8.1: a parser MAY ignore a leading byte order mark.
    const start = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0
    return Buffer.from(input.buffer, input.byteOffset + start, input.byteLength - start).toString('utf8')
  }

  /** JSON.parse refused the text: the own parser finds where, for line and column. */
  private explain(text: string, error: unknown): JsonError {
    try {
      new JsonTextParser(text, { ...this.parserOptions, protoAction: 'ignore' }).parse()
    } catch (located) {
      if (located instanceof JsonError) return located
    }
    return new JsonError('ERR_JSON_PARSE', `Invalid JSON: ${(error as Error).message}`, { cause: error })
  }

  /** Walks the parsed value for poisoned members; throws or removes per protoAction. */
  private scrub(root: object, text: string): unknown {
    const stack: object[] = [root]
    while (stack.length > 0) {
      const node = stack.pop()!
      if (Array.isArray(node)) {
        for (const item of node) if (typeof item === 'object' && item !== null) stack.push(item)
        continue
      }
      const record = node as Record<string, unknown>
      if (Object.hasOwn(record, '__proto__')) this.unsafe(record, '__proto__', text)
      const ctor = Object.hasOwn(record, 'constructor') ? record.constructor : undefined
      if (typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype')) {
        this.unsafe(record, 'constructor', text)
      }
      for (const key in record) {
        const child = record[key]
        if (typeof child === 'object' && child !== null) stack.push(child)
      }
    }
    return root
  }

  private unsafe(record: Record<string, unknown>, key: string, text: string): void {
    if (this.protoAction === 'remove') {
      delete record[key]
      return
    }
    // Re-read with the own parser so the error points at the member.
    new JsonTextParser(text, { ...this.parserOptions, protoAction: 'error' }).parse()
    throw new JsonError('ERR_JSON_UNSAFE', `Refused "${key}" member (prototype poisoning)`)
  }
}

function invalid(option: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`FastJsonDecoder: option "${option}" ${why}`)
}

/**
 * Fails with ERR_JSON_DEPTH if brackets outside strings nest deeper than maxDepth. One pass over
 * the text, before JSON.parse builds anything.
 */
export function checkDepth(text: string, maxDepth: number): void {
  let depth = 0
  const length = text.length
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      // Skip the string natively: the next quote not preceded by an odd run of backslashes.
      for (;;) {
        const close = text.indexOf('"', i + 1)
        if (close === -1) return
        let backslashes = 0
        while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes++
        i = close
        if (backslashes % 2 === 0) break
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) {
        throw new JsonParseError('ERR_JSON_DEPTH', `JSON nests deeper than maxDepth ${maxDepth}`, text, i)
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--
    }
  }
}

function firstLoneSurrogate(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
      else return i
    } else if (c >= 0xdc00 && c <= 0xdfff) return i
  }
  return 0
}
