import { MAX_REF_DEPTH, schemaTypes, typeTest } from './compile-schema.js'
import { quote } from './encode-value.js'
import type { JsonSchemaObject } from './schema-types.js'

type Schema = JsonSchemaObject | boolean

/** What the byte writer takes from the string serializer (compile.ts). */
export interface StringSerializer {
  resolve(schema: Schema): Schema
  /** The expression writing `v` by a schema, for what is not written here; it compiles `$ref` targets. */
  code(schema: Schema, v: string, where: string): string
  /** The schema location a `$ref` target's function was compiled for (its errors name it). */
  refWhere(ref: string): string
}

/** A kept buffer larger than this is dropped when the last output used less than a quarter of it. */
const KEEP_BYTES = 1 << 24

/**
 * The byte writer's runtime, one copy per serializer: a reused Buffer `B` (a DataView `V` on it
 * for 4-byte literal stores), `U` once a byte over 0x7f was written (then the text is decoded as
 * UTF-8, else as Latin-1, a plain copy), `busy` while a call writes (a getter calling the same
 * serializer takes the string path instead). Strings of printable ASCII are copied as they are
 * (JSON.stringify writes them unchanged); any other string is written as JSON.stringify writes it.
 * Numbers are written as `"" + n` writes them, integers below 1e9 digit by digit (from the last).
 * `latin1Write`, `utf8Write` and the `*Slice` methods are Buffer's own, without the argument
 * checks of `write` and `toString` (measurable at one call per string).
 */
export const BYTES_SOURCE = `let B = Buffer.allocUnsafe(0); let V = new DataView(B.buffer, B.byteOffset, 0); let U = false; let busy = false;
function grow(p, n) {
  const c = Buffer.allocUnsafe(Math.max(2 * B.length, p + n + 65536)); B.copy(c, 0, 0, p)
  B = c; V = new DataView(c.buffer, c.byteOffset, c.length); return c
}
function keep(p) {
  if (B.length > ${KEEP_BYTES} && p < B.length >> 2) { B = Buffer.allocUnsafe(0); V = new DataView(B.buffer, B.byteOffset, 0) }
}
function raw(p, s) {
  let b = B; if (p + 3 * s.length > b.length) b = grow(p, 3 * s.length)
  const w = b.utf8Write(s, p); if (w !== s.length) U = true; return p + w
}
function long(b, p, s) {
  if (ESC8.test(s)) return raw(p, JSON.stringify(s))
  b[p] = 34; p += 1 + b.latin1Write(s, p + 1); b[p] = 34; return p + 1
}
function str(b, p, s) {
  const n = s.length
  if (p + n + 2 > b.length) b = grow(p, n + 2)
  if (n > 24) return long(b, p, s)
  let q = p + 1
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i); if (c < 32 || c === 34 || c === 92 || c > 126) return raw(p, JSON.stringify(s)); b[q++] = c
  }
  b[p] = 34; b[q] = 34; return q + 1
}
function num(b, p, v) {
  const s = "" + v; const n = s.length; if (p + n > b.length) b = grow(p, n)
  for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i)
  return p + n
}
function int(b, p, v) {
  if (v < 0 || v >= 1e9) return num(b, p, v)
  if (p + 9 > b.length) b = grow(p, 9)
  const n = v < 10 ? 1 : v < 100 ? 2 : v < 1e3 ? 3 : v < 1e4 ? 4 : v < 1e5 ? 5 : v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : 9
  let x = v | 0
  for (let e = p + n - 1; e >= p; e--) { const q = (x / 10) | 0; b[e] = 48 + x - q * 10; x = q }
  return p + n
}`

/** Anything but printable ASCII other than `"` and `\\` (what `long` copies as it is). */
export const ESC8 = /[^\u0020\u0021\u0023-\u005b\u005d-\u007e]/

/** Marks raw JSON text in generated code; adjacent marks are merged, then written by `literal`. */
const OPEN = '\u0001'
const CLOSE = '\u0002'
const lit = (text: string) => `${OPEN}${text}${CLOSE}`

/**
 * Writes a long array as UTF-8 bytes into the reused Buffer, then decodes it once: on large
 * outputs this beats JSON.stringify and string concatenation (whose ropes of millions of pieces
 * outlive the young generation). Objects and arrays are written inline in their parent's code, so
 * an item is one function, and a `$ref` target is one more (it may recur); variants, tuples,
 * const, enum and untyped values are written by the string serializer's code and its text copied
 * in, so the output is the same byte for byte.
 * Generated statements keep two locals: `p` the write position and `b` the buffer, reloaded from
 * `B` only after a call that can grow it.
 */
export class ByteWriterCompiler {
  private count = 0
  private ascii = true
  private readonly byRef = new Map<string, string>()

  constructor(
    private readonly host: StringSerializer,
    private readonly functions: string[],
  ) {}

