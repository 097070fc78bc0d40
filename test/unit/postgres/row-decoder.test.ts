import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { textCodecs } from '../../../src/postgres/codecs.js'
import { BackendParser } from '../../../src/postgres/protocol/backend.js'
import type { DataRowMessage } from '../../../src/postgres/protocol/messages.js'
import { buildStatement, makeResult } from '../../../src/postgres/query-handlers.js'
import { compileRowDecoder } from '../../../src/postgres/row-decoder.js'
import { TypeRegistry } from '../../../src/postgres/types/registry.js'
import { dataRow, field } from './protocol/backend-encoder.js'

function parseRow(columns: (Buffer | string | null)[]): DataRowMessage {
  const parser = new BackendParser()
  parser.feed(dataRow(columns))
  return parser.read() as DataRowMessage
}

describe('compiled row decoders', () => {
  const fields = [field('id', 23), field('name', 25), field('ok', 16), field('big', 20), field('doc', 3802)]
  const codecs = fields.map((f) => textCodecs.result(f.typeOid))

  it('decode a DataRow into an object with the text codecs', () => {
    const decode = compileRowDecoder(fields, codecs, 'object')
    const row = parseRow(['7', 'ann', 't', '9223372036854775807', '{"a":[1]}'])
    assert.deepEqual(decode(row.buffer, row.start), {
      id: 7,
      name: 'ann',
      ok: true,
      big: 9223372036854775807n,
      doc: { a: [1] },
    })
  })

  it('decode NULLs and empty strings, and rows as arrays', () => {
    const decode = compileRowDecoder(fields, codecs, 'array')
    const row = parseRow([null, '', 'f', null, null])
    assert.deepEqual(decode(row.buffer, row.start), [null, '', false, null, null])
  })

  it('treat hostile column names as data', () => {
    const f = [field('__proto__', 25), field('constructor', 25), field('a"]; throw 1; //', 25)]
    const decode = compileRowDecoder(
      f,
      f.map(() => textCodecs.result(25)),
      'object',
    )
    const row = parseRow(['x', 'y', 'z'])
    const obj = decode(row.buffer, row.start) as Record<string, unknown>
    assert.equal(Object.getPrototypeOf(obj), Object.prototype)
    assert.deepEqual(Object.entries(obj), [
      ['__proto__', 'x'],
      ['constructor', 'y'],
      ['a"]; throw 1; //', 'z'],
    ])
  })

  it('let a later duplicate column win', () => {
    const f = [field('id', 23), field('id', 23)]
    const decode = compileRowDecoder(
      f,
      f.map(() => textCodecs.result(23)),
      'object',
    )
    const row = parseRow(['1', '2'])
    assert.deepEqual(decode(row.buffer, row.start), { id: 2 })
  })
})

describe('text codecs', () => {
  it('decode floats with NaN and infinities, and bytea hex', () => {
    const b = Buffer.from('NaN-Infinity\\x00ff')
    assert.ok(Number.isNaN(textCodecs.result(701).decode(b, 0, 3)))
    assert.equal(textCodecs.result(701).decode(b, 3, 9), Number.NEGATIVE_INFINITY)
    assert.deepEqual(textCodecs.result(17).decode(b, 12, 6), Buffer.from([0, 255]))
  })

  it('encode parameters as text', () => {
    const enc = (v: unknown) => Buffer.from(textCodecs.param(0).encode(v)).toString()
    assert.equal(enc('s'), 's')
    assert.equal(enc(12n), '12')
    assert.equal(enc(true), 'true')
    assert.equal(enc(Buffer.from('ab')), 'ab')
    assert.equal(new Date(enc(new Date(0))).getTime(), 0)
    assert.equal(enc({ a: 1 }), '{"a":1}')
    assert.throws(() => enc(Symbol('x')), { code: 'ERR_TYPE_ENCODE' })
  })
})

describe('query results', () => {
  it('take rowCount and command from the CommandComplete tag', () => {
    assert.equal(makeResult([], 'INSERT 0 5', []).rowCount, 5)
    assert.equal(makeResult([], 'INSERT 0 5', []).command, 'INSERT')
    assert.equal(makeResult([1, 2], 'SELECT 2', []).rowCount, 2)
    assert.equal(makeResult([], 'CREATE TABLE', []).rowCount, null)
    assert.equal(makeResult([], '', []).command, '')
  })
})

describe('statements with the binary type registry', () => {
  const types = new TypeRegistry()
  const described = [
    field('id', 23),
    field('big', 20),
    field('name', 25),
    field('score', 701),
    field('ok', 16),
    field('tags', 1009),
    field('mood', 99999),
  ]

  it('request binary results where a codec exists and decode a binary DataRow', () => {
    const st = buildStatement('s1', 'select ...', [23, 1009], described, types, 'object')
    assert.deepEqual(st.resultFormats, [1, 1, 1, 1, 1, 1, 0])
    assert.deepEqual(st.paramFormats, [1, 1])
    const int4 = Buffer.from([0xff, 0xff, 0xff, 0xfe])
    const int8 = Buffer.from('8000000000000000', 'hex')
    const float8 = Buffer.alloc(8)
    float8.writeDoubleBE(-0.5)
    const tags = Buffer.from(types.binary(1009)!.encode(['a', null, 'ü😀']))
    const row = parseRow([int4, int8, 'ann', float8, Buffer.from([1]), tags, 'happy'])
    assert.deepEqual(st.decoder!(row.buffer, row.start), {
      id: -2,
      big: -(2n ** 63n),
      name: 'ann',
      score: -0.5,
      ok: true,
      tags: ['a', null, 'ü😀'],
      mood: 'happy',
    })
  })

  it('name the parameter position, not the value, when a value does not fit its type', () => {
    const st = buildStatement('s2', 'select $1, $2', [23, 20], [], types, 'object')
    assert.equal(st.decoder, undefined)
    assert.deepEqual([...st.paramCodecs[0]!.encode(7)], [0, 0, 0, 7])
    assert.throws(
      () => st.paramCodecs[1]!.encode({ password: 'hunter2' }),
      (err: Error & { code: string; cause: unknown }) => {
        assert.equal(err.code, 'ERR_TYPE_ENCODE')
        assert.match(err.message, /^parameter \$2: cannot encode the value as int8/)
        assert.doesNotMatch(err.message, /hunter2/)
        assert.ok(err.cause instanceof Error)
        return true
      },
    )
  })
})
