import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { encodeNumeric } from '../../../../src/postgres/types/numeric.js'
import { ARRAY_OID, Oid } from '../../../../src/postgres/types/oids.js'
import { TypeRegistry } from '../../../../src/postgres/types/registry.js'

// Parameter encoding: what each type accepts, and the refusals (ERR_TYPE_ENCODE, value never shown).

const types = new TypeRegistry()
const enc = (oid: number, v: unknown) => Buffer.from(types.binary(oid)!.encode(v)).toString('hex')
const txt = (oid: number, v: unknown) => types.type(oid)!.serialize(v)

function refuses(oid: number, value: unknown, shown = String(value)): void {
  for (const encode of [() => types.binary(oid)!.encode(value), () => txt(oid, value)]) {
    assert.throws(encode, (err: Error & { code: string }) => {
      assert.equal(err.code, 'ERR_TYPE_ENCODE')
      // The value must not appear, except as part of a bound such as -32768.
      const escaped = shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      assert.doesNotMatch(err.message, new RegExp(`(?<![-\\w])${escaped}(?![\\w])`))
      return true
    })
  }
}

describe('parameter encoding by described type', () => {
  it('integers: numbers, bigints and decimal strings in range; nothing else', () => {
    assert.equal(enc(Oid.int4, 42), '0000002a')
    assert.equal(enc(Oid.int4, '-2147483648'), '80000000')
    assert.equal(enc(Oid.int2, 7n), '0007')
    assert.equal(enc(Oid.int8, Number.MAX_SAFE_INTEGER), '001fffffffffffff')
    assert.equal(enc(Oid.int8, '-9223372036854775808'), '8000000000000000')
    assert.equal(enc(Oid.oid, 4294967295), 'ffffffff')
    refuses(Oid.int4, 'abc-secret', 'abc-secret')
    refuses(Oid.int4, 2 ** 31 + 7)
    refuses(Oid.int4, 1.5)
    refuses(Oid.int4, true)
    refuses(Oid.int2, 32768)
    refuses(Oid.int8, 1.5)
    refuses(Oid.int8, 2n ** 63n)
    refuses(Oid.int8, '12e3')
    refuses(Oid.oid, -1)
  })

  it('floats: numbers, bigints, decimal strings, NaN and ±Infinity; float4 refuses what would overflow', () => {
    assert.equal(enc(Oid.float8, '1e3'), Buffer.from([0x40, 0x8f, 0x40, 0, 0, 0, 0, 0]).toString('hex'))
    assert.equal(enc(Oid.float8, '-Infinity'), 'fff0000000000000')
    assert.equal(enc(Oid.float4, 'nan'), '7fc00000')
    assert.equal(txt(Oid.float8, -0), '-0')
    refuses(Oid.float4, 1e39)
    refuses(Oid.float8, '1,5')
    refuses(Oid.float8, null)
  })

  it('numeric: exact decimal strings, numbers, bigints, exponents, specials', () => {
    const same = (a: unknown, b: unknown) => assert.equal(enc(Oid.numeric, a), enc(Oid.numeric, b))
    same('1.5e3', '1500')
    same('12e-3', '0.012')
    same('.5', '0.5')
    same(0.1, '0.1')
    same(1e21, '1000000000000000000000')
    same(12345678901234567890n, '12345678901234567890')
    same('-0.000', '0.000')
    same(Number.NaN, 'NaN')
    same('inf', 'Infinity')
    assert.equal(encodeNumeric('0.00').toString('hex'), '0000000000000002')
    refuses(Oid.numeric, '1.2.3')
    refuses(Oid.numeric, ' ', 'blank')
    refuses(Oid.numeric, '1e999999999')
    refuses(Oid.numeric, { n: 1 }, '[object Object]')
  })

  it('text, bytea, uuid, bool', () => {
    assert.equal(enc(Oid.text, 'ü😀'), 'c3bcf09f9880')
    assert.equal(enc(Oid.varchar, 12), '3132')
    assert.equal(enc(Oid.bytea, new Uint8Array([1, 2, 255])), '0102ff')
    assert.equal(enc(Oid.bytea, new Uint8Array([0, 9, 8]).subarray(1)), '0908')
    assert.equal(txt(Oid.bytea, Buffer.from([0, 255])), '\\x00ff')
    assert.equal(enc(Oid.uuid, '{A0EEBC999C0B4EF8BB6D6BB9BD380A11}'), 'a0eebc999c0b4ef8bb6d6bb9bd380a11')
    assert.equal(enc(Oid.bool, 'TRUE'), '01')
    refuses(Oid.text, Symbol('secret'), 'secret')
    refuses(Oid.bytea, 'secret-bytes', 'secret-bytes')
    refuses(Oid.uuid, 'secret-0000', 'secret-0000')
    refuses(Oid.bool, 2)
    refuses(Oid.json, Number.NaN)
  })

  it('dates and times: Dates, ISO strings, ±infinity; invalid calendar dates refused', () => {
    assert.equal(enc(Oid.date, '2024-02-29'), '00002279')
    assert.equal(enc(Oid.date, '0044-03-15 BC'), 'fff49d7b')
    assert.equal(enc(Oid.timestamptz, new Date('2000-01-01T00:00:00.001Z')), '00000000000003e8')
    assert.equal(enc(Oid.timestamptz, '2000-01-01T01:00:00+01:00'), '0000000000000000')
    assert.equal(enc(Oid.timestamptz, '1999-12-31 23:59:59.9999995Z'), '0000000000000000')
    assert.equal(enc(Oid.time, '24:00:00'), '000000141dd76000')
    assert.equal(enc(Oid.timetz, '12:34:56+05:30'), '0000000a8bda1c00ffffb2a8')
    assert.equal(txt(Oid.timestamp, new Date(Date.UTC(-43, 2, 15))), '0044-03-15 00:00:00 BC')
    refuses(Oid.date, '2023-02-29')
    refuses(Oid.date, 'secret-date', 'secret-date')
    refuses(Oid.timestamptz, new Date(Number.NaN), 'Invalid Date')
    refuses(Oid.timestamptz, 1700000000000)
    refuses(Oid.time, '25:00')
    refuses(Oid.time, '12:00+01')
    refuses(Oid.interval, 'secret interval', 'secret interval')
    refuses(Oid.interval, { days: 'secret-days' }, 'secret-days')
  })

  it('inet, cidr, macaddr', () => {
    assert.equal(enc(Oid.inet, '10.1.2.3/8'), '020800040a010203')
    assert.equal(enc(Oid.inet, '::ffff:1.2.3.4'), '0380001000000000000000000000ffff01020304')
    assert.equal(enc(Oid.cidr, 'fe80::/64'), '03400110fe800000000000000000000000000000')
    assert.equal(txt(Oid.inet, '1:0:0:2:0:0:0:3'), '1:0:0:2::3')
    assert.equal(enc(Oid.macaddr, '08-00-2B-01-02-03'), '08002b010203')
    assert.equal(enc(Oid.macaddr, '0800.2b01.0203'), '08002b010203')
    refuses(Oid.cidr, '10.1.2.3/8')
    refuses(Oid.inet, '10.0.0.1/33')
    refuses(Oid.inet, 'secret-host', 'secret-host')
    refuses(Oid.macaddr, '11:22:33:44:55')
  })
})

