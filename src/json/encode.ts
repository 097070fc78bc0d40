import { InvalidArgumentError, JsonError } from '../errors/classes.js'
import { type CompiledJsonEncoder, compileSerializer } from './compile.js'
import { type BigIntMode, describe, ValueWriter } from './encode-value.js'
import type { JsonSchemaObject } from './schema-types.js'

export type { BigIntMode } from './encode-value.js'

export interface JsonEncoderOptions {
  /** Indent nested values: true for 2 spaces, or the number of spaces (1–10). Default false. */
  pretty?: boolean | number
  /** Write object members in UTF-16 code unit order, so equal values encode identically. */
  sortKeys?: boolean
  /**
   * RFC 8785 JSON Canonicalization Scheme: sorted keys, ECMAScript number form, and a refusal
   * (ERR_JSON_ENCODE) of what JCS cannot represent: NaN, ±Infinity, lone surrogates.
   */
  canonical?: boolean
  /** What a bigint becomes: 'error' (default, ERR_JSON_ENCODE), 'string' ("123"), 'number' (123). */
  bigint?: BigIntMode
}

/**
 * JSON encoding. Without sorting, V8's JSON.stringify does the work; when it throws (a cycle, a
 * bigint) covet's own writer runs instead and either handles the bigint as configured or throws a
 * JsonError that names the path — never JSON.stringify's bare TypeError.
 */
export class FastJsonEncoder {
  readonly pretty: number
  readonly sortKeys: boolean
  readonly canonical: boolean
  readonly bigint: BigIntMode
  private readonly writer: ValueWriter
  private readonly native: boolean

  constructor(options: JsonEncoderOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError('FastJsonEncoder: options must be an object')
    }
    const { pretty = false, sortKeys = false, canonical = false, bigint = 'error' } = options
    if (pretty !== true && pretty !== false && !(Number.isInteger(pretty) && pretty >= 0 && pretty <= 10)) {
      throw invalid('pretty', 'must be a boolean or an integer from 0 to 10')
    }
    if (typeof sortKeys !== 'boolean') throw invalid('sortKeys', 'must be a boolean')
    if (typeof canonical !== 'boolean') throw invalid('canonical', 'must be a boolean')
    if (bigint !== 'error' && bigint !== 'string' && bigint !== 'number') {
      throw invalid('bigint', "must be 'error', 'string' or 'number'")
    }
    this.pretty = pretty === true ? 2 : pretty === false ? 0 : pretty
    if (canonical && this.pretty > 0)
      throw invalid('pretty', 'cannot be combined with canonical (RFC 8785 has no whitespace)')
    if (canonical && bigint === 'number') {
      throw invalid(
        'bigint',
        "cannot be 'number' with canonical: RFC 8785 numbers are IEEE 754 doubles (§3.2.2.3)",
      )
    }
    this.sortKeys = sortKeys || canonical
    this.canonical = canonical
    this.bigint = bigint
    this.writer = new ValueWriter({
      indent: ' '.repeat(this.pretty),
      sortKeys: this.sortKeys,
      canonical,
      bigint,
    })
    this.native = !this.sortKeys
  }

  /** A specialised serializer generated from a JSON Schema (see CompiledJsonEncoder). */
  static compile(schema: JsonSchemaObject | boolean): CompiledJsonEncoder {
    return compileSerializer(schema)
  }

  encode(value: unknown): string {
    if (this.native) {
      let out: string | undefined
      try {
        out = this.pretty > 0 ? JSON.stringify(value, null, this.pretty) : JSON.stringify(value)
      } catch {
        return this.writer.write(value)
      }
      if (out === undefined)
        throw new JsonError('ERR_JSON_ENCODE', `Cannot encode ${describe(value)} as JSON`)
      return out
    }
    return this.writer.write(value)
  }

  encodeToBuffer(value: unknown): Buffer {
    return Buffer.from(this.encode(value), 'utf8')
  }
}

function invalid(option: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`FastJsonEncoder: option "${option}" ${why}`)
}
