/** What the string serializer (compile.ts) and the byte writer (compile-bytes.ts) share. */
import { JsonError } from '../errors/classes.js'
import { quote } from './encode-value.js'
import type { JsonSchemaObject, JsonSchemaType } from './schema-types.js'

/** Recursion through `$ref` deeper than this is taken for a cycle in the data. */
export const MAX_REF_DEPTH = 1000

/** The helpers generated code calls; passed in, so the code closes over nothing else. */
export const runtime = {
  /** Coercions follow the schema's type, as fast-json-stringify does (issue 8). */
  string(value: unknown, at: string): string {
    if (value instanceof Date) return `"${value.toISOString()}"`
    if (value === null || value === undefined) return '""'
    if (typeof value === 'object') throw encodeError(at, 'an object cannot be written as a string')
    return quote(String(value))
  },
  number(value: unknown, at: string): string {
    const n = typeof value === 'number' ? value : typeof value === 'bigint' ? value : Number(value)
    if (typeof n === 'bigint') return String(n)
    if (Number.isFinite(n)) return String(n)
    if (typeof value === 'number') return 'null'
    throw encodeError(at, `${typeof value} ${quote(String(value))} is not a number`)
  },
  integer(value: unknown, at: string): string {
    if (typeof value === 'bigint') return String(value)
    const n = typeof value === 'number' ? value : Number(value)
    if (Number.isFinite(n)) return String(Math.trunc(n))
    if (typeof value === 'number') return 'null'
    throw encodeError(at, `${typeof value} ${quote(String(value))} is not an integer`)
  },
  any(value: unknown, at: string): string {
    if (value === undefined) return 'null'
    try {
      return JSON.stringify(value) ?? 'null'
    } catch (error) {
      throw new JsonError('ERR_JSON_ENCODE', `Cannot encode the value for schema location ${at}`, {
        cause: error,
      })
    }
  },
  missing(name: string, at: string): never {
    throw encodeError(at, `the required property ${quote(name)} is missing`)
  },
  notA(kind: string, at: string): never {
    throw encodeError(at, `expected ${kind}`)
  },
  tooDeep(at: string): never {
    throw new JsonError(
      'ERR_JSON_CYCLE',
      `Recursion through $ref deeper than ${MAX_REF_DEPTH} at ${at} (a cycle in the data?)`,
    )
  },
}

function encodeError(at: string, why: string): JsonError {
  return new JsonError('ERR_JSON_ENCODE', `Cannot encode the value for schema location ${at}: ${why}`)
}

/** The JSON types a schema admits, as the serializer compiler reads them. */
export function schemaTypes(schema: JsonSchemaObject): JsonSchemaType[] {
  let types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []
  if (schema.nullable && !types.includes('null')) types = [...types, 'null']
  if (types.length > 0) return types
  if (schema.properties) return ['object']
  if (schema.items || schema.prefixItems) return ['array']
  return []
}

/** The generated test that a value has a JSON Schema type (shallow: no items or properties). */
export function typeTest(type: JsonSchemaType, v: string): string {
  switch (type) {
    case 'string':
      return `typeof ${v} === "string"`
    case 'number':
      return `typeof ${v} === "number"`
    case 'integer':
      return `Number.isInteger(${v})`
    case 'boolean':
      return `typeof ${v} === "boolean"`
    case 'null':
      return `${v} === null`
    case 'array':
      return `Array.isArray(${v})`
    default:
      return `(typeof ${v} === "object" && ${v} !== null && !Array.isArray(${v}))`
  }
}
