import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ProtocolError } from '../../../src/errors/classes.js'
import { ByteReader } from '../../../src/internal/byte-reader.js'
import { ByteWriter } from '../../../src/internal/byte-writer.js'

const reader = (hex: string): ByteReader => new ByteReader(Buffer.from(hex, 'hex'))
const protocol = (fn: () => unknown): void => {
  assert.throws(fn, (e: unknown) => e instanceof ProtocolError && e.code === 'ERR_PROTOCOL')
}

describe('ByteReader integers and floats', () => {
  it('reads signed and unsigned values of each width', () => {
    assert.equal(reader('ff').int8(), -1)
    assert.equal(reader('80').int8(), -128)
    assert.equal(reader('ff').uint8(), 255)
    assert.equal(reader('8000').int16BE(), -32768)
    assert.equal(reader('0080').int16LE(), -32768)
    assert.equal(reader('ffff').uint16BE(), 0xffff)
    assert.equal(reader('3412').uint16LE(), 0x1234)
    assert.equal(reader('ffffff').uint24LE(), 0xffffff)
    assert.equal(reader('80000000').int32BE(), -(2 ** 31))
    assert.equal(reader('ffffffff').uint32BE(), 2 ** 32 - 1)
    assert.equal(reader('04030201').int32LE(), 0x01020304)
    assert.equal(reader('ffffffff').uint32LE(), 2 ** 32 - 1)
    assert.equal(reader('8000000000000000').int64BE(), -(2n ** 63n))
    assert.equal(reader('ffffffffffffffff').uint64BE(), 2n ** 64n - 1n)
    assert.equal(reader('feffffffffffffff').int64LE(), -2n)
    assert.equal(reader('0807060504030201').uint64LE(), 0x0102030405060708n)
    assert.equal(reader('3fc00000').float32BE(), 1.5)
    assert.equal(reader('0000c03f').float32LE(), 1.5)
    assert.equal(reader('c000000000000000').float64BE(), -2)
    assert.equal(reader('00000000000000c0').float64LE(), -2)
  })

  it('round-trips every boundary value through ByteWriter', () => {
    const w = new ByteWriter(1)
    const int8 = [0, -1, -128, 127]
    const uint8 = [0, 255]
    const int16 = [0, -1, -32768, 32767]
    const uint16 = [0, 0xffff]
    const int32 = [0, -1, -(2 ** 31), 2 ** 31 - 1]
    const uint32 = [0, 2 ** 32 - 1]
    const int64 = [0n, -1n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n - 1n, 2n ** 53n + 1n]
    const uint64 = [0n, 2n ** 64n - 1n, 2n ** 53n + 1n]
    const floats = [0, -0, 1.5, Number.MAX_VALUE, Number.MIN_VALUE, Number.POSITIVE_INFINITY]
    for (const v of int8) w.int8(v)
    for (const v of uint8) w.uint8(v)
    for (const v of int16) w.int16BE(v).int16LE(v)
    for (const v of uint16) w.uint16BE(v).uint16LE(v)
    for (const v of int32) w.int32BE(v).int32LE(v)
    for (const v of uint32) w.uint32BE(v).uint32LE(v)
    for (const v of int64) w.int64BE(v).int64LE(v)
    for (const v of uint64) w.uint64BE(v).uint64LE(v)
    for (const v of floats) w.float64BE(v).float64LE(v).float32BE(1.25).float32LE(-1.25)
    w.float64BE(Number.NaN)
    const r = new ByteReader(w.toBuffer())
    for (const v of int8) assert.equal(r.int8(), v)
    for (const v of uint8) assert.equal(r.uint8(), v)
    for (const v of int16) assert.deepEqual([r.int16BE(), r.int16LE()], [v, v])
    for (const v of uint16) assert.deepEqual([r.uint16BE(), r.uint16LE()], [v, v])
    for (const v of int32) assert.deepEqual([r.int32BE(), r.int32LE()], [v, v])
    for (const v of uint32) assert.deepEqual([r.uint32BE(), r.uint32LE()], [v, v])
    for (const v of int64) assert.deepEqual([r.int64BE(), r.int64LE()], [v, v])
    for (const v of uint64) assert.deepEqual([r.uint64BE(), r.uint64LE()], [v, v])
    for (const v of floats) {
      assert.deepEqual([r.float64BE(), r.float64LE(), r.float32BE(), r.float32LE()], [v, v, 1.25, -1.25])
    }
    assert.ok(Number.isNaN(r.float64BE()))
    assert.equal(r.remaining, 0)
  })
})

describe('ByteReader strings and bytes', () => {
  it('reads C strings up to the NUL and consumes it', () => {
    const r = new ByteReader(new ByteWriter().cstring('user').cstring('').cstring('é').toBuffer())
    assert.deepEqual([r.cstring(), r.cstring(), r.cstring()], ['user', '', 'é'])
    assert.equal(r.remaining, 0)
  })

  it('refuses a C string without NUL, even when a NUL lies past the end', () => {
    protocol(() => reader('6162').cstring())
    const buf = Buffer.from('616200', 'hex')
    const r = new ByteReader(buf, 0, 2)
    protocol(() => r.cstring())
    assert.equal(r.offset, 0)
  })

  it('returns bytes as a view of the same memory, and strings of a given length', () => {
    const buf = Buffer.from('hello world')
    const r = new ByteReader(buf)
    const view = r.bytes(5)
    buf[0] = 0x48
    assert.equal(view.toString(), 'Hello')
    assert.equal(r.skip(1).string(5), 'world')
    assert.equal(new ByteReader(Buffer.from('00ff', 'hex')).string(2, 'hex'), '00ff')
    const tail = new ByteReader(buf, 6)
    assert.equal(tail.rest().toString(), 'world')
    assert.equal(tail.remaining, 0)
  })
})

