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

export interface TypeCodecs {
  /**
   * A text-format (format 0) decoder: for the simple protocol and COPY text, which always carry
   * text, and for extended-protocol columns when `preferredResult` has no binary decoder.
   */
  result(typeOid: number): ResultCodec
  /** The decoder for an extended-protocol result column, in the format the registry prefers. */
  preferredResult(typeOid: number): ResultCodec
  /** The encoder for a Bind parameter of this type, in the format the registry prefers. */
  param(typeOid: number): ParamCodec
  /** A binary-format (format 1) encoder, or undefined when the type has none (COPY binary rows). */
  binary(typeOid: number): ParamCodec | undefined
}

/** Text format everywhere (binary encoders stay available for COPY): for debugging and comparison. */
export const textCodecs: TypeCodecs = new TypeRegistry({ binary: false })

/**
 * The codec of parameter `index`, whose encoding errors name the parameter ($1, $2, ...): the
 * codecs know the type but not the position, and the message must not carry the value.
 */
export function withParameterPosition(codec: ParamCodec, index: number): ParamCodec {
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
