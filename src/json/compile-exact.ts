import type { JsonSchemaObject, JsonSchemaType } from './schema-types.js'

type Schema = JsonSchemaObject | boolean

/** Recursion through `$ref` deeper than this makes a check answer false (the serializer then reports the cycle). */
const MAX_CHECK_DEPTH = 1000

function refOf(schema: Schema): string | undefined {
  return typeof schema === 'object' && typeof schema.$ref === 'string' ? schema.$ref : undefined
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

/**
 * Generates predicates that answer "would JSON.stringify write exactly what the compiled serializer
 * writes?": plain objects whose own keys are schema properties in schema order, values already of
 * the schema's types (nothing to coerce or leave out), arrays without `toJSON`. A long array whose
 * items all pass is given to JSON.stringify whole — on large outputs V8's native writer beats any
 * JavaScript concatenation — so a predicate's run time is all covet adds to JSON.stringify there.
 */
export class ExactShapeCompiler {
  private readonly byRef = new Map<string, string>()
  /** One predicate per object or array schema, however many places (and slow paths) use it. */
  private readonly objects = new Map<JsonSchemaObject, string>()
  private readonly arrays = new Map<JsonSchemaObject, string>()
  private count = 0

  constructor(
    private readonly resolve: (schema: Schema) => Schema,
    private readonly functions: string[],
  ) {}

  /** The name of a generated `(value, depth) => boolean` for a schema. */
  check(schema: Schema): string {
    const ref = refOf(schema)
    if (ref !== undefined && this.byRef.has(ref)) return this.byRef.get(ref)!
    const name = `c${this.count++}`
    if (ref !== undefined) this.byRef.set(ref, name)
    const guard = ref === undefined ? '' : `if (depth > ${MAX_CHECK_DEPTH}) return false;`
    this.functions.push(
      `function ${name}(v, depth) { ${guard} return ${this.code(this.resolve(schema), 'v')} }`,
    )
    return name
  }

  private code(input: Schema, v: string): string {
    if (refOf(input) !== undefined) return `${this.check(input)}(${v}, depth + 1)`
    const schema = this.resolve(input)
    const types = typeof schema === 'boolean' ? [] : schemaTypes(schema)
    // Untyped values, const and enum are written by JSON.stringify in the serializer too, except
    // that a member holding a function or symbol is written as null there and left out here.
    if (typeof schema === 'boolean' || types.length === 0 || 'const' in schema || schema.enum) {
      return `(typeof ${v} !== "function" && typeof ${v} !== "symbol")`
    }
    if (schema.anyOf || schema.oneOf) return 'false'
    return types.map((type) => `(${this.typeCode(type, schema, v)})`).join(' || ')
  }

  private typeCode(type: JsonSchemaType, schema: JsonSchemaObject, v: string): string {
    if (type === 'array') return `${once(this.arrays, schema, () => this.arrayCheck(schema))}(${v}, depth)`
    if (type === 'object') return `${once(this.objects, schema, () => this.objectCheck(schema))}(${v}, depth)`
    return typeTest(type, v)
  }

  private arrayCheck(schema: JsonSchemaObject): string {
    const name = `c${this.count++}`
    this.arrays.set(schema, name)
    const tuple = Array.isArray(schema.items) ? schema.items : undefined
    const prefix = schema.prefixItems ?? tuple ?? []
    const items = (tuple ? schema.additionalItems : (schema.items as Schema | undefined)) ?? true
    // JSON.stringify calls an array's toJSON (own, a subclass's, Array.prototype's); the serializer does not.
    let body = 'if (!Array.isArray(a) || a.toJSON !== undefined) return false; const n = a.length; let v;\n'
    prefix.forEach((item, i) => {
      body += `if (n > ${i}) { v = a[${i}]; if (!(${this.code(item, 'v')})) return false }\n`
    })
    body += `for (let i = ${prefix.length}; i < n; i++) { v = a[i]; if (!(${this.code(items, 'v')})) return false }\nreturn true`
    this.functions.push(`function ${name}(a, depth) {\n${body}\n}`)
    return name
  }

  /**
   * The common case, kept small enough for V8 to inline: every schema member present, in schema
   * order, nothing else. Keys are matched by position (a jump table; member names are internalized,
   * so each compare is a pointer compare), values read by name. The prototype is read after the
   * first member load: V8 then knows the object's map and folds Object.getPrototypeOf to a
   * constant (read first, it was a third of the predicate's time). Any other shape goes to
   * `memberWalk`.
   */
  private objectCheck(schema: JsonSchemaObject): string {
    const entries = Object.entries(schema.properties ?? {})
    const required = new Set(schema.required ?? [])
    const walk = this.memberWalk(schema, entries, required)
    const name = entries.length === 0 || walk === FALSE ? walk : `c${this.count++}`
    this.objects.set(schema, name)
    if (name === walk) return walk
    let body = 'if (typeof o !== "object" || o === null) return false;\nlet i = 0;\n'
    body += 'for (const k in o) { switch (i++) {\n'
    entries.forEach(([key], j) => {
      body += `case ${j}: if (k !== ${JSON.stringify(key)}) return ${walk}(o, depth); break;\n`
    })
    body += `default: return ${walk}(o, depth) } }\nif (i !== ${entries.length}) return ${walk}(o, depth);\n`
    entries.forEach(([key, property], j) => {
      const absent = required.has(key) ? '{ return false }' : '{}'
      body += `${j === 0 ? 'let ' : ''}v = o[${JSON.stringify(key)}];${j === 0 ? PLAIN_TEST : ''}\n`
      body += `if (v === undefined) ${absent} else if (!(${this.code(property, 'v')})) return false;\n`
    })
    this.functions.push(`function ${name}(o, depth) {\n${body}return true\n}`)
    return name
  }

  /** Any shape: own enumerable keys walked in order; `next` is the lowest schema position the next key may have. */
  private memberWalk(schema: JsonSchemaObject, entries: [string, Schema][], required: Set<string>): string {
    const requiredCount = entries.filter(([key]) => required.has(key)).length
    if (requiredCount < required.size) return FALSE
    const name = `c${this.count++}`
    let body = `if (typeof o !== "object" || o === null) return false;\n${PLAIN_TEST}\n`
    body += 'let next = 0; let seen = 0; let written = 0; let v;\nfor (const k in o) { switch (k) {\n'
    entries.forEach(([key, property], j) => {
      const isRequired = required.has(key)
      body += `case ${JSON.stringify(key)}: if (next > ${j}) return false; next = ${j + 1}; v = o[k];\n`
      body += `if (v === undefined) ${isRequired ? 'return false' : 'break'};\n`
      body += `if (!(${this.code(property, 'v')})) return false; ${isRequired ? 'seen++' : 'written++'}; break;\n`
    })
    const extra = schema.additionalProperties
    if (extra === undefined || extra === false) body += 'default: return false }\n}\n'
    else {
      body += `default: if (k === "toJSON") return false; next = ${entries.length + 1}; v = o[k];\n`
      body += `if (v !== undefined && !(${this.code(extra, 'v')})) return false }\n}\n`
    }
    // An optional member for-in did not show (not enumerable) is written by the serializer, which
    // reads members by name, and left out by JSON.stringify.
    const optional = entries.filter(([key]) => !required.has(key))
    const shown = optional.map(([key]) => `(o[${JSON.stringify(key)}] !== undefined)`)
    body += `return seen === ${requiredCount}${shown.length > 0 ? ` && written === ${shown.join(' + ')}` : ''}`
    this.functions.push(`function ${name}(o, depth) {\n${body}\n}`)
    return name
  }
}

/** The predicate for a schema no object can satisfy (a required member with no property schema). */
const FALSE = '(() => false)'

/**
 * Inline test that `o`, an object, is a plain one: a prototype or a null-prototype array could
 * bring toJSON, inherited members the serializer reads by name, or array indices.
 */
const PLAIN_TEST =
  'const proto = Object.getPrototypeOf(o); if (proto !== Object.prototype && (proto !== null || Array.isArray(o))) return false;'

function once(names: Map<JsonSchemaObject, string>, schema: JsonSchemaObject, make: () => string): string {
  return names.get(schema) ?? make()
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
