/**
 * JSON request bodies: bounded, decoded by covet's FastJsonDecoder (which refuses prototype poisoning
 * and absurd nesting), then checked by a JsonSchemaValidator compiled once per schema.
 */
import type { IncomingMessage } from 'node:http'
import { isCovetError } from '../../../src/errors/index.js'
import { FastJsonDecoder, type JsonSchemaObject, JsonSchemaValidator } from '../../../src/json/index.js'
import { FORMATS } from './formats.js'
import { HttpError, readBody, requireMediaType } from './http.js'

/** Largest JSON body accepted (a note body is at most 100,000 characters, see routes/notes.ts). */
export const JSON_BODY_LIMIT = 1 << 20

const decoder = new FastJsonDecoder()
const validators = new WeakMap<object, JsonSchemaValidator>()

export function validatorFor(schema: object): JsonSchemaValidator {
  let validator = validators.get(schema)
  if (validator === undefined) {
    // allErrors: a client fixing its request wants every problem at once, not one per round trip.
    validator = new JsonSchemaValidator(schema as JsonSchemaObject, { allErrors: true, formats: FORMATS })
    validators.set(schema, validator)
  }
  return validator
}

/** Decodes text as JSON, turning covet's JSON errors (with line and column) into a 400. */
export function decodeJson(text: string | Buffer): unknown {
  try {
    return decoder.decode(text)
  } catch (error) {
    if (isCovetError(error) && error.code.startsWith('ERR_JSON')) {
      throw new HttpError(400, 'malformed_json', error.message)
    }
    throw error
  }
}

/** A 400 listing the validator's errors (JSON Pointer, keyword, message) unless `value` fits `schema`. */
export function assertSchema<T>(value: unknown, schema: object, what = 'the body'): T {
  const validator = validatorFor(schema)
  if (!validator.validateValue(value)) {
    throw new HttpError(400, 'schema_violation', `${what} does not match its JSON Schema`, validator.errors)
  }
  return value as T
}

export async function readJson<T>(
  req: IncomingMessage,
  schema: object,
  mediaTypes: readonly string[] = ['application/json'],
): Promise<T> {
  requireMediaType(req, mediaTypes)
  return assertSchema<T>(decodeJson(await readBody(req, JSON_BODY_LIMIT)), schema)
}
