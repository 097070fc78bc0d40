import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FastJsonDecoder } from '../../../src/json/decode.js'
import { JsonParseError } from '../../../src/json/parse-error.js'

const POISON = [
  '{"__proto__":{"isAdmin":true}}',
  '{"a":{"__proto__":{"isAdmin":true}}}',
  '[{"x":[{"__proto__":{"isAdmin":true}}]}]',
  '{"\\u005f_proto__":{"isAdmin":true}}',
  '{"__pr\\u006Fto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  '{"a":1,"constructor":{"prototype":{"isAdmin":true}}}',
  '{"c\\u006fnstructor":{"prototype":{"isAdmin":true}}}',
]

describe('FastJsonDecoder: prototype poisoning', () => {
  for (const strict of [false, true]) {
    it(`refuses every payload with ERR_JSON_UNSAFE (strict: ${strict})`, () => {
      const decoder = new FastJsonDecoder({ strict })
      for (const payload of POISON) {
        assert.throws(() => decoder.decode(payload), { code: 'ERR_JSON_UNSAFE' }, payload)
      }
      assert.equal(({} as Record<string, unknown>).isAdmin, undefined)
    })
    it(`strips them with protoAction: 'remove' (strict: ${strict})`, () => {
      const decoder = new FastJsonDecoder({ strict, protoAction: 'remove' })
      assert.deepEqual(decoder.decode('{"a":1,"__proto__":{"x":1},"b":{"constructor":{"prototype":1}}}'), {
        a: 1,
        b: {},
      })
    })
  }
  it('keeps harmless look-alikes', () => {
    const decoder = new FastJsonDecoder()
    assert.deepEqual(decoder.decode('{"constructor":"x","proto":1,"s":"__proto__"}'), {
      constructor: 'x',
      proto: 1,
      s: '__proto__',
    })
    assert.deepEqual(decoder.decode('{"constructor":{"name":"x"}}'), { constructor: { name: 'x' } })
  })
  it("keeps them as own members with protoAction: 'ignore', never as the prototype", () => {
    const value = new FastJsonDecoder({ protoAction: 'ignore' }).decode<Record<string, unknown>>(POISON[0]!)
    assert.equal(Object.getPrototypeOf(value), Object.prototype)
    assert.ok(Object.hasOwn(value, '__proto__'))
  })
})

describe('FastJsonDecoder: depth', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000)
  it('refuses 100k nested arrays with ERR_JSON_DEPTH and no stack overflow', () => {
    for (const strict of [false, true]) {
      assert.throws(() => new FastJsonDecoder({ strict }).decode(deep), { code: 'ERR_JSON_DEPTH' })
      assert.throws(() => new FastJsonDecoder({ strict }).decode('{"a":'.repeat(100_000)), {
        code: 'ERR_JSON_DEPTH',
      })
    }
  })
  it('accepts exactly maxDepth levels and refuses one more', () => {
    for (const strict of [false, true]) {
      const decoder = new FastJsonDecoder({ strict, maxDepth: 3 })
      assert.deepEqual(decoder.decode('[[{}]]'), [[{}]])
      assert.throws(() => decoder.decode('[[[[]]]]'), { code: 'ERR_JSON_DEPTH' })
      assert.throws(() => decoder.decode(`[[[[]]]]${' '.repeat(20)}`), { code: 'ERR_JSON_DEPTH' })
      assert.deepEqual(decoder.decode(`["[[[[[[[[", "\\"[[[[[[", [[1]]]${' '.repeat(20)}`), [
        '[[[[[[[[',
        '"[[[[[[',
        [[1]],
      ])
    }
  })
  it('a huge maxDepth, or Infinity, parses 100k deep without overflowing the stack', () => {
    assert.ok(Array.isArray(new FastJsonDecoder({ strict: true, maxDepth: 200_000 }).decode(deep)))
    for (const strict of [false, true]) {
      const decoder = new FastJsonDecoder({ strict, maxDepth: Number.POSITIVE_INFINITY })
      assert.ok(Array.isArray(decoder.decode(deep)))
      assert.throws(() => decoder.decode(`${deep}]`), { code: 'ERR_JSON_PARSE' })
    }
  })
})

