import { JsonError } from '../errors/classes.js'
import type { CovetError } from '../errors/covet-error.js'
import { FastJsonDecoder, type JsonDecoderOptions } from './decode.js'
import { FastJsonEncoder, type JsonEncoderOptions } from './encode.js'

/** One item's outcome: a bad document yields its error and does not lose the others. */
export type BatchResult<T> = { ok: true; value: T } | { ok: false; error: CovetError }

function failure(
  error: unknown,
  code: 'ERR_JSON_ENCODE' | 'ERR_JSON_PARSE',
  index: number,
): BatchResult<never> {
  if (error instanceof JsonError) return { ok: false, error }
  return {
    ok: false,
    error: new JsonError(code, `Item ${index}: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    }),
  }
}

/** Encodes each value on its own; returns one result per value, in order. */
export function encodeBatch(
  values: Iterable<unknown>,
  options: JsonEncoderOptions | FastJsonEncoder = {},
): BatchResult<string>[] {
  const encoder = options instanceof FastJsonEncoder ? options : new FastJsonEncoder(options)
  const results: BatchResult<string>[] = []
  let index = 0
  for (const value of values) {
    try {
      results.push({ ok: true, value: encoder.encode(value) })
    } catch (error) {
      results.push(failure(error, 'ERR_JSON_ENCODE', index))
    }
    index++
  }
  return results
}

/** Decodes each text (string or bytes) on its own; returns one result per text, in order. */
export function decodeBatch<T = unknown>(
  texts: Iterable<string | Uint8Array>,
  options: JsonDecoderOptions | FastJsonDecoder = {},
): BatchResult<T>[] {
  const decoder = options instanceof FastJsonDecoder ? options : new FastJsonDecoder(options)
  const results: BatchResult<T>[] = []
  let index = 0
  for (const text of texts) {
    try {
      results.push({ ok: true, value: decoder.decode<T>(text) })
    } catch (error) {
      results.push(failure(error, 'ERR_JSON_PARSE', index))
    }
    index++
  }
  return results
}
