import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidArgumentError } from '../../../src/errors/classes.js'
import { ByteWriter } from '../../../src/internal/byte-writer.js'

const hex = (w: ByteWriter): string => w.view().toString('hex')
const invalid = (fn: () => unknown): void => {
  assert.throws(fn, (e: unknown) => e instanceof InvalidArgumentError && e.code === 'ERR_INVALID_ARGUMENT')
}

describe('ByteWriter integers', () => {
  it('writes every boundary of each width in both byte orders', () => {
    const cases: [keyof ByteWriter, number, string][] = [
      ['int8', 0, '00'],
      ['int8', -1, 'ff'],
      ['int8', -128, '80'],
      ['int8', 127, '7f'],
      ['uint8', 255, 'ff'],
      ['int16BE', -32768, '8000'],
      ['int16BE', 32767, '7fff'],
      ['int16BE', -1, 'ffff'],
      ['int16LE', -32768, '0080'],
      ['uint16BE', 0xffff, 'ffff'],
      ['uint16LE', 0x1234, '3412'],
      ['int32BE', -(2 ** 31), '80000000'],
      ['int32BE', 2 ** 31 - 1, '7fffffff'],
      ['int32BE', -1, 'ffffffff'],
      ['int32LE', 0x01020304, '04030201'],
      ['int32LE', -(2 ** 31), '00000080'],
      ['uint32BE', 2 ** 32 - 1, 'ffffffff'],
      ['uint32LE', 0x80000000, '00000080'],
    ]
    for (const [method, value, expected] of cases) {
      const w = new ByteWriter(1)
      ;(w[method] as (v: number) => ByteWriter)(value)
      assert.equal(hex(w), expected, `${method}(${value})`)
    }
  })

  it('refuses values outside the width, fractions and NaN', () => {
    const w = new ByteWriter()
    invalid(() => w.int8(128))
    invalid(() => w.int8(-129))
    invalid(() => w.uint8(256))
    invalid(() => w.uint8(-1))
    invalid(() => w.int16BE(32768))
    invalid(() => w.uint16LE(0x10000))
    invalid(() => w.int32BE(2 ** 31))
    invalid(() => w.int32LE(1.5))
    invalid(() => w.uint32BE(-1))
    invalid(() => w.uint32LE(2 ** 32))
    invalid(() => w.int32BE(Number.NaN))
    assert.equal(w.length, 0)
  })

  it('writes 64-bit integers from bigint and safe numbers', () => {
    const be = (v: bigint | number): string => hex(new ByteWriter().int64BE(v))
    assert.equal(be(0), '0000000000000000')
    assert.equal(be(-1), 'ffffffffffffffff')
    assert.equal(be(-1n), 'ffffffffffffffff')
    assert.equal(be(2 ** 53 - 1), '001fffffffffffff')
    assert.equal(be(-(2 ** 53 - 1)), 'ffe0000000000001')
    assert.equal(be(-(2n ** 63n)), '8000000000000000')
    assert.equal(be(2n ** 63n - 1n), '7fffffffffffffff')
    assert.equal(be(0x100000000), '0000000100000000')
    assert.equal(hex(new ByteWriter().int64LE(-2)), 'feffffffffffffff')
    assert.equal(hex(new ByteWriter().int64LE(0x0102030405060708n)), '0807060504030201')
    assert.equal(hex(new ByteWriter().uint64BE(2n ** 64n - 1n)), 'ffffffffffffffff')
    assert.equal(hex(new ByteWriter().uint64LE(2 ** 53 - 1)), 'ffffffffffff1f00')
    invalid(() => new ByteWriter().int64BE(2 ** 53))
    invalid(() => new ByteWriter().int64BE(2n ** 63n))
    invalid(() => new ByteWriter().int64LE(-(2n ** 63n) - 1n))
    invalid(() => new ByteWriter().uint64BE(-1))
    invalid(() => new ByteWriter().uint64LE(2n ** 64n))
  })

  it('writes floats in both byte orders', () => {
    assert.equal(hex(new ByteWriter().float32BE(1.5)), '3fc00000')
    assert.equal(hex(new ByteWriter().float32LE(1.5)), '0000c03f')
    assert.equal(hex(new ByteWriter().float64BE(-2)), 'c000000000000000')
    assert.equal(hex(new ByteWriter().float64LE(-2)), '00000000000000c0')
  })
})

describe('ByteWriter strings and bytes', () => {
  it('writes UTF-8 directly and other encodings on request', () => {
    const w = new ByteWriter(2).string('aé€😀')
    assert.deepEqual(w.toBuffer(), Buffer.from('aé€😀', 'utf8'))
    assert.equal(hex(new ByteWriter(1).string('ab', 'latin1')), '6162')
    assert.equal(hex(new ByteWriter(1).string('0aff', 'hex')), '0aff')
  })

  it('writes C strings and refuses an embedded NUL', () => {
    assert.equal(hex(new ByteWriter(1).cstring('user')), '7573657200')
    assert.equal(hex(new ByteWriter(1).cstring('')), '00')
    const w = new ByteWriter()
    invalid(() => w.cstring('a\0b'))
    assert.equal(w.length, 0)
  })

  it('appends bytes and grows across the initial capacity, keeping earlier content', () => {
    const w = new ByteWriter(4)
    const chunk = Buffer.from([1, 2, 3])
    for (let i = 0; i < 1000; i++) w.bytes(chunk)
    assert.equal(w.length, 3000)
    assert.ok(w.capacity >= 3000)
    assert.equal(w.capacity, 4096)
    assert.deepEqual(w.view(), Buffer.concat(Array.from({ length: 1000 }, () => chunk)))
    const big = Buffer.alloc(100_000, 7)
    w.bytes(big)
    assert.equal(w.length, 103_000)
    assert.deepEqual(w.subarray(3000), big)
  })
})