describe('arrays', () => {
  const int4s = ARRAY_OID.get(Oid.int4)!
  const decodeHex = (oid: number, h: string) =>
    types.preferredResult(oid).decode(Buffer.from(h, 'hex'), 0, h.length / 2)

  it('encode nested arrays with NULLs; empty arrays at any depth are empty', () => {
    const h = enc(int4s, [
      [1, null],
      [3, 4],
    ])
    assert.equal(h.slice(0, 24), '000000020000000100000017') // 2 dims, has NULLs, int4
    assert.deepEqual(decodeHex(int4s, h), [
      [1, null],
      [3, 4],
    ])
    assert.equal(enc(int4s, []), '000000000000000000000017')
    assert.equal(enc(int4s, [[], []]), '000000000000000000000017')
    assert.deepEqual(decodeHex(int4s, enc(int4s, [undefined])), [null])
  })

  it('refuse jagged arrays, too many dimensions, non-arrays and bad elements', () => {
    refuses(int4s, [[1, 2], [3]], '1,2,3')
    refuses(int4s, [[1], 2], '1,2')
    refuses(int4s, [[[[[[[1]]]]]]], '1')
    refuses(int4s, 5)
    // COPY binary cannot send text; Bind sends string elements inside array text (types.param).
    assert.throws(() => types.binary(int4s)!.encode(['secret-x']), { code: 'ERR_TYPE_ENCODE' })
    assert.equal(types.param(int4s).encode(['secret-x', 2]), '{"secret-x","2"}')
  })

  it('keep JS arrays inside json[] elements as JSON values', () => {
    const jsonbs = ARRAY_OID.get(Oid.jsonb)!
    assert.deepEqual(decodeHex(jsonbs, enc(jsonbs, [[1, 2], { a: [3] }, null])), [[1, 2], { a: [3] }, null])
    assert.equal(txt(jsonbs, [[1, 2], 'x']), '{"[1,2]","x"}')
  })

  it('parse array_out text: quotes, escapes, NULL vs "NULL", bounds, nesting, spaces', () => {
    const texts = ARRAY_OID.get(Oid.text)!
    const parse = (s: string) => types.result(texts).decode(Buffer.from(s), 0, Buffer.byteLength(s))
    assert.deepEqual(parse('{"a b",NULL,"NULL","x\\"y","\\\\",plain}'), [
      'a b',
      null,
      'NULL',
      'x"y',
      '\\',
      'plain',
    ])
    assert.deepEqual(parse('[0:1]={a,b}'), ['a', 'b'])
    assert.deepEqual(parse('{{a,b},{c,d}}'), [
      ['a', 'b'],
      ['c', 'd'],
    ])
    assert.deepEqual(parse('{}'), [])
    assert.deepEqual(parse('{ a , b }'), ['a', 'b'])
    assert.throws(() => parse('{a'), { code: 'ERR_TYPE_DECODE' })
    assert.equal(txt(texts, ['a"b', null, '\\']), '{"a\\"b",NULL,"\\\\"}')
  })
})
