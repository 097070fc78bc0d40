import { InvalidArgumentError } from '../errors/classes.js'
import { BYTES_SOURCE, ByteWriterCompiler, ESC8 } from './compile-bytes.js'
import { MAX_REF_DEPTH, runtime, schemaTypes, typeTest } from './compile-schema.js'
import { NEEDS_ESCAPE, quote } from './encode-value.js'
import type { JsonSchemaObject, JsonSchemaType } from './schema-types.js'

/** A serializer generated for one schema by FastJsonEncoder.compile. */
export interface CompiledJsonEncoder {
  encode(value: unknown): string
  encodeToBuffer(value: unknown): Buffer
}

type Schema = JsonSchemaObject | boolean
type Serialize = (value: unknown, depth: number) => string

/** Arrays longer than this are written by the byte writer (or, re-entered, by join). */
const LONG_ARRAY = 64

/**
 * Each serializer gets its own copy of `quote` (as in encode-value.ts) and of its check `clean`, so
 * V8 optimizes them for that serializer's strings alone instead of sharing type feedback with the
 * sorted-key writer: short strings are checked by hand, longer ones by the ESC expression, and
 * JSON.stringify writes the escapes.
 */
const QUOTE_SOURCE = `function clean(t) {
  const n = t.length
  if (n < 40) {
    for (let i = 0; i < n; i++) {
      const c = t.charCodeAt(i)
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false
    }
    return true
  }
  return n < 5000 && !ESC.test(t)
}
function quote(t) {
  return clean(t) ? '"' + t + '"' : JSON.stringify(t)
}`

/**
 * `literal` (raw JSON text: a member head, a comma, a bracket) followed by the value `code` writes.
 * For a plain string value that needs no escaping, the opening quote joins the literal, so the
 * string is written with two concatenations instead of four.
 */
function headed(literal: string, v: string, code: string, plainString: boolean): string {
  const text = JSON.stringify(literal)
  if (!plainString) return `${text} + ${code}`
  return `(typeof ${v} === "string" && clean(${v}) ? ${JSON.stringify(`${literal}"`)} + ${v} + '"' : ${text} + ${code})`
}

/** Short strings without characters to escape are quoted inline; the rest go to JSON.stringify. */
function stringCode(v: string, at: string): string {
  return `(typeof ${v} === "string" ? quote(${v}) : rt.string(${v}, ${at}))`
}

/**
 * Writes JavaScript source for a schema: one function per object, array or `$ref` target, each
 * concatenating literal member names with the values written as the schema's types say.
 */
class SerializerCompiler {
  private readonly functions: string[] = []
  /** Per `$ref`: its function's name and the schema location it was compiled for. */
  private readonly byRef = new Map<string, [string, string]>()
  private count = 0
  private readonly bytes = new ByteWriterCompiler(
    {
      resolve: (schema) => this.resolve(schema),
      code: (schema, v, where) => this.valueCode(schema, v, where),
      refWhere: (ref) => this.byRef.get(ref)![1],
    },
    this.functions,
  )

  constructor(private readonly root: Schema) {}

  compile(): Serialize {
    const entry = this.function(this.root, '#')
    const source = `${QUOTE_SOURCE}\n${BYTES_SOURCE}\n${this.functions.join('\n')}\nreturn ${entry}`
    const factory = new Function('rt', 'ESC', 'ESC8', source) as (
      rt: typeof runtime,
      esc: RegExp,
      esc8: RegExp,
    ) => Serialize
    return factory(runtime, NEEDS_ESCAPE, ESC8)
  }

