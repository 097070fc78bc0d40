/**
 * NDJSON request bodies through covet's decodeStream, as records numbered from 1. decodeStream with
 * skipInvalid reports a malformed line to onInvalid before it yields the next good value, so the
 * two sequences merge back into stream order here.
 */
import type { Readable } from 'node:stream'
import { isCovetError } from '../../../src/errors/index.js'
import { decodeStream, type JsonStreamItemError } from '../../../src/json/index.js'
import { HttpError } from '../server/http.js'
import { JSON_BODY_LIMIT } from '../server/json-body.js'

export type NdjsonItem =
  | { record: number; value: unknown }
  /** `line` is the 1-based line of the malformed record (blank lines are not records). */
  | { record: number; line: number | undefined; error: string }

export async function* ndjsonItems(source: Readable): AsyncGenerator<NdjsonItem> {
  const invalid: JsonStreamItemError[] = []
  let seen = 0
  const flush = function* (): Generator<NdjsonItem> {
    for (const error of invalid.splice(0)) {
      seen++
      yield { record: error.index + 1, line: error.line, error: error.message }
    }
  }
  const values = decodeStream(source, {
    format: 'ndjson',
    skipInvalid: true,
    onInvalid: (error) => invalid.push(error),
    // One line may be as large as a JSON request body, no larger: memory stays bounded per line.
    maxItemBytes: JSON_BODY_LIMIT,
  })
  try {
    for await (const value of values) {
      yield* flush()
      yield { record: ++seen, value }
    }
    yield* flush()
  } catch (error) {
    // What skipInvalid cannot skip: a line over maxItemBytes. The import is all or nothing, so
    // nothing has been written when this surfaces.
    if (isCovetError(error) && error.code.startsWith('ERR_JSON')) {
      throw new HttpError(400, 'malformed_ndjson', error.message)
    }
    throw error
  }
}
