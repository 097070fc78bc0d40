import { ProtocolError } from '../../errors/classes.js'
import type { ColumnDefinition } from '../protocol/columns.js'
import { type ColumnCodec, LENENC, LENGTH_BYTE } from './codecs.js'

/**
 * Compiled row decoders, one per result set shape: the generated function walks a row payload
 * once with each column's decoder chosen beforehand and builds the row with one object literal, so
 * rows share a hidden class and no metadata is looked up per value (as src/postgres/row-decoder.ts).
 * Every length is checked against the payload: a row that runs past its packet is ERR_PROTOCOL.
 *
 * Text row ("Text Result Set Row"): each value is string<lenenc>, 0xFB meaning NULL.
 * Binary row ("Binary Result Set Row"): 0x00, a NULL bitmap of (columns + 7 + 2) / 8 bytes whose
 * bits start at offset 2, then the non-NULL values, framed by their type (codecs.ts).
 */
export type RowDecoder = (payload: Buffer) => unknown
export type RowMode = 'object' | 'array'

function badRow(): never {
  throw new ProtocolError('a result row is shorter or longer than its values')
}

/** A length-encoded length whose first byte is 0xFC..0xFE; anything else is garbage. */
function longLength(b: Buffer, p: number, end: number): number {
  const c = b[p]
  const size = c === 0xfc ? 3 : c === 0xfd ? 4 : c === 0xfe ? 9 : 0
  if (size === 0 || p + size > end) badRow()
  if (size === 3) return b[p + 1]! | (b[p + 2]! << 8)
  if (size === 4) return b[p + 1]! | (b[p + 2]! << 8) | (b[p + 3]! << 16)
  const n = b.readUInt32LE(p + 1) + b.readUInt32LE(p + 5) * 0x100000000
  return n > end ? badRow() : n
}

const PREFIX = '(c === 0xfc ? 3 : c === 0xfd ? 4 : 9)'

function lenencValue(i: number, nullable: boolean): string[] {
  return [
    `c = b[p]`,
    `if (c < 0xfb) { len = c; p++ } else if (${nullable ? 'c === 0xfb' : 'false'}) { len = -1; p++ }`,
    `else { len = longLength(b, p, end); p += ${PREFIX} }`,
    `if (p + len > end) badRow()`,
    `const v${i} = len < 0 ? null : d${i}(b, p, len)`,
    `if (len > 0) p += len`,
  ]
}

function finish(lines: string[], columns: readonly ColumnDefinition[], mode: RowMode): string {
  const n = columns.length
  lines.push('if (p !== end) badRow()')
  const values = Array.from({ length: n }, (_, i) => `v${i}`)
  if (mode === 'array') lines.push(`return [${values.join(', ')}]`)
  else {
    // JSON.stringify makes a safe literal key; `__proto__` needs a computed key not to set the prototype.
    const key = (name: string, i: number) => (name === '__proto__' ? `[k${i}]` : JSON.stringify(name))
    lines.push(`return { ${values.map((v, i) => `${key(columns[i]!.name, i)}: ${v}`).join(', ')} }`)
  }
  return lines.join('\n')
}

function build(body: string, columns: readonly ColumnDefinition[], decoders: unknown[]): RowDecoder {
  const n = columns.length
  const params = [
    'badRow',
    'longLength',
    ...Array.from({ length: n }, (_, i) => `d${i}`),
    ...Array.from({ length: n }, (_, i) => `k${i}`),
  ]
  const names = columns.map((c) => c.name)
  const source = `return function decodeRow(b) {\nconst end = b.length\nlet p = 0, c = 0, len = 0\n${body}\n}`
  return new Function(...params, source)(badRow, longLength, ...decoders, ...names) as RowDecoder
}

export function compileTextRowDecoder(
  columns: readonly ColumnDefinition[],
  codecs: readonly ColumnCodec[],
  mode: RowMode,
): RowDecoder {
  const lines: string[] = []
  for (let i = 0; i < columns.length; i++) lines.push(...lenencValue(i, true))
  return build(
    finish(lines, columns, mode),
    columns,
    codecs.map((c) => c.text),
  )
}

export function compileBinaryRowDecoder(
  columns: readonly ColumnDefinition[],
  codecs: readonly ColumnCodec[],
  mode: RowMode,
): RowDecoder {
  const n = columns.length
  const bitmapBytes = (n + 9) >> 3
  const lines = [`if (b[0] !== 0 || end < ${1 + bitmapBytes}) badRow()`, `p = ${1 + bitmapBytes}`]
  for (let i = 0; i < n; i++) {
    const byte = 1 + ((i + 2) >> 3)
    const bit = 1 << ((i + 2) & 7)
    const width = codecs[i]!.binaryWidth
    lines.push(`let v${i} = null`, `if ((b[${byte}] & ${bit}) === 0) {`)
    if (width === LENENC) {
      lines.push(...lenencValue(i, false).map((l) => l.replace(`const v${i} =`, `v${i} =`)))
    } else if (width === LENGTH_BYTE) {
      lines.push(
        `if (p >= end) badRow()`,
        `len = b[p++]`,
        `if (p + len > end) badRow()`,
        `v${i} = d${i}(b, p, len)`,
        `p += len`,
      )
    } else {
      lines.push(`if (p + ${width} > end) badRow()`, `v${i} = d${i}(b, p, ${width})`, `p += ${width}`)
    }
    lines.push('}')
  }
  return build(
    finish(lines, columns, mode),
    columns,
    codecs.map((c) => c.binary),
  )
}