  private resolve(schema: Schema): Schema {
    if (typeof schema === 'object' && typeof schema.$ref === 'string') {
      const ref = schema.$ref
      const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref)
      const defs = match ? (this.root as JsonSchemaObject)[match[1] as '$defs'] : undefined
      const target =
        match && defs
          ? defs[decodeURIComponent(match[2]!).replaceAll('~1', '/').replaceAll('~0', '~')]
          : undefined
      if (target === undefined)
        throw new InvalidArgumentError(`FastJsonEncoder.compile: unsupported or unknown $ref ${quote(ref)}`)
      return target
    }
    return schema
  }

  /** The name of a generated function `(value, depth) => string` for a schema. */
  private function(schema: Schema, where: string): string {
    const ref = typeof schema === 'object' && typeof schema.$ref === 'string' ? schema.$ref : undefined
    if (ref !== undefined && this.byRef.has(ref)) return this.byRef.get(ref)![0]
    const name = `f${this.count++}`
    if (ref !== undefined) this.byRef.set(ref, [name, where])
    const body = this.valueCode(this.resolve(schema), 'v', where)
    const guard =
      ref === undefined ? '' : `if (depth > ${MAX_REF_DEPTH}) rt.tooDeep(${JSON.stringify(where)});`
    this.functions.push(`function ${name}(v, depth) { ${guard} return ${body} }`)
    return name
  }

  /**
   * An expression writing the JS value in `v` (a variable name) by `schema`. Errors name the
   * schema location `where` (a literal), so the fast path builds no path strings.
   */
  private valueCode(input: Schema, v: string, where: string): string {
    const at = JSON.stringify(where)
    const schema = this.resolve(input)
    if (schema === true || schema === false || Object.keys(schema).length === 0) return `rt.any(${v}, ${at})`
    if (typeof input === 'object' && input.$ref !== undefined)
      return `${this.function(input, where)}(${v}, depth + 1)`
    if ('const' in schema || schema.enum) return `rt.any(${v}, ${at})`
    const variants = schema.anyOf ?? schema.oneOf
    if (variants) return this.variantsCode(variants, v, where)
    const types = schemaTypes(schema)
    if (types.length === 0) return `rt.any(${v}, ${at})`
    if (types.length === 1) return this.typeCode(types[0]!, schema, v, where)
    // Several types: pick by the value's own JSON type, else the first listed type coerces.
    let code = this.typeCode(types[types.length - 1]!, schema, v, where)
    for (let i = types.length - 2; i >= 0; i--) {
      code = `(${typeTest(types[i]!, v)} ? ${this.typeCode(types[i]!, schema, v, where)} : ${code})`
    }
    return code
  }

  private variantsCode(variants: Schema[], v: string, where: string): string {
    // The first variant whose type matches the value's JSON type writes it (documented limit:
    // variants are told apart by type only, not by validating them).
    let code = `rt.any(${v}, ${JSON.stringify(where)})`
    for (let i = variants.length - 1; i >= 0; i--) {
      const variant = this.resolve(variants[i]!)
      const type = typeof variant === 'object' ? variant.type : undefined
      const test = typeof type === 'string' ? typeTest(type, v) : 'true'
      code = `(${test} ? ${this.valueCode(variants[i]!, v, `${where}/anyOf/${i}`)} : ${code})`
    }
    return code
  }

  private typeCode(type: JsonSchemaType, schema: JsonSchemaObject, v: string, where: string): string {
    const at = JSON.stringify(where)
    switch (type) {
      case 'string':
        return stringCode(v, at)
      case 'number':
        return `(typeof ${v} === "number" && Number.isFinite(${v}) ? "" + ${v} : rt.number(${v}, ${at}))`
      case 'integer':
        return `(Number.isSafeInteger(${v}) ? "" + ${v} : rt.integer(${v}, ${at}))`
      case 'boolean':
        return `(${v} ? "true" : "false")`
      case 'null':
        return '"null"'
      case 'array':
        return `${this.arrayFunction(schema, where)}(${v}, depth)`
      case 'object':
        return `${this.objectFunction(schema, where)}(${v}, depth)`
      default:
        throw new InvalidArgumentError(
          `FastJsonEncoder.compile: unknown type ${quote(String(type))} at ${where}`,
        )
    }
  }

  private arrayFunction(schema: JsonSchemaObject, where: string): string {
    const name = `f${this.count++}`
    const tuple = Array.isArray(schema.items) ? schema.items : undefined
    const prefix = schema.prefixItems ?? tuple ?? []
    const items = (tuple ? schema.additionalItems : (schema.items as Schema | undefined)) ?? true
    let body = `if (!Array.isArray(a)) rt.notA("an array", ${JSON.stringify(where)});\nconst n = a.length; if (n === 0) return "[]";\n`
    body += 'let json = "["; let i = 0; let v;\n'
    prefix.forEach((item, i) => {
      const value = this.valueCode(item, 'v', `${where}/prefixItems/${i}`)
      body += `if (i < n) { v = a[i]; json += ${i === 0 ? '' : '"," + '}${value}; i++ }\n`
    })
    const value = this.valueCode(items, 'v', `${where}/items`)
    const plain = this.isPlainString(items)
    // A long array is written as bytes (compile-bytes.ts). Inside that writer (a getter calling
    // this serializer again) its items are written one by one, each flattened at once (charCodeAt
    // makes V8 flatten the rope while it is young) and joined: one growing string would be a rope
    // of millions of pieces that outlives the young generation.
    if (prefix.length === 0) {
      body += `if (n > ${LONG_ARRAY} && !busy) return ${this.bytes.longArray(items, `${where}/items`)}(a, depth);\n`
      body += `if (n > ${LONG_ARRAY}) { const parts = new Array(n); for (; i < n; i++) { v = a[i]; const s = ${value}; s.charCodeAt(0); parts[i] = s } return "[" + parts.join(",") + "]" }\n`
      body += `v = a[0]; json = ${headed('[', 'v', value, plain)}; i = 1;\n`
    }
    body += `for (; i < n; i++) { v = a[i]; json += ${headed(',', 'v', value, plain)} }\nreturn json + "]"`
    this.functions.push(`function ${name}(a, depth) {\n${body}\n}`)
    return name
  }

  /** Whether the schema writes a value of JSON type string only (no $ref, variants, const or enum). */
  private isPlainString(input: Schema): boolean {
    if (typeof input !== 'object' || input.$ref !== undefined) return false
    if ('const' in input || input.enum || input.anyOf || input.oneOf) return false
    const types = schemaTypes(input)
    return types.length === 1 && types[0] === 'string'
  }

  private objectFunction(schema: JsonSchemaObject, where: string): string {
    const name = `f${this.count++}`
    const properties = schema.properties ?? {}
    const required = new Set(schema.required ?? [])
    let body = `if (o === null || typeof o !== "object" || Array.isArray(o)) rt.notA("an object", ${JSON.stringify(where)});\n`
    body += 'let json = "{"; let v; let more = false;\n'
    // Whether a member was written before this one: 'none' at the start, 'some' after a required
    // member, 'unknown' after optional ones only (then the `more` flag decides at run time).
    let written: 'none' | 'some' | 'unknown' = 'none'
    for (const [key, propertySchema] of Object.entries(properties)) {
      const location = `${where}/properties/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`
      const value = this.valueCode(propertySchema, 'v', location)
      const plain = this.isPlainString(propertySchema)
      const head = (literal: string) => headed(literal, 'v', value, plain)
      const bare = head(`${quote(key)}:`)
      const comma = head(`,${quote(key)}:`)
      const lead = written === 'none' ? bare : written === 'some' ? comma : `(more ? ${comma} : ${bare})`
      body += `v = o[${JSON.stringify(key)}];\n`
      if (required.has(key)) {
        // The first member folds the opening brace into its literal head: one concatenation fewer.
        const write = written === 'none' ? `json = ${head(`{${quote(key)}:`)}` : `json += ${lead}`
        body += `if (v === undefined) rt.missing(${JSON.stringify(key)}, ${JSON.stringify(where)});\n${write};\n`
        written = 'some'
      } else {
        body += `if (v !== undefined) { json += ${lead};${written === 'some' ? '' : ' more = true;'} }\n`
        if (written === 'none') written = 'unknown'
      }
    }
    if (written === 'some') body += 'more = true;\n'
    const extra = schema.additionalProperties
    if (extra !== undefined && extra !== false) {
      const known = JSON.stringify(Object.keys(properties))
      const value = this.valueCode(extra, 'v', `${where}/additionalProperties`)
      body += `const known = ${known};\nfor (const k of Object.keys(o)) { if (known.includes(k)) continue; v = o[k]; if (v === undefined) continue;\n`
      body += `json += (more ? "," : "") + quote(k) + ":" + ${value}; more = true }\n`
    }
    body += 'return json + "}"'
    this.functions.push(`function ${name}(o, depth) {\n${body}\n}`)
    return name
  }
}

/** Generates the serializer once; the returned object is reusable and stateless. */
export function compileSerializer(schema: Schema): CompiledJsonEncoder {
  if (
    typeof schema !== 'boolean' &&
    (typeof schema !== 'object' || schema === null || Array.isArray(schema))
  ) {
    throw new InvalidArgumentError('FastJsonEncoder.compile: schema must be a JSON Schema object or boolean')
  }
  const serialize = new SerializerCompiler(schema).compile()
  return {
    encode: (value: unknown) => serialize(value, 0),
    encodeToBuffer: (value: unknown) => Buffer.from(serialize(value, 0), 'utf8'),
  }
}