  /** The name of a generated `(array, depth) => string` for long arrays of `items`. */
  longArray(items: Schema, where: string): string {
    const name = `b${this.count++}`
    const writer = `b${this.count++}`
    const item = this.valueCode(items, 'v', where)
    this.functions.push(render(`function ${writer}(v, p, depth) {\nlet b = B;\n${item}\nreturn p\n}`))
    // Items written as any JSON: JSON.stringify writes the array whole, and as fast as anything can
    // (unless the array has toJSON or the call throws: then the items are written one by one).
    const whole = this.isAny(items)
      ? 'if (a.toJSON === undefined) { try { return JSON.stringify(a) } catch {} }\n'
      : ''
    const body = `${whole}busy = true; U = ${!this.ascii}; let p = 0;
try {
let b = B; const n = a.length;
${lit('[')}
for (let i = 0; i < n; i++) {
if (i > 0) { ${lit(',')} }
p = ${writer}(a[i], p, depth); b = B;
if (i === 0 && p * n > b.length) b = grow(p, p * n + (p * n >> 3))
}
${lit(']')}
return U ? b.utf8Slice(0, p) : b.latin1Slice(0, p)
} finally { busy = false; keep(p) }`
    this.functions.push(render(`function ${name}(a, depth) {\n${body}\n}`))
    return name
  }

  /** Whether the string serializer writes values of this schema with `rt.any` (JSON.stringify). */
  private isAny(input: Schema): boolean {
    const schema = this.host.resolve(input)
    if (typeof schema === 'boolean' || 'const' in schema || schema.enum) return true
    if (schema.anyOf || schema.oneOf) return false
    return schemaTypes(schema).length === 0
  }

  /** A `$ref` target stays a function (it may recur), guarded against data cycles as compile.ts does. */
  private refWriter(input: Schema, ref: string, where: string): string {
    const known = this.byRef.get(ref)
    if (known !== undefined) return known
    const name = this.fresh('r')
    this.byRef.set(ref, name)
    this.host.code(input, 'v', where)
    const at = this.host.refWhere(ref)
    const body = this.valueCode(this.host.resolve(input), 'v', at)
    this.functions.push(
      render(
        `function ${name}(v, p, depth) {\nif (depth > ${MAX_REF_DEPTH}) rt.tooDeep(${JSON.stringify(at)});\nlet b = B;\n${body}\nreturn p\n}`,
      ),
    )
    return name
  }

  private fresh(prefix: string): string {
    return `${prefix}${this.count++}`
  }

  /**
   * Statements writing the value in `v` at `p`; `b` is B before and after. With `checked`, an
   * object or array schema's container test was already made (before the member head).
   */
  private valueCode(input: Schema, v: string, where: string, checked = false): string {
    const schema = this.host.resolve(input)
    const fallback = () => `p = raw(p, ${this.host.code(input, v, where)}); b = B;`
    // As compile.ts: a `$ref` to an empty or boolean schema is written as any JSON, with no call.
    if (typeof schema === 'boolean' || Object.keys(schema).length === 0) return fallback()
    if (typeof input === 'object' && typeof input.$ref === 'string')
      return `p = ${this.refWriter(input, input.$ref, where)}(${v}, p, depth + 1); b = B;`
    if ('const' in schema || schema.enum || schema.anyOf || schema.oneOf) return fallback()
    const types = schemaTypes(schema)
    if (types.length === 0) return fallback()
    if (types.some((type) => type === 'array') && (schema.prefixItems || Array.isArray(schema.items)))
      return fallback()
    const at = JSON.stringify(where)
    const one = (type: string, known: boolean): string => {
      switch (type) {
        case 'string':
          return `if (typeof ${v} === "string") p = str(b, p, ${v}); else p = raw(p, rt.string(${v}, ${at})); b = B;`
        case 'number':
          return `if (typeof ${v} === "number" && Number.isFinite(${v})) p = num(b, p, ${v}); else p = raw(p, rt.number(${v}, ${at})); b = B;`
        case 'integer':
          return `if (Number.isSafeInteger(${v})) p = int(b, p, ${v}); else p = raw(p, rt.integer(${v}, ${at})); b = B;`
        case 'boolean':
          return `if (${v}) { ${lit('true')} } else { ${lit('false')} }`
        case 'null':
          return lit('null')
        case 'array':
          return `${known ? '' : this.check('array', v, where)}${this.arrayCode(schema, v, where)}`
        case 'object':
          return `${known ? '' : this.check('object', v, where)}${this.objectCode(schema, v, where)}`
        default:
          return fallback()
      }
    }
    if (types.length === 1) return one(types[0]!, checked)
    // Several types: pick by the value's own JSON type, else the last listed one coerces (as compile.ts).
    let code = one(types[types.length - 1]!, false)
    for (let i = types.length - 2; i >= 0; i--) {
      code = `if (${typeTest(types[i]!, v)}) { ${one(types[i]!, true)} } else { ${code} }`
    }
    return code
  }

