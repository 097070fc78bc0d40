import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FastJsonEncoder } from '../../../src/json/encode.js'
import type { JsonSchemaObject } from '../../../src/json/schema-types.js'

describe('FastJsonEncoder', () => {
  it('matches JSON.stringify by default, and in pretty mode', () => {
    const value = {
      a: [1, 'x', null, undefined, () => 1],
      b: { c: new Date(0), d: undefined },
      e: -0,
      f: Number.NaN,
    }
    assert.equal(new FastJsonEncoder().encode(value), JSON.stringify(value))
    assert.equal(new FastJsonEncoder({ pretty: true }).encode(value), JSON.stringify(value, null, 2))
    assert.equal(
      new FastJsonEncoder({ pretty: 4, sortKeys: true }).encode({ b: [1, {}], a: [] }),
      '{\n    "a": [],\n    "b": [\n        1,\n        {}\n    ]\n}',
    )
    assert.deepEqual(new FastJsonEncoder().encodeToBuffer({ é: 1 }), Buffer.from('{"é":1}'))
  })

  it('sorts keys by UTF-16 code units at every level, keeping JSON.stringify semantics', () => {
    const value = {
      b: 1,
      a: { z: [{ y: 1, x: 2 }], '\u20ac': 1, '\ud83d\ude00': 2, '\ufb33': 3 },
      c: undefined,
    }
    assert.equal(
      new FastJsonEncoder({ sortKeys: true }).encode(value),
      '{"a":{"z":[{"x":2,"y":1}],"\u20ac":1,"\ud83d\ude00":2,"\ufb33":3},"b":1}',
    )
    const withToJson = { t: { toJSON: (key: string) => `key:${key}` }, n: new Number(3), s: new String('s') }
    assert.equal(new FastJsonEncoder({ sortKeys: true }).encode(withToJson), '{"n":3,"s":"s","t":"key:t"}')
  })

  it('sorted output escapes member strings and reuses cached key orders correctly', () => {
    const sorted = new FastJsonEncoder({ sortKeys: true })
    const pretty = new FastJsonEncoder({ sortKeys: true, pretty: 2 })
    const long = `${'x'.repeat(50)}\n`
    for (const text of ['plain', 'a"b\\c', '\u0001', '\ud800', long, `${'y'.repeat(6000)}`]) {
      const value = { c: text, b: 2, a: text, d: undefined }
      const expected = { a: text, b: 2, c: text }
      assert.equal(sorted.encode(value), JSON.stringify(expected))
      assert.equal(pretty.encode(value), JSON.stringify(expected, null, 2))
    }
    // Same first key, different key lists: each gets its own order.
    assert.equal(
      sorted.encode([{ k: 1, b: 2 }, { k: 1, a: 2 }, { k: 1 }]),
      '[{"b":2,"k":1},{"a":2,"k":1},{"k":1}]',
    )
    assert.throws(() => new FastJsonEncoder({ canonical: true }).encode({ b: 'x', a: '\udc00' }), {
      code: 'ERR_JSON_ENCODE',
      message: /"\/a"/,
    })
  })

  it('reports cycles with ERR_JSON_CYCLE and the path, in every mode', () => {
    const value: Record<string, unknown> = { list: [{}] }
    ;(value.list as Record<string, unknown>[])[0]!.back = value
    for (const options of [{}, { sortKeys: true }, { pretty: true }, { canonical: true }]) {
      assert.throws(
        () => new FastJsonEncoder(options).encode(value),
        (e: Error & { code?: string }) => {
          return e.code === 'ERR_JSON_CYCLE' && e.message.includes('"/list/0/back"')
        },
      )
    }
    const shared = { x: 1 }
    assert.equal(
      new FastJsonEncoder({ sortKeys: true }).encode([shared, shared]),
      '[{"x":1},{"x":1}]',
      'a repeat is not a cycle',
    )
  })

  it("handles bigint as configured, never with JSON.stringify's TypeError", () => {
    assert.throws(() => new FastJsonEncoder().encode({ n: [1n] }), {
      code: 'ERR_JSON_ENCODE',
      message: /"\/n\/0"/,
    })
    assert.equal(
      new FastJsonEncoder({ bigint: 'string' }).encode({ n: 2n ** 64n }),
      '{"n":"18446744073709551616"}',
    )
    assert.equal(
      new FastJsonEncoder({ bigint: 'number', sortKeys: true }).encode({ n: -(2n ** 64n) }),
      '{"n":-18446744073709551616}',
    )
    assert.throws(() => new FastJsonEncoder().encode(undefined), { code: 'ERR_JSON_ENCODE' })
  })

  it('writes lone surrogates escaped (ES2019 well-formed JSON.stringify)', () => {
    assert.equal(
      new FastJsonEncoder({ sortKeys: true }).encode(['\ud800', 'a\udfffb']),
      '["\\ud800","a\\udfffb"]',
    )
    assert.equal(new FastJsonEncoder().encode('\ud83d\ude00'), '"\ud83d\ude00"')
  })

  it('canonical: RFC 8785 numbers (§3.2.2.3 and Appendix B) and refusals', () => {
    const canonical = new FastJsonEncoder({ canonical: true })
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '0'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [9007199254740992, '9007199254740992'],
      [-9007199254740992, '-9007199254740992'],
      [295147905179352830000, '295147905179352830000'],
      [1e21, '1e+21'],
      [1e-7, '1e-7'],
      [0.000001, '0.000001'],
      [333333333.3333333, '333333333.3333333'],
    ]
    for (const [n, text] of cases) assert.equal(canonical.encode(n), text)
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '\ud800', { k: '\udc00' }]) {
      assert.throws(() => canonical.encode(bad), { code: 'ERR_JSON_ENCODE' })
    }
  })

  it('validates its options, naming the option', () => {
    for (const [options, name] of [
      [{ pretty: 11 }, 'pretty'],
      [{ pretty: 'yes' }, 'pretty'],
      [{ sortKeys: 1 }, 'sortKeys'],
      [{ bigint: 'drop' }, 'bigint'],
      [{ canonical: true, pretty: true }, 'pretty'],
      [{ canonical: true, bigint: 'number' }, 'bigint'],
    ] as const) {
      assert.throws(
        () => new FastJsonEncoder(options as never),
        (e: Error & { code?: string }) => {
          return e.code === 'ERR_INVALID_ARGUMENT' && e.message.includes(name)
        },
      )
    }
  })
})

