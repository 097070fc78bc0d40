import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { encodeParameters } from '../../../../src/postgres/codecs.js'
import { ARRAY_OID, Oid } from '../../../../src/postgres/types/oids.js'
import { TypeRegistry } from '../../../../src/postgres/types/registry.js'

// Bind parameters (issue 14): a string goes in text format for the server to parse, a native
// value in binary where its binary form is exact; per-parameter format codes (§55.7 "Bind").

const types = new TypeRegistry()
const textTypes = new TypeRegistry({ binary: false })
const bind = (oid: number, v: unknown, r = types) => r.param(oid).encode(v)
const hex = (x: Uint8Array | string) => (typeof x === 'string' ? x : Buffer.from(x).toString('hex'))

describe('Bind parameters', () => {
  it('send a string of every built-in type as it is, in text format', () => {
    const strings: [number, string][] = [
      [Oid.bool, 'yes'],
      [Oid.int2, ' 7 '],
      [Oid.int4, '1e3'],
      [Oid.int8, '0x10'],
      [Oid.float4, '1.00000005960464477539062500001'],
      [Oid.float8, '1e400'],
      [Oid.numeric, '1.50'],
      [Oid.date, 'today'],
      [Oid.time, 'allballs'],
      [Oid.timetz, '10:00'],
      [Oid.timestamp, 'now'],
      [Oid.timestamptz, '2024-01-05 10:00'],
      [Oid.interval, '1-2'],
      [Oid.bytea, '\\x0102'],
      [Oid.uuid, 'A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11'],
      [Oid.inet, '10/8'],
      [Oid.macaddr, '08002b:010203'],
      [Oid.jsonb, '[1, 2]'],
      [Oid.text, 'ü'],
      [Oid.char, 'é'],
      [ARRAY_OID.get(Oid.int4)!, '{1,2}'],
    ]
    for (const [oid, s] of strings) {
      assert.equal(bind(oid, s), s, `oid ${oid}`)
      assert.equal(bind(oid, s, textTypes), s, `oid ${oid}, binary off`)
    }
  })

  it('send native values in binary where the type has a binary form', () => {
    assert.equal(types.param(Oid.int4).format, 1)
    assert.equal(hex(bind(Oid.int4, 42)), '0000002a')
    assert.equal(hex(bind(Oid.bool, true)), '01')
    assert.equal(hex(bind(Oid.float8, -0)), '8000000000000000')
    assert.equal(
      hex(bind(Oid.uuid, Buffer.from('a0eebc999c0b4ef8bb6d6bb9bd380a11', 'hex'))),
      'a0eebc999c0b4ef8bb6d6bb9bd380a11',
    )
    // Text types and json in text format whatever the value (their binary form is the same text).
    for (const oid of [Oid.text, Oid.varchar, Oid.json, Oid.jsonb, Oid.char])
      assert.equal(types.param(oid).format, 0)
    assert.equal(bind(Oid.jsonb, { a: [1] }), '{"a":[1]}')
  })

  it('write other values for text types as node-postgres does', () => {
    assert.equal(bind(Oid.text, true), 'true')
    assert.equal(bind(Oid.text, 12n), '12')
    assert.equal(bind(Oid.text, { a: 1 }), '{"a":1}')
    assert.equal(bind(Oid.text, [[1, 'x'], [null]]), '{{"1","x"},{NULL}}', 'any shape: it is text')
    assert.deepEqual(bind(Oid.text, Buffer.from('ab')), Buffer.from('ab'))
    const d = new Date(Date.UTC(2024, 0, 5, 10, 0, 0, 123))
    const text = bind(Oid.text, d) as string
    assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.123[+-]\d\d:\d\d(:\d\d)?$/)
    assert.equal(new Date(text).getTime(), d.getTime())
    const bc = new Date(Date.UTC(2000, 0, 1))
    bc.setUTCFullYear(-43)
    assert.match(bind(Oid.text, bc) as string, / BC$/)
    assert.throws(() => bind(Oid.text, Symbol('x')), { code: 'ERR_TYPE_ENCODE' })
  })

  it('send an array with string elements as array text, for the element type to parse', () => {
    const int4s = ARRAY_OID.get(Oid.int4)!
    assert.equal(bind(int4s, ['1', 2, null]), '{"1","2",NULL}')
    assert.equal(typeof bind(int4s, [1, 2, null]), 'object', 'no strings: binary')
    assert.equal(bind(ARRAY_OID.get(Oid.float8)!, [['1e400'], [-0]]), '{{"1e400"},{"-0"}}')
    // text[] and jsonb[]: a string is the element's binary form already.
    assert.equal(typeof bind(ARRAY_OID.get(Oid.text)!, ['a', 'b']), 'object')
    assert.equal(typeof bind(ARRAY_OID.get(Oid.jsonb)!, ['[1]', { a: 1 }]), 'object')
  })

  it("leave a custom type's strings to its serialize", () => {
    const r = new TypeRegistry().register({
      oid: 5000,
      arrayOid: 5001,
      serialize: (v) => String(v).toLowerCase(),
    })
    assert.equal(bind(5000, 'OK', r), 'ok')
    assert.equal(bind(5001, ['OK'], r), '{"ok"}')
    assert.equal(bind(5001, '{OK}', r), '{OK}', 'an array parameter as text is array_in input')
  })
})