  /** The container test the string serializer makes, for a schema of that single type. */
  private check(type: 'array' | 'object', v: string, where: string): string {
    const at = JSON.stringify(where)
    if (type === 'array') return `if (!Array.isArray(${v})) rt.notA("an array", ${at});\n`
    return `if (${v} === null || typeof ${v} !== "object" || Array.isArray(${v})) rt.notA("an object", ${at});\n`
  }

  /** Whether `valueCode` for this schema starts with `check` (so a member may test before its head). */
  private containerType(input: Schema): 'array' | 'object' | undefined {
    const schema = this.host.resolve(input)
    if (typeof schema === 'boolean' || (typeof input === 'object' && input.$ref !== undefined))
      return undefined
    if ('const' in schema || schema.enum || schema.anyOf || schema.oneOf) return undefined
    const types = schemaTypes(schema)
    if (types.length !== 1 || (types[0] !== 'array' && types[0] !== 'object')) return undefined
    if (types[0] === 'array' && (schema.prefixItems || Array.isArray(schema.items))) return undefined
    return types[0]
  }

  private arrayCode(schema: JsonSchemaObject, a: string, where: string): string {
    const [n, i, v] = [this.fresh('n'), this.fresh('i'), this.fresh('v')]
    const item = this.valueCode((schema.items as Schema | undefined) ?? true, v, `${where}/items`)
    return `${lit('[')}\n{ const ${n} = ${a}.length;\nfor (let ${i} = 0; ${i} < ${n}; ${i}++) { if (${i} > 0) { ${lit(',')} } const ${v} = ${a}[${i}];\n${item}\n} }\n${lit(']')}`
  }

  private objectCode(schema: JsonSchemaObject, o: string, where: string): string {
    const required = new Set(schema.required ?? [])
    const properties = Object.entries(schema.properties ?? {})
    const extra = schema.additionalProperties
    // Every member is written after a comma. A required first member carries the brace in its
    // head instead; otherwise the first comma written becomes the brace (position `start`), so
    // no flag tracks whether a member was written before.
    const first = properties[0]
    const braceInHead = first !== undefined && required.has(first[0])
    const start = this.fresh('s')
    let body = braceInHead ? '' : `const ${start} = p;\n`
    for (const [key, property] of properties) {
      const location = `${where}/properties/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`
      const head = `${quote(key)}:`
      if (!/^[\x20-\x7e]*$/.test(head)) this.ascii = false
      const lead = lit(key === first?.[0] && braceInHead ? `{${head}` : `,${head}`)
      const v = this.fresh('m')
      const container = this.containerType(property)
      const pre = container ? this.check(container, v, location) : ''
      const value = this.valueCode(property, v, location, container !== undefined)
      body += `const ${v} = ${o}[${JSON.stringify(key)}];\n`
      if (required.has(key))
        body += `if (${v} === undefined) rt.missing(${JSON.stringify(key)}, ${JSON.stringify(where)});\n${pre}${lead}\n${value}\n`
      else body += `if (${v} !== undefined) { ${pre}${lead}\n${value}\n}\n`
    }
    if (extra !== undefined && extra !== false) {
      const [known, k, v] = [this.fresh('known'), this.fresh('k'), this.fresh('x')]
      const value = this.valueCode(extra, v, `${where}/additionalProperties`)
      body += `{ const ${known} = ${JSON.stringify(properties.map(([key]) => key))};\n`
      body += `for (const ${k} of Object.keys(${o})) { if (${known}.includes(${k})) continue; const ${v} = ${o}[${k}]; if (${v} === undefined) continue;\n`
      body += `${lit(',')} p = str(b, p, ${k}); b = B; ${lit(':')}\n${value}\n} }\n`
    }
    if (!braceInHead) body += `if (p === ${start}) { ${lit('{')} } else b[${start}] = 123;\n`
    return `${body}${lit('}')}`
  }
}

/** Merges adjacent literal marks (straight-line code only: nothing but white space between) and writes them out. */
function render(code: string): string {
  return code
    .replace(new RegExp(`${CLOSE}\\s*${OPEN}`, 'g'), '')
    .replace(new RegExp(`${OPEN}([^${CLOSE}]*)${CLOSE}`, 'g'), (_, text: string) => literal(text))
}

/**
 * Statements writing a literal as UTF-8, 4 bytes per DataView store. A tail of 2 or 3 bytes is
 * stored as 4 (zeros after it): the room is reserved and the next write overwrites them.
 */
function literal(text: string): string {
  const bytes = Buffer.from(text, 'utf8')
  const n = bytes.length
  const padded = Buffer.alloc(n === 1 ? 1 : (n + 3) & ~3)
  bytes.copy(padded)
  let code = `if (p + ${padded.length} > b.length) b = grow(p, ${padded.length});`
  if (n === 1) code += ` b[p] = ${bytes[0]};`
  for (let i = 0; i + 4 <= padded.length; i += 4)
    code += ` V.setInt32(p + ${i}, ${padded.readInt32LE(i)}, true);`
  return `${code} p += ${n};`
}