describe('FastJsonDecoder: errors point at the text', () => {
  it('gives line, column and an excerpt', () => {
    const text = '{\n  "a": 1,\n  "b": tru\n}'
    assert.throws(
      () => new FastJsonDecoder().decode(text),
      (e: unknown) =>
        e instanceof JsonParseError &&
        e.code === 'ERR_JSON_PARSE' &&
        e.line === 3 &&
        e.column === 8 &&
        e.message.includes('line 3, column 8') &&
        e.message.includes('tru'),
    )
    assert.throws(() => new FastJsonDecoder().decode('[1,2'), /Unexpected end of JSON input/)
    assert.throws(() => new FastJsonDecoder().decode(''), { code: 'ERR_JSON_PARSE' })
  })
  it('rejects duplicate keys only in strict mode', () => {
    assert.deepEqual(new FastJsonDecoder().decode('{"a":1,"a":2}'), { a: 2 })
    assert.throws(
      () => new FastJsonDecoder({ strict: true }).decode('{"a":1,"a":2}'),
      /Duplicate member name "a"/,
    )
  })
  it('validates its options, naming the option', () => {
    for (const [options, name] of [
      [{ maxDepth: 0 }, 'maxDepth'],
      [{ protoAction: 'drop' }, 'protoAction'],
      [{ bigint: 'string' }, 'bigint'],
      [{ decimals: 1 }, 'decimals'],
      [{ strict: 'yes' }, 'strict'],
    ] as const) {
      assert.throws(
        () => new FastJsonDecoder(options as never),
        (e: Error & { code?: string }) => {
          return e.code === 'ERR_INVALID_ARGUMENT' && e.message.includes(name)
        },
      )
    }
    assert.throws(() => new FastJsonDecoder().decode(42 as never), { code: 'ERR_INVALID_ARGUMENT' })
  })
})

describe('FastJsonDecoder: numbers and text at the edges', () => {
  it('keeps -0, rounds 2^53+1 by default and keeps it exact with bigint: lossless', () => {
    const value = new FastJsonDecoder().decode<number[]>('[-0, 9007199254740993, 1e400, -1e400, 1e-400]')
    assert.ok(Object.is(value[0], -0))
    assert.equal(value[1], 9007199254740992)
    assert.deepEqual(value.slice(2), [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0])
    const lossless = new FastJsonDecoder({ bigint: 'lossless' }).decode<unknown[]>(
      '[9007199254740993, -9007199254740993, 9007199254740991, 1.5, 123456789012345678901234567890]',
    )
    assert.deepEqual(lossless, [
      9007199254740993n,
      -9007199254740993n,
      9007199254740991,
      1.5,
      123456789012345678901234567890n,
    ])
    const decimals = new FastJsonDecoder({ decimals: 'string' }).decode('{"price":0.10,"big":1e400,"n":3}')
    assert.deepEqual(decimals, { price: '0.10', big: '1e400', n: 3 })
  })
  it('strict mode refuses numbers that overflow to Infinity', () => {
    assert.throws(() => new FastJsonDecoder({ strict: true }).decode('[1e400]'), /Number out of range/)
  })
  it('handles lone surrogates: kept by default, refused in strict mode', () => {
    assert.equal(new FastJsonDecoder().decode('"\\ud800"'), '\ud800')
    assert.equal(new FastJsonDecoder({ strict: true }).decode('"\\ud83d\\ude00"'), '😀')
    for (const bad of ['"\\ud800"', '"\\udc00"', '"\\ude00\\ud83d"', '"\ud800"', '"\\ud800\\u0041"']) {
      assert.throws(() => new FastJsonDecoder({ strict: true }).decode(bad), { code: 'ERR_JSON_PARSE' }, bad)
    }
  })
  it('decodes Buffers: BOM skipped by default, refused in strict mode; invalid UTF-8 refused in strict', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf, 0x5b, 0x31, 0x5d])
    assert.deepEqual(new FastJsonDecoder().decode(bom), [1])
    assert.throws(() => new FastJsonDecoder({ strict: true }).decode(bom), { code: 'ERR_JSON_PARSE' })
    assert.throws(
      () => new FastJsonDecoder({ strict: true }).decode(Buffer.from([0x22, 0xff, 0x22])),
      /UTF-8/,
    )
    assert.deepEqual(new FastJsonDecoder({ strict: true }).decode(new TextEncoder().encode('{"é":"ü"}')), {
      é: 'ü',
    })
  })
})