describe('FastJsonEncoder.compile (schema serializer)', () => {
  const schema: JsonSchemaObject = {
    type: 'object',
    required: ['id', 'name'],
    properties: {
      id: { type: 'integer' },
      name: { type: 'string' },
      score: { type: 'number' },
      active: { type: 'boolean' },
      tags: { type: 'array', items: { type: 'string' } },
      pair: { type: 'array', prefixItems: [{ type: 'integer' }, { type: 'string' }] },
      note: { type: ['string', 'null'] },
      meta: { type: 'object', additionalProperties: { type: 'integer' } },
      tree: { $ref: '#/$defs/node' },
      raw: {},
    },
    $defs: {
      node: {
        type: 'object',
        properties: { v: { type: 'integer' }, kids: { type: 'array', items: { $ref: '#/$defs/node' } } },
      },
    },
  } as const
  const encoder = FastJsonEncoder.compile(schema)

  it('writes only schema properties, coerced to the schema types', () => {
    const out = encoder.encode({
      name: 42,
      id: '7.9',
      score: '2.5',
      active: 1,
      tags: ['a', 2],
      pair: [1.5, 3, 'extra'],
      note: null,
      meta: { a: '3', b: 4.2 },
      secret: 'never written',
    })
    assert.equal(
      out,
      '{"id":7,"name":"42","score":2.5,"active":true,"tags":["a","2"],"pair":[1,"3","extra"],"note":null,"meta":{"a":3,"b":4}}',
    )
  })

  it('escapes strings correctly, including lone surrogates and long strings', () => {
    const long = 'x'.repeat(100) + '"\n\u0001'
    const huge = `${'y'.repeat(6000)}\ud800`
    for (const name of ['a"b\\c', 'tab\tnl\n', '\ud800', 'ok\udfff', '😀', long, huge, '\u2028\u2029']) {
      const out = encoder.encode({ id: 1, name })
      assert.equal(out, JSON.stringify({ id: 1, name }))
      assert.deepEqual(JSON.parse(out), { id: 1, name })
      // Strings as array items, first and later, and as a member after an optional one.
      const value = { id: 1, name: 'n', tags: [name, 'ok', name], note: name }
      assert.equal(encoder.encode(value), JSON.stringify(value))
    }
  })

  it('equals JSON.stringify on documents that conform to the schema', () => {
    const doc = {
      id: 1,
      name: 'n',
      score: 0.1,
      active: false,
      tags: [],
      note: 'x',
      meta: {},
      tree: { v: 1, kids: [{ v: 2, kids: [] }, { v: 3 }] },
      raw: { any: ['thing', null] },
    }
    assert.equal(encoder.encode(doc), JSON.stringify(doc))
    assert.deepEqual(encoder.encodeToBuffer(doc), Buffer.from(JSON.stringify(doc)))
  })

  it('fails clearly: missing required, wrong container, non-numbers, data cycles through $ref', () => {
    assert.throws(() => encoder.encode({ id: 1 }), { code: 'ERR_JSON_ENCODE', message: /"name" is missing/ })
    assert.throws(() => encoder.encode([]), { code: 'ERR_JSON_ENCODE' })
    assert.throws(() => encoder.encode({ id: 'x', name: '' }), {
      code: 'ERR_JSON_ENCODE',
      message: /properties\/id/,
    })
    assert.throws(() => encoder.encode({ id: 1, name: '', tags: 'no' }), { code: 'ERR_JSON_ENCODE' })
    const node: Record<string, unknown> = { v: 1 }
    node.kids = [node]
    assert.throws(() => encoder.encode({ id: 1, name: '', tree: node }), { code: 'ERR_JSON_CYCLE' })
    assert.throws(() => FastJsonEncoder.compile({ $ref: 'http://x/y' }), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => FastJsonEncoder.compile(null as never), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('long arrays: written by the schema whatever the shape of their items', () => {
    const rows = FastJsonEncoder.compile({
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'integer' },
          name: { type: ['string', 'null'] },
          tags: { type: 'array', items: { type: 'string' } },
        },
      },
    })
    const exact = Array.from({ length: 200 }, (_, i) => ({
      id: i,
      name: i % 2 ? `n${i}` : null,
      tags: ['a'],
    }))
    assert.equal(rows.encode(exact), JSON.stringify(exact))
    const expected = (list: Record<string, unknown>[]) =>
      JSON.stringify(list.map((r) => ({ id: Math.trunc(Number(r.id)), name: r.name, tags: r.tags })))
    const cases: [string, (row: Record<string, unknown>) => void][] = [
      ['an extra member', (row) => void (row.secret = 'x')],
      [
        'members out of schema order',
        (row) => {
          delete row.id
          row.id = 5
        },
      ],
      ['a value to coerce', (row) => void (row.id = '7.5')],
      ['a class instance', (row) => Object.setPrototypeOf(row, class Row {}.prototype)],
      ['an undefined optional member', (row) => void (row.name = undefined)],
      ['an absent optional member', (row) => void delete row.tags],
    ]
    for (const [label, change] of cases) {
      const list = exact.map((r) => ({ ...r }) as Record<string, unknown>)
      change(list[150]!)
      const plainRow = { ...list[150]! }
      assert.equal(rows.encode(list), expected(list.map((r, i) => (i === 150 ? plainRow : r))), label)
    }
    const missing = exact.map((r) => ({ ...r }) as Record<string, unknown>)
    delete missing[99]!.id
    assert.throws(() => rows.encode(missing), { code: 'ERR_JSON_ENCODE', message: /"id" is missing/ })
  })

  it('long arrays: the item writer where JSON.stringify would leave out or call what the schema reads', () => {
    const rows = FastJsonEncoder.compile({
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } }, raw: {} },
      },
    })
    const list = (): Record<string, unknown>[] =>
      Array.from({ length: 100 }, (_, i) => ({ id: i, tags: ['a'] }))
    const written = (items: unknown[]) => `[${items.map((item) => JSON.stringify(item)).join(',')}]`
    // A member that is not enumerable: the serializer reads members by name.
    const hidden = list()
    Object.defineProperty(hidden[50], 'raw', { value: 'seen', enumerable: false })
    assert.equal(rows.encode(hidden), written(list().map((r, i) => (i === 50 ? { ...r, raw: 'seen' } : r))))
    // toJSON on an inner or the outer array: the serializer writes the items.
    const inner = list()
    inner[50]!.tags = Object.assign(['a'], { toJSON: () => 'x' })
    assert.equal(rows.encode(inner), written(list()))
    const outer = Object.assign(list(), { toJSON: () => [] })
    assert.equal(rows.encode(outer), written(list()))
    // An untyped member holding a function: null from the serializer, left out by JSON.stringify.
    const fn = list()
    fn[50]!.raw = () => 1
    assert.equal(rows.encode(fn), written(list().map((r, i) => (i === 50 ? { ...r, raw: null } : r))))
  })

  it('picks anyOf variants by JSON type', () => {
    const union = FastJsonEncoder.compile({
      anyOf: [
        { type: 'integer' },
        { type: 'string' },
        { type: 'object', properties: { a: { type: 'string' } } },
      ],
    })
    assert.equal(union.encode(3), '3')
    assert.equal(union.encode('s'), '"s"')
    assert.equal(union.encode({ a: 'x', b: 1 }), '{"a":"x"}')
    const scalars = FastJsonEncoder.compile({
      anyOf: [
        { type: 'boolean' },
        { type: 'null' },
        { type: 'array', items: { type: 'string' } },
        { type: 'number' },
      ],
    })
    assert.deepEqual(
      [false, null, [1, 'a'], 2.5].map((v) => scalars.encode(v)),
      ['false', 'null', '["1","a"]', '2.5'],
    )
  })

  it('a type list writes each value as its own JSON type, the last type coercing the rest', () => {
    const mixed = FastJsonEncoder.compile({
      type: 'array',
      items: { type: ['number', 'boolean', 'null', 'array', 'string'], items: { type: 'integer' } },
    })
    const items = [1.5, true, null, [2.7, 3], 's']
    const text = '1.5,true,null,[2,3],"s"'
    assert.equal(mixed.encode(items), `[${text}]`)
    // Over 64 items the byte writer takes over: the same choices, byte for byte.
    const long = Array.from({ length: 20 }, () => items).flat()
    assert.equal(mixed.encode(long), `[${Array.from({ length: 20 }, () => text).join(',')}]`)
    // An object is none of the listed types: the last one (string) cannot take it.
    for (const list of [[{ a: 1 }], [...long, { a: 1 }]]) {
      assert.throws(() => mixed.encode(list), { code: 'ERR_JSON_ENCODE' })
    }
  })
})
