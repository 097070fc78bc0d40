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
 * the schema's types (nothing to coerce or leave out). A long array whose items all pass is given
 * to JSON.stringify whole — on large outputs V8's native writer beats any JavaScript concatenation.
 */
export class ExactShapeCompiler {
  private readonly byRef = new Map<string, string>()
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
    // Untyped values, const and enum are written by JSON.stringify in the serializer too.
    if (typeof schema === 'boolean' || Object.keys(schema).length === 0 || 'const' in schema || schema.enum) {
      return 'true'
    }
    if (schema.anyOf || schema.oneOf) return 'false'
    const types = schemaTypes(schema)
    if (types.length === 0) return 'true'
    return types.map((type) => `(${this.typeCode(type, schema, v)})`).join(' || ')
  }

  private typeCode(type: JsonSchemaType, schema: JsonSchemaObject, v: string): string {
    if (type === 'array') return `${this.arrayCheck(schema)}(${v}, depth)`
    if (type === 'object') return `${this.objectCheck(schema)}(${v}, depth)`
    return typeTest(type, v)
  }

  private arrayCheck(schema: JsonSchemaObject): string {
    const name = `c${this.count++}`
    const tuple = Array.isArray(schema.items) ? schema.items : undefined
    const prefix = schema.prefixItems ?? tuple ?? []
    const items = (tuple ? schema.additionalItems : (schema.items as Schema | undefined)) ?? true
    let body = 'if (!Array.isArray(a)) return false; const n = a.length; let v;\n'
    prefix.forEach((item, i) => {
      body += `if (n > ${i}) { v = a[${i}]; if (!(${this.code(item, 'v')})) return false }\n`
    })
    body += `for (let i = ${prefix.length}; i < n; i++) { v = a[i]; if (!(${this.code(items, 'v')})) return false }\nreturn true`
    this.functions.push(`function ${name}(a, depth) {\n${body}\n}`)
    return name
  }

  private objectCheck(schema: JsonSchemaObject): string {
    const name = `c${this.count++}`
    const entries = Object.entries(schema.properties ?? {})
    const required = new Set(schema.required ?? [])
    const requiredCount = entries.filter(([key]) => required.has(key)).length
    if (requiredCount < required.size) return '(() => false)'
    let body = 'if (typeof o !== "object" || o === null || Array.isArray(o)) return false;\n'
    body +=
      'const proto = Object.getPrototypeOf(o); if (proto !== Object.prototype && proto !== null) return false;\n'
    body += `${this.fullShapeCode(entries, required)}\n`
    // `next` is the lowest schema position the next key may have: keys must come in schema order.
    body += 'let next = 0; let seen = 0; let v;\nfor (const k in o) { switch (k) {\n'
    entries.forEach(([key, property], j) => {
      const isRequired = required.has(key)
      body += `case ${JSON.stringify(key)}: if (next > ${j}) return false; next = ${j + 1}; v = o[k];\n`
      body += `if (v === undefined) ${isRequired ? 'return false' : 'break'};\n`
      body += `if (!(${this.code(property, 'v')})) return false;${isRequired ? ' seen++;' : ''} break;\n`
    })
    const extra = schema.additionalProperties
    if (extra === undefined || extra === false) body += 'default: return false }\n}\n'
    else {
      body += `default: next = ${entries.length + 1}; v = o[k];\n`
      body += `if (v !== undefined && !(${this.code(extra, 'v')})) return false }\n}\n`
    }
    body += `return seen === ${requiredCount}`
    this.functions.push(`function ${name}(o, depth) {\n${body}\n}`)
    return name
  }

  /**
   * The common case first: every schema member present, in schema order, nothing else. Keys are
   * matched by position (a jump table; member names are internalized, so each compare is a
   * pointer compare) and values are read by name.
   */
  private fullShapeCode(entries: [string, Schema][], required: ReadonlySet<string>): string {
    if (entries.length === 0) return ''
    let code = 'full: { let i = 0;\nfor (const k in o) { switch (i++) {\n'
    entries.forEach(([key], j) => {
      code += `case ${j}: if (k !== ${JSON.stringify(key)}) break full; break;\n`
    })
    code += `default: break full } }\nif (i !== ${entries.length}) break full; let v;\n`
    for (const [key, property] of entries) {
      const absent = required.has(key) ? '{ return false }' : '{}'
      code += `v = o[${JSON.stringify(key)}]; if (v === undefined) ${absent} else if (!(${this.code(property, 'v')})) return false;\n`
    }
    return `${code}return true }`
  }
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
