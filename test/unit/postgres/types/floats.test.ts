import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Oid } from '../../../../src/postgres/types/oids.js'
import { TypeRegistry } from '../../../../src/postgres/types/registry.js'

// float4/float8: results with float4out's digits, COPY binary's strings read as strtof/strtod do.

const types = new TypeRegistry()
const decode4 = (bits: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(bits >>> 0)
  return types.preferredResult(Oid.float4).decode(b, 0, 4) as number
}
const enc = (oid: number, v: unknown) => Buffer.from(types.binary(oid)!.encode(v)).toString('hex')

/**
 * What PostgreSQL 15 prints for these float4 bit patterns (psql, `x::float4::text` of the exact
 * double): Ryu's round-even, boundary and output-length cases from float4.sql, subnormals, and
 * the neighbours of powers of two, where the interval is lopsided.
 */
const PRINTED: [number, string][] = [
  [0x48951f84, '305404.12'],
  [0x48951f82, '305404.06'],
  [0x45fd1840, '8099.0312'],
  [0x4c000004, '3.3554448e+07'],
  [0x4c000001, '3.3554436e+07'],
  [0x50061c46, '8.999999e+09'],
  [0x510006a8, '3.4366718e+10'],
  [0x5d1502f9, '6.7108864e+17'],
  [0x5d9502f9, '1.3421773e+18'],
  [0x5e1502f9, '2.6843546e+18'],
  [0x3f99999a, '1.2'],
  [0x3f9d70a4, '1.23'],
  [0x03d20cfe, '1.23456735e-36'],
  [0x00000001, '1e-45'],
  [0x007fffff, '1.1754942e-38'],
  [0x00800000, '1.1754944e-38'],
  [0x3dcccd70, '0.100001216'],
  [0x3f7fffff, '0.99999994'],
  [0x3f800001, '1.0000001'],
  [0x4b000000, '8.388608e+06'],
  [0x4b800000, '1.6777216e+07'],
  [0x7f7fffff, '3.4028235e+38'],
  [0x800000b0, '-2.47e-43'],
  [0x15ae43fd, '7.038531e-26'],
  [0x2cf757ca, '7.0299088e-12'],
  [0x665ba998, '2.5933168e+23'],
  [0x743c3324, '5.9642887e+31'],
  [0x5f000000, '9.223372e+18'],
  [0x39800000, '0.00024414062'],
  [0x4cbebc21, '1.0000001e+08'],
]

describe('float4 results', () => {
  it('have the digits psql prints: shortest strictly inside the interval, ties to even', () => {
    for (const [bits, text] of PRINTED) assert.equal(decode4(bits), Number(text), text)
  })

  it('keep NaN, ±Infinity, -0 and integers below 2^24 as they are', () => {
    assert.ok(Number.isNaN(decode4(0x7fc00000)))
    assert.equal(decode4(0xff800000), Number.NEGATIVE_INFINITY)
    assert.ok(Object.is(decode4(0x80000000), -0))
    assert.equal(decode4(0x4b7fffff), 16777215)
  })

  it('encode back to the same bits, also where the double is halfway between two float4s', () => {
    for (const [bits] of PRINTED) {
      assert.equal(enc(Oid.float4, decode4(bits)), (bits >>> 0).toString(16).padStart(8, '0'))
    }
    // The double of 7.038531e-26 lies exactly between 0x15ae43fd and 0x15ae43fe.
    assert.equal(enc(Oid.float4, 7.038531e-26), '15ae43fd')
  })
})

describe('float strings (COPY binary), read as float4in and float8in read them', () => {
  it('round once: a decimal whose double is a float4 midpoint goes to the side it lies on', () => {
    assert.equal(enc(Oid.float4, '1.00000005960464477539062500001'), '3f800001')
    assert.equal(enc(Oid.float4, '1.000000059604644775390625'), '3f800000', 'exactly halfway: to even')
    assert.equal(enc(Oid.float4, '340282356779733661637539395458142568447'), '7f7fffff')
    assert.equal(enc(Oid.float4, ' -1e-45 '), '80000001')
    assert.equal(enc(Oid.float4, '12345678901234567890'), '5f2b54aa')
    assert.equal(enc(Oid.float4, 12345678901234567890n), '5f2b54aa')
  })

  it('refuse values out of range instead of Infinity or 0, as the server does (22003)', () => {
    for (const [oid, text] of [
      [Oid.float8, '1e400'],
      [Oid.float8, '-1e-400'],
      [Oid.float4, '1e39'],
      [Oid.float4, '1e-46'],
      [Oid.float4, '7e-46'],
      [Oid.float4, '340282356779733661637539395458142568448'],
    ] as const) {
      assert.throws(() => types.binary(oid)!.encode(text), { code: 'ERR_TYPE_ENCODE' }, text)
    }
    assert.throws(() => types.binary(Oid.float4)!.encode(1e39), { code: 'ERR_TYPE_ENCODE' })
    assert.equal(enc(Oid.float8, '0e400'), '0000000000000000')
  })

  it('take float8in spellings: spaces, inf, infinity, NaN (strtod also takes -nan)', () => {
    assert.equal(enc(Oid.float8, ' -INF '), 'fff0000000000000')
    assert.equal(enc(Oid.float8, '+infinity'), '7ff0000000000000')
    assert.equal(enc(Oid.float8, 'nan'), '7ff8000000000000')
    assert.equal(enc(Oid.float8, '.5e1'), '4014000000000000')
    assert.equal(enc(Oid.float8, '-NaN'), '7ff8000000000000')
    assert.throws(() => types.binary(Oid.float8)!.encode('1,5'), { code: 'ERR_TYPE_ENCODE' })
  })
})
