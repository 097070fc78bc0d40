import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isCovetError } from '../../../../src/errors/covet-error.js'
import { ByteWriter } from '../../../../src/internal/byte-writer.js'
import type { ColumnDefinition } from '../../../../src/mysql/protocol/columns.js'
import { ColumnType as T } from '../../../../src/mysql/protocol/constants.js'
import { columnCodec } from '../../../../src/mysql/types/codecs.js'
import { resolveTypeOptions } from '../../../../src/mysql/types/options.js'
import { paramType, UNSIGNED_PARAM } from '../../../../src/mysql/types/params.js'
import { compileBinaryRowDecoder, compileTextRowDecoder } from '../../../../src/mysql/types/row-decoder.js'
import { textRow } from '../protocol/server-packets.js'

const options = resolveTypeOptions({}, 0)

function columns(specs: [string, number][]): ColumnDefinition[] {
  return specs.map(([name, type]) => ({
    schema: '',
    table: '',
    orgTable: '',
    name,
    orgName: name,
    collation: 45,
    length: 10,
    type,
    flags: 0,
    decimals: 0,
    extendedType: undefined,
    format: undefined,
  }))
}

const protocolError = (e: unknown) => isCovetError(e) && e.code === 'ERR_PROTOCOL'

describe('text row decoder', () => {
  const cols = columns([
    ['id', T.LONG],
    ['name', T.VAR_STRING],
    ['__proto__', T.VAR_STRING],
  ])
  const decode = compileTextRowDecoder(
    cols,
    cols.map((c) => columnCodec(c, options)),
    'object',
  )

  it('decodes string<lenenc> values, 0xFB as NULL, into one object literal', () => {
    const row = decode(textRow(['7', null, 'p'])) as Record<string, unknown>
    assert.deepEqual(Object.keys(row), ['id', 'name', '__proto__'])
    assert.equal(row.id, 7)
    assert.equal(row.name, null)
    assert.equal(Object.getPrototypeOf(row), Object.prototype)
    assert.equal(Object.getOwnPropertyDescriptor(row, '__proto__')?.value, 'p')
  })

  it('reads 2-, 3- and 8-byte length prefixes', () => {
    for (const n of [251, 70_000]) {
      const long = 'x'.repeat(n)
      assert.equal((decode(textRow(['1', long, ''])) as { name: string }).name, long)
    }
    const eight = Buffer.concat([
      textRow(['1']),
      Buffer.from('fe0300000000000000616263', 'hex'),
      textRow(['']),
    ])
    assert.equal((decode(eight) as { name: string }).name, 'abc')
  })

  it('refuses rows shorter or longer than their values, and 0xFF length bytes, with ERR_PROTOCOL', () => {
    const good = textRow(['7', 'abc', 'p'])
    for (let n = 0; n < good.length; n++)
      assert.throws(() => decode(good.subarray(0, n)), protocolError, `cut ${n}`)
    assert.throws(() => decode(Buffer.concat([good, Buffer.from([0])])), protocolError)
    assert.throws(() => decode(Buffer.from([0x01, 0x31, 0xff, 0x00])), protocolError)
    assert.throws(() => decode(Buffer.from('0131fe' + 'ffffffffffffff7f' + '00', 'hex')), protocolError)
  })
})

describe('binary row decoder ("Binary Result Set Row": NULL bitmap offset 2)', () => {
  // Ten columns put bits 2..11 over two bitmap bytes.
  const specs: [string, number][] = [
    ['c0', T.TINY],
    ['c1', T.SHORT],
    ['c2', T.LONG],
    ['c3', T.LONGLONG],
    ['c4', T.FLOAT],
    ['c5', T.DOUBLE],
    ['c6', T.VAR_STRING],
    ['c7', T.DATE],
    ['c8', T.NEWDECIMAL],
    ['c9', T.TINY],
  ]
  const cols = columns(specs)
  const decode = compileBinaryRowDecoder(
    cols,
    cols.map((c) => columnCodec(c, options)),
    'array',
  )

  function row(nulls: Set<number>): Buffer {
    const w = new ByteWriter().uint8(0)
    let bits = 0
    for (const i of nulls) bits |= 1 << (i + 2)
    w.uint16LE(bits)
    const values: ((w: ByteWriter) => void)[] = [
      (w) => w.int8(-1),
      (w) => w.int16LE(-2),
      (w) => w.int32LE(-3),
      (w) => w.int64LE(-4n),
      (w) => w.float32LE(0.5),
      (w) => w.float64LE(0.25),
      (w) => w.lengthEncodedString('s'),
      (w) => w.uint8(4).uint16LE(2024).uint8(1).uint8(2),
      (w) => w.lengthEncodedString('1.50'),
      (w) => w.int8(9),
    ]
    values.forEach((write, i) => {
      if (!nulls.has(i)) write(w)
    })
    return w.toBuffer()
  }

  const all = [-1, -2, -3, -4n, 0.5, 0.25, 's', '2024-01-02', '1.50', 9]

  it('decodes each type by its binary framing', () => {
    assert.deepEqual(decode(row(new Set())), all)
  })

  it('takes NULLs from the bitmap with the 2-bit offset, on both sides of a byte boundary', () => {
    for (const nulls of [[0], [5], [6], [9], [0, 5, 6, 9], [1, 2, 3, 4, 7, 8]]) {
      const expected = all.map((v, i) => (nulls.includes(i) ? null : v))
      assert.deepEqual(decode(row(new Set(nulls))), expected, `nulls ${nulls}`)
    }
  })

  it('refuses a missing 0x00 header, a truncated row or trailing bytes with ERR_PROTOCOL', () => {
    const good = row(new Set())
    for (let n = 0; n < good.length; n++)
      assert.throws(() => decode(good.subarray(0, n)), protocolError, `cut ${n}`)
    assert.throws(() => decode(Buffer.concat([good, Buffer.from([1])])), protocolError)
    const bad = Buffer.from(good)
    bad[0] = 1
    assert.throws(() => decode(bad), protocolError)
  })
})

describe('parameter types (integers as integers)', () => {
  it('picks each type from the JavaScript value', () => {
    const cases: [unknown, number][] = [
      [null, T.NULL],
      [undefined, T.NULL],
      [0, T.LONGLONG],
      [-(2 ** 53) + 1, T.LONGLONG],
      [2 ** 53, T.DOUBLE],
      [0.1, T.DOUBLE],
      [1n, T.LONGLONG],
      [2n ** 63n, T.LONGLONG | UNSIGNED_PARAM],
      [true, T.TINY],
      ['', T.VAR_STRING],
      [Buffer.alloc(1), T.BLOB],
      [new Uint8Array(1), T.BLOB],
      [new Date(0), T.DATETIME],
      [{ a: 1 }, T.VAR_STRING],
      [[1, 2], T.VAR_STRING],
    ]
    for (const [value, type] of cases) assert.equal(paramType(value, 0), type, String(value))
  })
})
