import { Ajv, type Options as AjvOptions, type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { InvalidArgumentError, JsonError } from '../errors/classes.js'
import { FastJsonDecoder, type JsonDecoderOptions } from './decode.js'
import type { JsonSchemaObject } from './schema-types.js'

export type JsonSchemaDraft = '2020-12' | '07'

export interface JsonSchemaValidatorOptions {
  /** Which JSON Schema dialect the schema is written in. Default '2020-12'. */
  draft?: JsonSchemaDraft
  /** Collect every error instead of stopping at the first. Default false (faster). */
  allErrors?: boolean
  /** Other schemas a `$ref` may name, each by its `$id` or by its key in this record. */
  schemas?: Record<string, JsonSchemaObject | boolean> | (JsonSchemaObject | boolean)[]
  /** Formats to assert (`format` is only an annotation unless named here). */
  formats?: Record<string, RegExp | ((value: string) => boolean)>
  /** Refuse unknown keywords and other schema mistakes at construction (ajv strict mode). Default false. */
  strictSchema?: boolean
  /** How `validate` decodes a JSON text. Default: FastJsonDecoder defaults (prototype poisoning refused). */
  decoder?: JsonDecoderOptions
}

/** One validation failure, located by JSON Pointers into the value and the schema. */
export interface JsonSchemaError {
  /** JSON Pointer (RFC 6901) to the failing value; '' is the whole value. */
  path: string
  keyword: string
  message: string
  schemaPath: string
  params: Record<string, unknown>
}

/** assert() failed: the value does not match the schema; `errors` says where. */
export class JsonSchemaValidationError extends JsonError {
  static override readonly kind: string = 'JsonSchemaValidationError'
  readonly errors: JsonSchemaError[]

  constructor(errors: JsonSchemaError[]) {
    const first = errors[0]
    const where = first ? ` at ${JSON.stringify(first.path)}: ${first.keyword} ${first.message}` : ''
    super('ERR_JSON_SCHEMA', `The value does not match the JSON Schema${where}`)
    this.errors = errors
  }
}

/**
 * Ajv options covet fixes for safety: no `$data` (CVE-2025-69873: `$data` lets the data choose a
 * regular expression), no console output, Unicode-aware regular expressions, and NaN and ±Infinity
 * refused as numbers (JSON has neither, RFC 8259 §6), as a default Ajv does.
 */
function ajvOptions(options: JsonSchemaValidatorOptions, ownProperties: boolean): AjvOptions {
  return {
    $data: false,
    ownProperties,
    allErrors: options.allErrors ?? false,
    strict: options.strictSchema ?? false,
    logger: false,
    unicodeRegExp: true,
    strictNumbers: true,
    validateFormats: true,
    formats: options.formats ?? {},
  }
}

function newAjv(draft: JsonSchemaDraft, options: JsonSchemaValidatorOptions, ownProperties: boolean): Ajv {
  const settings = ajvOptions(options, ownProperties)
  return draft === '07' ? new Ajv(settings) : new Ajv2020(settings)
}

/**
 * Whether a schema names a member that every plain object inherits (`toString`, `constructor`,
 * `__proto__`...). Ajv then needs `ownProperties`, or `required: ["toString"]` would pass for `{}`;
 * the option costs about 8x in speed, so it is on only for such schemas.
 */
const INHERITED_NAMES = Object.getOwnPropertyNames(Object.prototype).map((name) => `"${name}"`)
function namesInheritedMember(schema: unknown, extra: unknown): boolean {
  const text = JSON.stringify([schema, extra ?? null])
  return INHERITED_NAMES.some((name) => text.includes(name))
}

/** Shared Ajv instances for validators without extra schemas or formats, by draft and flags. */
const sharedAjv = new Map<string, Ajv>()
/** Compiled validators per schema object and configuration: compiled once (issue 8). */
const compiled = new WeakMap<object, Map<string, ValidateFunction>>()

function compile(
  schema: JsonSchemaObject | boolean,
  draft: JsonSchemaDraft,
  options: JsonSchemaValidatorOptions,
) {
  const shareable = options.schemas === undefined && options.formats === undefined
  const ownProperties = namesInheritedMember(schema, options.schemas)
  const key = `${draft}:${options.allErrors === true}:${options.strictSchema === true}:${ownProperties}`
  const cacheable = shareable && typeof schema === 'object'
  const cached = cacheable ? compiled.get(schema)?.get(key) : undefined
  if (cached) return cached
  let ajv = shareable ? sharedAjv.get(key) : undefined
  if (!ajv) {
    ajv = newAjv(draft, options, ownProperties)
    if (shareable) sharedAjv.set(key, ajv)
  }
  try {
    if (options.schemas) addSchemas(ajv, options.schemas)
    const fn = compileWith(ajv, schema, shareable, () => newAjv(draft, options, ownProperties))
    if (cacheable) {
      let byKey = compiled.get(schema)
      if (!byKey) compiled.set(schema, (byKey = new Map()))
      byKey.set(key, fn)
    }
    return fn
  } catch (error) {
    if (error instanceof JsonError) throw error
    throw new JsonError('ERR_JSON_SCHEMA', `Invalid JSON Schema: ${(error as Error).message}`, {
      cause: error,
    })
  }
}

function compileWith(
  ajv: Ajv,
  schema: JsonSchemaObject | boolean,
  shared: boolean,
  fresh: () => Ajv,
): ValidateFunction {
  let fn: ValidateFunction
  try {
    fn = ajv.compile(schema as AnySchema)
  } catch (error) {
    // Two different schema objects with one $id cannot live in one Ajv: give this one its own.
    if (shared && /already exists/.test((error as Error).message)) return fresh().compile(schema as AnySchema)
    throw error
  }
  // A shared Ajv keeps every schema it compiled in a strong Map; covet's cache is a WeakMap, so
  // the schema is dropped from Ajv (the compiled function stays complete) and can be collected.
  if (shared && typeof schema === 'object') ajv.removeSchema(schema as AnySchema)
  return fn
}

function addSchemas(ajv: Ajv, schemas: NonNullable<JsonSchemaValidatorOptions['schemas']>): void {
  if (Array.isArray(schemas)) {
    for (const schema of schemas) ajv.addSchema(schema as AnySchema)
    return
  }
  for (const [key, schema] of Object.entries(schemas)) {
    ajv.addSchema(schema as AnySchema, key)
  }
}

/**
 * A JSON text to decode: a string, or bytes. ArrayBuffer.isView compiles to one instance-type
 * check, so a parsed object (the common input) never walks its prototype chain for instanceof.
 */
function isText(input: unknown): input is string | Uint8Array {
  return typeof input === 'string' || (ArrayBuffer.isView(input) && input instanceof Uint8Array)
}

/** Seen with ajv on some $dynamicRef loops: the generated code recurses without end. */
function failedInside(error: unknown): JsonError {
  return new JsonError(
    'ERR_JSON_SCHEMA',
    `Validation failed inside the validator: ${(error as Error).message}`,
    {
      cause: error,
    },
  )
}

function toError(error: ErrorObject): JsonSchemaError {
  return {
    path: error.instancePath,
    keyword: error.keyword,
    message: error.message ?? error.keyword,
    schemaPath: error.schemaPath,
    params: error.params,
  }
}

/**
 * JSON Schema validation on ajv (draft 2020-12 or draft-07), compiled once per schema object and
 * configuration and cached; safe defaults (no `$data`, no logging, poisoned JSON text refused).
 */
export class JsonSchemaValidator<T = unknown> {
  readonly draft: JsonSchemaDraft
  private readonly fn: ValidateFunction
  private readonly decoder: FastJsonDecoder
  private lastErrors: ErrorObject[] | null = null

  constructor(schema: JsonSchemaObject | boolean, options: JsonSchemaValidatorOptions = {}) {
    if (
      typeof schema !== 'boolean' &&
      (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    ) {
      throw new InvalidArgumentError('JsonSchemaValidator: schema must be a JSON Schema object or boolean')
    }
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError('JsonSchemaValidator: options must be an object')
    }
    const draft = options.draft ?? '2020-12'
    if (draft !== '2020-12' && draft !== '07') {
      throw new InvalidArgumentError("JsonSchemaValidator: option \"draft\" must be '2020-12' or '07'")
    }
    this.draft = draft
    this.decoder = new FastJsonDecoder(options.decoder)
    this.fn = compile(schema, draft, options)
  }

  /**
   * Validates a parsed value, or a JSON text (a string or Buffer is decoded first, with the safe
   * decoder). To validate a JavaScript string as the value itself, use validateValue.
   */
  validate(input: unknown): input is T {
    return this.validateValue(isText(input) ? this.decoder.decode(input) : input)
  }

  /** Validates the value as it is (never decodes). */
  validateValue(value: unknown): value is T {
    const fn = this.fn
    let ok: boolean
    try {
      ok = fn(value) as boolean
    } catch (error) {
      throw failedInside(error)
    }
    if (ok) {
      this.lastErrors = null
      return true
    }
    this.lastErrors = fn.errors ?? []
    return false
  }

  /** The failures of the last validate call, or null when it passed. */
  get errors(): JsonSchemaError[] | null {
    return this.lastErrors === null ? null : this.lastErrors.map(toError)
  }

  /** Returns the (decoded) value when it matches; otherwise throws JsonSchemaValidationError. */
  assert(input: unknown): T {
    const value = isText(input) ? this.decoder.decode(input) : input
    if (this.validateValue(value)) return value
    throw new JsonSchemaValidationError(this.errors ?? [])
  }
}