describe('ByteReader length-encoded values (MySQL int<lenenc>, string<lenenc>)', () => {
  it('reads every form at its boundaries, null for 0xFB and bigint above 2^53-1', () => {
    const cases: [string, number | bigint | null][] = [
      ['00', 0],
      ['fa', 0xfa],
      ['fb', null],
      ['fcfb00', 0xfb],
      ['fcffff', 0xffff],
      ['fd000001', 0x10000],
      ['fdffffff', 0xffffff],
      ['fe0000000100000000', 0x1000000],
      ['feffffffffffff1f00', 2 ** 53 - 1],
      ['fe0000000000002000', 2n ** 53n],
      ['fe0100000000002000', 2n ** 53n + 1n],
      ['feffffffffffffffff', 2n ** 64n - 1n],
    ]
    for (const [hex, expected] of cases) {
      const r = reader(hex)
      assert.equal(r.lengthEncodedInt(), expected, hex)
      assert.equal(r.remaining, 0, hex)
    }
  })

  it('round-trips integers and strings written by ByteWriter', () => {
    const ints = [0, 0xfa, 0xfb, 0xfc, 0xffff, 0x10000, 0xffffff, 0x1000000, 2 ** 53 - 1]
    const w = new ByteWriter(1)
    for (const v of ints) w.lengthEncodedInt(v)
    w.lengthEncodedInt(2n ** 64n - 1n)
    const strings = ['', 'a', 'é€😀', 'x'.repeat(251), 'y'.repeat(0x10000)]
    for (const s of strings) w.lengthEncodedString(s)
    w.uint8(0xfb).uint8(0xfb)
    const r = new ByteReader(w.toBuffer())
    for (const v of ints) assert.equal(r.lengthEncodedInt(), v)
    assert.equal(r.lengthEncodedInt(), 2n ** 64n - 1n)
    for (const s of strings) assert.equal(r.lengthEncodedString(), s)
    assert.equal(r.lengthEncodedString(), null)
    assert.equal(r.lengthEncodedBytes(), null)
    assert.equal(r.remaining, 0)
    assert.deepEqual(reader('03616263').lengthEncodedBytes(), Buffer.from('abc'))
  })

  it('refuses 0xFF, truncated integers and lengths beyond the buffer without moving', () => {
    for (const hex of ['', 'ff', 'fc00', 'fd0000', 'fe00000000000000']) {
      const r = reader(hex)
      protocol(() => r.lengthEncodedInt())
      assert.equal(r.offset, 0, hex)
    }
    for (const hex of ['0561', 'fc0500616263', 'feffffffffffffffff', 'fe0000000000002000']) {
      const r = reader(hex)
      protocol(() => r.lengthEncodedString())
      assert.equal(r.offset, 0, hex)
      protocol(() => r.lengthEncodedBytes())
      assert.equal(r.offset, 0, hex)
    }
  })
})

describe('ByteReader bounds', () => {
  it('throws ERR_PROTOCOL for every read past the end, leaving the offset unchanged', () => {
    const reads: [number, (r: ByteReader) => unknown][] = [
      [1, (r) => r.uint8()],
      [1, (r) => r.int8()],
      [2, (r) => r.int16BE()],
      [2, (r) => r.uint16LE()],
      [3, (r) => r.uint24LE()],
      [4, (r) => r.int32BE()],
      [4, (r) => r.uint32LE()],
      [8, (r) => r.int64BE()],
      [8, (r) => r.uint64LE()],
      [4, (r) => r.float32BE()],
      [8, (r) => r.float64LE()],
      [2, (r) => r.bytes(2)],
      [2, (r) => r.string(2)],
      [2, (r) => r.skip(2)],
    ]
    const buf = Buffer.alloc(16, 0xaa)
    for (const [size, read] of reads) {
      // One byte short, with more memory after `end` that must not be read.
      const r = new ByteReader(buf, 4, 4 + size - 1)
      protocol(() => read(r))
      assert.equal(r.offset, 4)
      assert.doesNotThrow(() => read(new ByteReader(buf, 4, 4 + size)))
    }
    protocol(() => reader('00').bytes(-1))
    protocol(() => new ByteReader(Buffer.alloc(2), 1, 3))
    protocol(() => new ByteReader(Buffer.alloc(2), 2, 1))
  })

  it('respects an end before the buffer end', () => {
    const r = new ByteReader(Buffer.from('0102030405', 'hex'), 1, 3)
    assert.equal(r.remaining, 2)
    assert.equal(r.uint16BE(), 0x0203)
    protocol(() => r.uint8())
    assert.equal(r.rest().length, 0)
  })
})
