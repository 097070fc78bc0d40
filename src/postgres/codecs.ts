import { QueryError } from '../errors/classes.js'
import { isCovetError } from '../errors/covet-error.js'
import type { FormatCode } from './protocol/codes.js'
import { TypeRegistry } from './types/registry.js'

/**
 * What the connection needs from a type layer: for each type OID, how to decode a result column
 * and how to encode a parameter, each with its wire format (§55.2.2 "Formats and Format Codes").
 * The connection resolves these once per prepared statement (DESIGN §2: per-statement compiled
 * decoders), never per row. `TypeRegistry` (types/registry.ts) is the implementation.
 */
export interface ResultCodec {
  format: FormatCode
  /** Decodes `length` bytes at `offset` (never called for NULL). */
  decode(buffer: Buffer, offset: number, length: number): unknown
}

export interface ParamCodec {
  format: FormatCode
  /** Encodes a non-null value for the parameter's type. */
  encode(value: unknown): Uint8Array
}

/**
 * The encoder of a Bind parameter. Bind takes a format code per parameter (§55.7 "Bind"), so a
 * value may go in the other format: `encode` returns bytes in `format`, or a string, which is
 * sent in text format for the type's input function to parse (issue 14: a JS string is parsed by
 * the server, never here; binary is for native values whose binary form is exact).
 */
export interface ParameterCodec {
  format: FormatCode
  encode(value: unknown): Uint8Array | string
}

export interface TypeCodecs {
  /**
   * A text-format (format 0) decoder: for the simple protocol and COPY text, which always carry
   * text, and for extended-protocol columns when `preferredResult` has no binary decoder.
   */
  result(typeOid: number): ResultCodec
  /** The decoder for an extended-protocol result column, in the format the registry prefers. */
  preferredResult(typeOid: number): ResultCodec
  /** The encoder for a Bind parameter of this type, in the format the registry prefers. */
  param(typeOid: number): ParameterCodec
  /** A binary-format (format 1) encoder, or undefined when the type has none (COPY binary rows). */
  binary(typeOid: number): ParamCodec | undefined
}

/** Text format everywhere (binary encoders stay available for COPY): for debugging and comparison. */
export const textCodecs: TypeCodecs = new TypeRegistry({ binary: false })

/**
 * The codec of parameter `index`, whose encoding errors name the parameter ($1, $2, ...): the
 * codecs know the type but not the position, and the message must not carry the value.
 */
export function withParameterPosition(codec: ParameterCodec, index: number): ParameterCodec {
  const encode = codec.encode
  return {
    format: codec.format,
    encode(value) {
      try {
        return encode(value)
      } catch (err) {
        const reason = isCovetError(err) ? err.message : 'the value cannot be encoded'
        throw new QueryError('ERR_TYPE_ENCODE', `parameter $${index + 1}: ${reason}`, { cause: err })
      }
    },
  }
}

/**
 * Encodes one execution's parameters into `values` (NULL for null and undefined) and returns
 * their format codes: the statement's `formats` as they are, or a copy where a value went as
 * text to a binary-format parameter (a string for an int4, say), so the common case allocates
 * nothing beyond the values.
 */
export function encodeParameters(
  codecs: readonly ParameterCodec[],
  formats: readonly number[],
  params: readonly unknown[],
  values: (Uint8Array | null)[],
): readonly number[] {
  let out = formats
  for (let i = 0; i < values.length; i++) {
    const v = params[i]
    if (v === null || v === undefined) {
      values[i] = null
      continue
    }
    const encoded = codecs[i]!.encode(v)
    if (typeof encoded !== 'string') values[i] = encoded
    else {
      values[i] = Buffer.from(encoded, 'utf8')
      if (formats[i] !== 0) {
        if (out === formats) out = formats.slice()
        ;(out as number[])[i] = 0
      }
    }
  }
  return out
}