describe('encodeParameters', () => {
  const codecs = [types.param(Oid.int4), types.param(Oid.text), types.param(Oid.int8)]
  const formats = codecs.map((c) => c.format)

  it("keeps the statement's format codes when every value goes in its parameter's format", () => {
    const values = new Array<Uint8Array | null>(3)
    assert.equal(encodeParameters(codecs, formats, [1, 'a', null], values), formats)
    assert.deepEqual(values, [Buffer.from('00000001', 'hex'), Buffer.from('a'), null])
  })

  it('copies them where a string goes to a binary-format parameter, leaving the statement alone', () => {
    const values = new Array<Uint8Array | null>(3)
    const out = encodeParameters(codecs, formats, ['1', undefined, 5n], values)
    assert.deepEqual(out, [0, 0, 1])
    assert.deepEqual(formats, [1, 0, 1])
    assert.deepEqual(values, [Buffer.from('1'), null, Buffer.from('0000000000000005', 'hex')])
  })
})

describe('native values, as exact as the server', () => {
  const enc = (oid: number, v: unknown) => hex(types.binary(oid)!.encode(v))
  const refuses = (oid: number, v: unknown) =>
    assert.throws(() => types.binary(oid)!.encode(v), { code: 'ERR_TYPE_ENCODE' }, String(v))

  it('bool: boolin words (COPY), 1 and 0', () => {
    for (const s of ['t', 'TRUE', ' yes ', 'y', 'on', '1', 'tr']) assert.equal(enc(Oid.bool, s), '01', s)
    for (const s of ['f', 'no', 'OFF', 'of', '0', 'fals']) assert.equal(enc(Oid.bool, s), '00', s)
    assert.equal(enc(Oid.bool, 1), '01')
    for (const v of ['o', '', 'truth', 2, 0.5]) refuses(Oid.bool, v)
  })

  it('"char": charout text for a byte, charin for a string', () => {
    const dec = (h: string) => types.preferredResult(Oid.char).decode(Buffer.from(h, 'hex'), 0, h.length / 2)
    assert.deepEqual([dec('ff'), dec('80'), dec('00'), dec('41'), dec('')], ['\\377', '\\200', '', 'A', ''])
    const chars = ARRAY_OID.get(Oid.char)!
    const arr = Buffer.from(types.binary(chars)!.encode(['\\377', 'é', '', 'abc', 5]))
    assert.deepEqual(types.preferredResult(chars).decode(arr, 0, arr.length), [
      '\\377',
      '\\303',
      '',
      'a',
      '5',
    ])
  })

  it('interval: ±Infinity goes as text for the server to read (PostgreSQL 17+) or refuse', () => {
    for (const r of [types, textTypes, new TypeRegistry({ interval: 'object' })]) {
      assert.equal(bind(Oid.interval, Infinity, r), 'infinity')
      assert.equal(bind(Oid.interval, -Infinity, r), '-infinity')
    }
    assert.equal(types.param(Oid.interval).format, 1)
  })

  it('interval: the lowest fields, year fractions as whole months, seconds as numbers', () => {
    const interval = (v: unknown) => enc(Oid.interval, v)
    assert.equal(
      interval({ months: -(2 ** 31), days: -(2 ** 31), microseconds: -(2 ** 63) }),
      '80000000000000008000000080000000',
    )
    assert.equal(interval({ years: 1.1 }), interval({ months: 13 }))
    assert.equal(interval('1.1 years'), interval({ months: 13 }))
    assert.equal(interval('1.01 months'), interval({ months: 1, hours: 7, minutes: 12 }))
    assert.equal(interval('-1.5 weeks'), interval({ days: -10, hours: -12 }))
    assert.equal(interval(1.5), interval({ seconds: 1.5 }))
    assert.equal(interval(42n), interval({ seconds: 42 }))
    for (const v of [
      {},
      { days: 1, eons: 2 },
      new Date(0),
      Buffer.alloc(16),
      { months: 2 ** 31 },
      Number.NaN,
    ]) {
      refuses(Oid.interval, v)
    }
  })

  it('timestamps and times: an offset-less string is refused, the session TimeZone is not known here', () => {
    refuses(Oid.timestamptz, '2024-01-05 10:00')
    refuses(Oid.timetz, '10:00')
    assert.equal(enc(Oid.timestamptz, '2000-01-01 01:00+01'), '0000000000000000')
    assert.equal(enc(Oid.timestamp, '2000-01-01 00:00'), '0000000000000000')
    refuses(Oid.date, '0000-01-01')
  })

  it('json: a bigint is its decimal; NaN and Infinity are refused, not turned into null', () => {
    assert.equal(hex(bind(Oid.jsonb, 12345678901234567890n)), '12345678901234567890')
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => bind(Oid.jsonb, v), { code: 'ERR_TYPE_ENCODE' })
    }
  })

  it('inet: an IPv6 zone is refused (inet_in has none), not dropped', () => {
    refuses(Oid.inet, 'fe80::1%eth0')
  })
})