describe('ByteWriter length-encoded integers (MySQL int<lenenc>)', () => {
  it('chooses the 1, 3, 4 and 9 byte forms at their boundaries', () => {
    const cases: [bigint | number, string][] = [
      [0, '00'],
      [0xfa, 'fa'],
      [0xfb, 'fcfb00'],
      [0xfc, 'fcfc00'],
      [0xffff, 'fcffff'],
      [0x10000, 'fd000001'],
      [0xffffff, 'fdffffff'],
      [0x1000000, 'fe0000000100000000'],
      [2 ** 53 - 1, 'feffffffffffff1f00'],
      [2n ** 53n + 1n, 'fe0100000000002000'],
      [2n ** 64n - 1n, 'feffffffffffffffff'],
      [0xfbn, 'fcfb00'],
    ]
    for (const [value, expected] of cases) {
      assert.equal(hex(new ByteWriter(1).lengthEncodedInt(value)), expected, String(value))
    }
  })

  it('refuses negative, fractional and oversized values', () => {
    invalid(() => new ByteWriter().lengthEncodedInt(-1))
    invalid(() => new ByteWriter().lengthEncodedInt(1.5))
    invalid(() => new ByteWriter().lengthEncodedInt(2 ** 53))
    invalid(() => new ByteWriter().lengthEncodedInt(-1n))
    invalid(() => new ByteWriter().lengthEncodedInt(2n ** 64n))
  })

  it('prefixes strings with their UTF-8 byte length', () => {
    assert.equal(hex(new ByteWriter(1).lengthEncodedString('')), '00')
    assert.equal(hex(new ByteWriter(1).lengthEncodedString('é')), '02c3a9')
    for (const len of [83, 84, 250, 251, 0xffff, 0x10000]) {
      const s = 'x'.repeat(len)
      const out = new ByteWriter(1).lengthEncodedString(s).toBuffer()
      const prefix = new ByteWriter().lengthEncodedInt(len).toBuffer()
      assert.deepEqual(out, Buffer.concat([prefix, Buffer.from(s)]), `length ${len}`)
    }
    // 100 three-byte characters: a short string whose byte length needs the 3-byte prefix.
    const wide = '€'.repeat(100)
    assert.equal(new ByteWriter().lengthEncodedString(wide).view().subarray(0, 3).toString('hex'), 'fc2c01')
  })
})

describe('ByteWriter framing and buffer management', () => {
  it('reserves and patches a PostgreSQL message length', () => {
    const w = new ByteWriter(2)
    w.uint8(0x51) // 'Q' Query, PostgreSQL protocol §55.7
    const at = w.reserveInt32()
    w.cstring('SELECT 1')
    w.patchInt32(at, w.length - at)
    assert.equal(hex(w), '510000000d53454c454354203100')
    w.patchInt32(at, -1)
    assert.equal(w.subarray(1, 5).toString('hex'), 'ffffffff')
    invalid(() => w.patchInt32(w.length - 3, 1))
    invalid(() => w.patchInt32(-1, 1))
    invalid(() => w.patchInt32(at, 2 ** 31))
  })

  it('reset reuses memory; toBuffer copies while view and subarray share', () => {
    const w = new ByteWriter(8).uint32BE(1)
    const copy = w.toBuffer()
    const shared = w.view()
    const capacity = w.capacity
    w.reset().uint32BE(2)
    assert.equal(w.length, 4)
    assert.equal(w.offset, 4)
    assert.equal(w.capacity, capacity)
    assert.equal(copy.toString('hex'), '00000001')
    assert.equal(shared.toString('hex'), '00000002')
    invalid(() => w.subarray(0, 5))
    invalid(() => w.subarray(3, 2))
    invalid(() => new ByteWriter(0))
  })

  it('patches a MySQL packet header (int<3> length + int<1> sequence id) little-endian', () => {
    const w = new ByteWriter(4)
    const at = w.reserveInt32()
    w.uint8(0x0e) // COM_PING
    w.patchUint32LE(at, (w.length - at - 4) | (3 << 24))
    assert.equal(hex(w), '010000030e')
    invalid(() => w.patchUint32LE(w.length - 3, 1))
    invalid(() => w.patchUint32LE(0, -1))
  })

  it('truncate forgets bytes after a length and refuses lengths outside the written bytes', () => {
    const w = new ByteWriter(4).uint32BE(0x01020304)
    w.truncate(2).uint8(9)
    assert.equal(hex(w), '010209')
    invalid(() => w.truncate(4))
    invalid(() => w.truncate(-1))
  })

  it('take hands out the bytes without a copy and never writes over them again', () => {
    for (const capacity of [8, 4096]) {
      const w = new ByteWriter(capacity).uint32BE(0xaabbccdd)
      const first = w.take()
      assert.equal(w.length, 0)
      w.uint32BE(0x11223344).uint32BE(0x55667788).bytes(Buffer.alloc(5000, 1))
      assert.equal(first.toString('hex'), 'aabbccdd')
      const second = w.take()
      assert.equal(second.subarray(0, 8).toString('hex'), '1122334455667788')
      assert.equal(second.length, 5008)
      w.uint8(7)
      assert.equal(first.toString('hex'), 'aabbccdd')
      assert.equal(second.subarray(0, 8).toString('hex'), '1122334455667788')
      assert.equal(hex(w), '07')
    }
  })
})
