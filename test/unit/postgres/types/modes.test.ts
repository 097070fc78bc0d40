import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Oid } from '../../../../src/postgres/types/oids.js'
import { TypeRegistry, typeCodecsFrom } from '../../../../src/postgres/types/registry.js'

// The user-facing choices (TypeOptions): each mode decodes the same bytes to the promised value.

const hex = (h: string) => Buffer.from(h, 'hex')
const decode = (r: TypeRegistry, oid: number, h: string) => {
  const b = hex(h)
  return r.preferredResult(oid).decode(b, 0, b.length)
}
const encodeHex = (r: TypeRegistry, oid: number, v: unknown) =>
  Buffer.from(r.binary(oid)!.encode(v)).toString('hex')

describe('type options', () => {
  it('int8: bigint by default, exact string, or lossy number', () => {
    const max = '7fffffffffffffff'
    assert.equal(decode(new TypeRegistry(), Oid.int8, max), 9223372036854775807n)
    assert.equal(decode(new TypeRegistry({ int8: 'string' }), Oid.int8, max), '9223372036854775807')
    assert.equal(decode(new TypeRegistry({ int8: 'number' }), Oid.int8, max), 2 ** 63)
    assert.equal(decode(new TypeRegistry({ int8: 'string' }), Oid.int8, 'ffffffffffffffff'), '-1')
    // Text results follow the same choice.
    const text = Buffer.from('-9223372036854775808')
    assert.equal(new TypeRegistry().result(Oid.int8).decode(text, 0, text.length), -9223372036854775808n)
  })

  it('numeric: exact string by default, number on request (NaN and ±Infinity included)', () => {
    const fixture = '0003000140000004007b11d70059' // -1234567.0089
    assert.equal(decode(new TypeRegistry({ textResults: [] }), Oid.numeric, fixture), '-1234567.0089')
    const asNumber = new TypeRegistry({ numeric: 'number', textResults: [] })
    assert.equal(decode(asNumber, Oid.numeric, fixture), -1234567.0089)
    assert.ok(Number.isNaN(decode(asNumber, Oid.numeric, '00000000c0000000')))
    assert.equal(decode(asNumber, Oid.numeric, '00000000f0000020'), Number.NEGATIVE_INFINITY)
    // By default numeric results are requested as text: the same values.
    const text = (r: TypeRegistry, s: string) =>
      r.preferredResult(Oid.numeric).decode(Buffer.from(s), 0, s.length)
    assert.equal(text(new TypeRegistry(), '-1234567.0089'), '-1234567.0089')
    assert.equal(text(new TypeRegistry({ numeric: 'number' }), '-Infinity'), Number.NEGATIVE_INFINITY)
  })

  it('timestamps: Date (ms) by default, exact text on request; ±infinity', () => {
    const us = '0002bac0d2f42280' // 2024-05-06 05:08:09.123456 UTC
    assert.deepEqual(decode(new TypeRegistry(), Oid.timestamptz, us), new Date('2024-05-06T05:08:09.123Z'))
    assert.equal(
      decode(new TypeRegistry({ timestamps: 'string' }), Oid.timestamptz, us),
      '2024-05-06 05:08:09.123456+00',
    )
    // Milliseconds round down, also before 2000 and far from it (exact integer arithmetic).
    assert.deepEqual(
      decode(new TypeRegistry(), Oid.timestamp, 'ffffffffffffffff'),
      new Date('1999-12-31T23:59:59.999Z'),
    )
    const bc4714 = new Date(Date.UTC(2000, 10, 24))
    bc4714.setUTCFullYear(-4713)
    assert.deepEqual(decode(new TypeRegistry(), Oid.timestamp, 'fd0f7cc1411fa000'), bc4714)
    const text = (s: string) => new TypeRegistry().result(Oid.timestamptz).decode(Buffer.from(s), 0, s.length)
    assert.deepEqual(text('4714-11-24 00:00:00+00 BC'), bc4714)
    assert.deepEqual(text('2024-05-06 07:08:09.123456+02'), new Date('2024-05-06T05:08:09.123Z'))
    assert.equal(decode(new TypeRegistry(), Oid.timestamp, '7fffffffffffffff'), Number.POSITIVE_INFINITY)
    assert.equal(decode(new TypeRegistry(), Oid.timestamp, '8000000000000000'), Number.NEGATIVE_INFINITY)
    assert.equal(encodeHex(new TypeRegistry(), Oid.timestamptz, -Infinity), '8000000000000000')
    assert.equal(encodeHex(new TypeRegistry(), Oid.timestamptz, 'infinity'), '7fffffffffffffff')
  })

  it('timestamp without time zone: the wall clock as UTC by default, or as local time', () => {
    const us = '0002b582c47fb120' // 2024-02-29 12:00:00.5
    assert.deepEqual(decode(new TypeRegistry(), Oid.timestamp, us), new Date('2024-02-29T12:00:00.500Z'))
    const local = new TypeRegistry({ timestampWithoutTimeZone: 'local' })
    assert.deepEqual(decode(local, Oid.timestamp, us), new Date(2024, 1, 29, 12, 0, 0, 500))
    assert.equal(encodeHex(local, Oid.timestamp, new Date(2024, 1, 29, 12, 0, 0, 500)), us)
    // timestamptz is an instant: unaffected by the option.
    assert.deepEqual(decode(local, Oid.timestamptz, us), new Date('2024-02-29T12:00:00.500Z'))
    // An offset in the text of a timestamp without time zone is ignored, as timestamp_in does.
    assert.equal(encodeHex(new TypeRegistry(), Oid.timestamp, '2024-02-29 12:00:00.5+05'), us)
    assert.equal(encodeHex(new TypeRegistry(), Oid.timestamptz, '2024-02-29T17:00:00.5+05:00'), us)
  })

  it('date: text by default (no time zone to shift it), Date at UTC midnight on request', () => {
    assert.equal(decode(new TypeRegistry(), Oid.date, '00002279'), '2024-02-29')
    const asDate = new TypeRegistry({ date: 'date' })
    assert.deepEqual(decode(asDate, Oid.date, '00002279'), new Date('2024-02-29T00:00:00Z'))
    assert.equal(decode(asDate, Oid.date, '7fffffff'), Number.POSITIVE_INFINITY)
    assert.equal(encodeHex(asDate, Oid.date, new Date('2024-02-29T23:59:59Z')), '00002279')
    assert.equal(encodeHex(asDate, Oid.date, '-infinity'), '80000000')
  })

  it('interval: text as psql prints it by default, or { months, days, microseconds }', () => {
    const h = '000000036c9361a0fffffffd0000000e'
    assert.equal(decode(new TypeRegistry(), Oid.interval, h), '1 year 2 mons -3 days +04:05:06.5')
    const asObject = new TypeRegistry({ interval: 'object' })
    assert.deepEqual(decode(asObject, Oid.interval, h), { months: 14, days: -3, microseconds: 14706500000 })
    assert.equal(encodeHex(asObject, Oid.interval, { months: 14, days: -3, microseconds: 14706500000 }), h)
    assert.equal(
      encodeHex(asObject, Oid.interval, {
        years: 1,
        months: 2,
        days: -3,
        hours: 4,
        minutes: 5,
        seconds: 6.5,
      }),
      h,
    )
    assert.equal(encodeHex(asObject, Oid.interval, 'P1Y2M-3DT4H5M6.5S'), h)
    assert.equal(encodeHex(asObject, Oid.interval, '@ 1 year 2 months -3 days 4 hours 5 mins 6.5 secs'), h)
    assert.equal(
      encodeHex(asObject, Oid.interval, '1 day ago'),
      encodeHex(asObject, Oid.interval, { days: -1 }),
    )
    const text = Buffer.from('-1 days +02:03:00')
    assert.deepEqual(asObject.result(Oid.interval).decode(text, 0, text.length), {
      months: 0,
      days: -1,
      microseconds: 7380000000,
    })
  })

  it('interval: the PostgreSQL 17 infinities as text, or ±Infinity in object mode', () => {
    const plus = '7fffffffffffffff7fffffff7fffffff'
    const minus = '80000000000000008000000080000000'
    assert.equal(decode(new TypeRegistry(), Oid.interval, plus), 'infinity')
    assert.equal(decode(new TypeRegistry(), Oid.interval, minus), '-infinity')
    const asObject = new TypeRegistry({ interval: 'object' })
    assert.equal(decode(asObject, Oid.interval, plus), Infinity)
    assert.equal(decode(asObject, Oid.interval, minus), -Infinity)
    // One field short of the sentinel is an ordinary (PostgreSQL 16 and older: legal) value.
    assert.deepEqual(decode(asObject, Oid.interval, '7fffffffffffffff7fffffff7ffffffe'), {
      months: 2147483646,
      days: 2147483647,
      microseconds: 2 ** 63,
    })
    for (const [text, value] of [
      ['infinity', Infinity],
      ['-infinity', -Infinity],
    ] as const) {
      const b = Buffer.from(text)
      assert.equal(asObject.result(Oid.interval).decode(b, 0, b.length), value)
    }
  })

  it('json: parsed by default, or the text; a string parameter is JSON text as it is', () => {
    const jsonb = '017b2261223a205b315d7d' // {"a": [1]}
    assert.deepEqual(decode(new TypeRegistry(), Oid.jsonb, jsonb), { a: [1] })
    assert.equal(decode(new TypeRegistry({ json: 'string' }), Oid.jsonb, jsonb), '{"a": [1]}')
    assert.equal(encodeHex(new TypeRegistry(), Oid.jsonb, '{"a": [1]}'), jsonb)
    assert.equal(
      encodeHex(new TypeRegistry(), Oid.json, { a: [1] }),
      Buffer.from('{"a":[1]}').toString('hex'),
    )
    assert.equal(encodeHex(new TypeRegistry(), Oid.json, 'x'), '78')
    assert.throws(() => decode(new TypeRegistry(), Oid.jsonb, '027b7d'), { code: 'ERR_TYPE_DECODE' })
  })

  it('binary: false and textResults choose text format', () => {
    const text = new TypeRegistry({ binary: false })
    assert.equal(text.preferredResult(Oid.int4).format, 0)
    assert.equal(text.param(Oid.int4).format, 0)
    assert.equal(Buffer.from(text.param(Oid.int4).encode(42)).toString(), '42')
    // COPY binary still has its encoders.
    assert.equal(text.binary(Oid.int4)!.format, 1)
    // numeric results come as text by default (faster, same exact value); parameters stay binary.
    const defaults = new TypeRegistry()
    assert.equal(defaults.preferredResult(Oid.numeric).format, 0)
    assert.equal(defaults.preferredResult(Oid.int4).format, 1)
    assert.equal(defaults.param(Oid.numeric).format, 1)
    const mixed = new TypeRegistry({ textResults: ['uuid'] })
    assert.equal(mixed.preferredResult(Oid.uuid).format, 0)
    assert.equal(mixed.preferredResult(Oid.numeric).format, 1)
  })

  it('rejects bad options at construction, naming the option', () => {
    assert.throws(() => new TypeRegistry({ int8: 'float' as never }), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /types\.int8/,
    })
    assert.throws(() => new TypeRegistry({ numerics: 'string' } as never), { message: /types\.numerics/ })
    assert.throws(() => new TypeRegistry({ binary: 'yes' as never }), { message: /types\.binary/ })
    assert.throws(() => new TypeRegistry({ textResults: 'numeric' as never }), {
      message: /types\.textResults/,
    })
  })

  it('typeCodecsFrom: a registry as is, options into a registry, nothing into the shared default', () => {
    const r = new TypeRegistry()
    assert.equal(typeCodecsFrom(r), r)
    assert.equal(typeCodecsFrom(undefined), typeCodecsFrom(undefined))
    assert.equal(typeCodecsFrom(undefined).preferredResult(Oid.int4).format, 1)
    const fromOptions = typeCodecsFrom({ int8: 'number' })
    const b = hex('0000000000000005')
    assert.equal(fromOptions.preferredResult(Oid.int8).decode(b, 0, 8), 5)
  })
})
