import type { ResultCodec } from './codecs.js'
import type { FieldDescription } from './protocol/messages.js'

/**
 * Compiles a DataRow decoder for one statement's columns. The generated function walks the row
 * once, decodes each column with the codec chosen at prepare time, and builds the row object with
 * one literal, so every row of a statement has the same hidden class and no column metadata is
 * looked up per row. Column names enter the code only as JSON string literals, and a column named
 * `__proto__` becomes an ordinary own property.
 */
export type RowDecoder = (buffer: Buffer, start: number) => unknown

export type RowMode = 'object' | 'array'

export function compileRowDecoder(
  fields: readonly FieldDescription[],
  codecs: readonly ResultCodec[],
  mode: RowMode,
): RowDecoder {
  const n = fields.length
  const lines: string[] = ['let len']
  for (let i = 0; i < n; i++) {
    lines.push(
      // The parser validated every length, so the Int32 is read without Buffer's bounds checks.
      `len = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]; p += 4`,
      `const v${i} = len < 0 ? null : d${i}(b, p, len)`,
      `if (len > 0) p += len`,
    )
  }
  const values = Array.from({ length: n }, (_, i) => `v${i}`)
  if (mode === 'array') lines.push(`return [${values.join(', ')}]`)
  else {
    // Literal keys let V8 pre-size the object with in-object fields (computed keys do not).
    // JSON.stringify makes a safe string literal; `__proto__` alone needs a computed key, since
    // as a literal key it would set the prototype.
    const key = (name: string, i: number) => (name === '__proto__' ? `[k${i}]` : JSON.stringify(name))
    lines.push(`return { ${values.map((v, i) => `${key(fields[i]!.name, i)}: ${v}`).join(', ')} }`)
  }
  const params = [
    ...Array.from({ length: n }, (_, i) => `d${i}`),
    ...Array.from({ length: n }, (_, i) => `k${i}`),
  ]
  const body = `return function decodeRow(b, p) {\n${lines.join('\n')}\n}`
  // A later column with the same name wins, as in a SELECT * over a join.
  const decoders = codecs.map((c) => c.decode.bind(c))
  const names = fields.map((f) => f.name)
  return new Function(...params, body)(...decoders, ...names) as RowDecoder
}
