import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FastJsonEncoder } from '../../../src/json/encode.js'
import type { JsonSchemaObject } from '../../../src/json/schema-types.js'
import { type Generator, generator } from './random-values.js'

/**
 * The byte writer (src/json/compile-bytes.ts) writes arrays of more than 64 items; the string
 * serializer writes shorter ones. Encoding the same items in chunks of at most 64 gives the
 * string serializer's text, which the byte writer must match byte for byte (errors included).
 */
function outcome(run: () => string): string {
  try {
    return run()
  } catch (error) {
    const { code, message } = error as { code: string; message: string }
    return `throws ${code}: ${message}`
  }
}

function viaStrings(encoder: { encode(value: unknown): string }, items: unknown[]): string {
  const parts: string[] = []
  for (let i = 0; i < items.length; i += 64) parts.push(encoder.encode(items.slice(i, i + 64)).slice(1, -1))
  return `[${parts.join(',')}]`
}

function compare(encoder: { encode(value: unknown): string }, items: unknown[], label: string): string {
  assert.ok(items.length > 64)
  const bytes = outcome(() => encoder.encode(items))
  assert.equal(
    bytes,
    outcome(() => viaStrings(encoder, items)),
    label,
  )
  return bytes
}

const defs: Record<string, JsonSchemaObject> = {
  geo: { type: 'object', properties: { lat: { type: 'number' }, lng: { type: 'number' } } },
  node: {
    type: 'object',
    properties: { v: { type: 'integer' }, kids: { type: 'array', items: { $ref: '#/$defs/node' } } },
  },
}

const schema: JsonSchemaObject = {
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    score: { type: 'number' },
    active: { type: 'boolean' },
    nothing: { type: 'null' },
    note: { type: ['string', 'null'] },
    either: { type: ['integer', 'string'] },
    tags: { type: 'array', items: { type: 'string' } },
    address: {
      type: 'object',
      required: ['city'],
      properties: { street: { type: 'string' }, city: { type: 'string' }, geo: { $ref: '#/$defs/geo' } },
    },
    'naïve "key"': { type: 'integer' },
    meta: {
      type: 'object',
      properties: { a: { type: 'integer' } },
      additionalProperties: { type: 'number' },
    },
    tree: { $ref: '#/$defs/node' },
    pair: { type: 'array', prefixItems: [{ type: 'integer' }, { type: 'string' }] },
    union: { anyOf: [{ type: 'integer' }, { type: 'object', properties: { u: { type: 'string' } } }] },
    color: { enum: ['red', 'green'] },
    raw: {},
  },
  $defs: defs,
}

/** A document that may miss optional members, carry extra ones, and hold values to coerce. */
function randomDocument(g: Generator): Record<string, unknown> {
  const maybe = (make: () => unknown) => (g.next() < 0.7 ? make() : g.next() < 0.5 ? undefined : '__absent')
  const fields: Record<string, unknown> = {
    id: g.next() < 0.998 ? g.number() : g.string(),
    name: g.next() < 0.9 ? g.string() : g.pick([new Date(Date.UTC(2024, 1, 29)), 17, null]),
    score: maybe(g.number),
    active: maybe(() => g.pick([true, false, 0, 'yes'])),
    nothing: maybe(() => null),
    note: maybe(() => (g.next() < 0.5 ? null : g.string())),
    either: maybe(() => (g.next() < 0.5 ? g.number() : g.string())),
    tags: maybe(() => Array.from({ length: g.int(5) }, () => (g.next() < 0.9 ? g.string() : g.number()))),
    address: maybe(() => ({
      city: g.string(),
      ...(g.next() < 0.5 ? { street: g.string() } : {}),
      geo: { lng: g.number(), lat: g.number(), alt: 3 },
    })),
    'naïve "key"': maybe(() => g.int(100)),
    meta: maybe(() => ({ z: g.number(), a: g.int(9), [g.string()]: g.int(5) })),
    tree: maybe(() => ({ v: g.int(9), kids: [{ v: 1, kids: [] }, { v: g.number() }] })),
    pair: maybe(() => [g.number(), g.string(), g.string()]),
    union: maybe(() => (g.next() < 0.5 ? g.int(9) : { u: g.string(), w: 1 })),
    color: maybe(() => g.pick(['red', 'green'])),
    raw: maybe(() => ({ any: [g.string(), g.int(9), null] })),
    extra: maybe(g.string),
  }
  const doc: Record<string, unknown> = {}
  const keys = Object.keys(fields)
  if (g.next() < 0.2) keys.reverse()
  for (const key of keys) if (fields[key] !== '__absent') doc[key] = fields[key]
  return doc
}

describe('FastJsonEncoder.compile: long arrays written as bytes', () => {
  const encoder = FastJsonEncoder.compile({ type: 'array', items: schema, $defs: defs })

  it('matches the string serializer on random documents (seeded)', () => {
    let written = 0
    for (let seed = 1; seed <= 60; seed++) {
      const g = generator(seed)
      // Most runs write whole; a rare bad value (text for the integer id) must fail with the
      // string serializer's error.
      const items = Array.from({ length: 65 + g.int(80) }, () => randomDocument(g))
      if (!compare(encoder, items, `seed ${seed}`).startsWith('throws')) written++
    }
    assert.ok(written >= 40, `${written} of 60 written whole`)
  })

  it('equals JSON.stringify on documents already of the schema shape', () => {
    const rows = FastJsonEncoder.compile({
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          text: { type: 'string' },
          x: { type: 'number' },
          on: { type: 'boolean' },
          list: { type: 'array', items: { type: 'string' } },
        },
      },
    })
    for (let seed = 100; seed < 120; seed++) {
      const g = generator(seed)
      const items = Array.from({ length: 65 + g.int(60) }, () => ({
        id: g.pick([0, -0, 7, 999_999_999, 1e9, 2 ** 40, -3]),
        text: g.string(),
        x: g.pick([0.1, -1e-7, 1e21, 123.456, -0, 5e-324, Number.MAX_VALUE]),
        on: g.next() < 0.5,
        list: Array.from({ length: g.int(4) }, g.string),
      }))
      assert.equal(compare(rows, items, `seed ${seed}`), JSON.stringify(items), `seed ${seed}`)
    }
  })

  const strings = FastJsonEncoder.compile({ type: 'array', items: { type: 'string' } })
  const many = (value: unknown, at = 70) => Array.from({ length: 100 }, (_, i) => (i === at ? value : 'ok'))

  it('decodes as UTF-8 once a byte over 0x7f was written, as Latin-1 otherwise', () => {
    for (const text of [
      'é',
      'ÿ\u0080',
      '😀',
      '\u2028',
      'x'.repeat(30) + 'é',
      '\u007f',
      'a\ud800b',
      '\udc00',
    ]) {
      assert.equal(strings.encode(many(text)), JSON.stringify(many(text)), JSON.stringify(text))
      // The next call starts over: plain ASCII again, then Latin-1 bytes read back as written.
      assert.equal(strings.encode(many('plain')), JSON.stringify(many('plain')))
    }
  })

  it('escapes as JSON.stringify does, short and long strings', () => {
    for (const text of [
      '"',
      '\\',
      '\n',
      '\u0000',
      '\u001f',
      'a"b',
      `${'y'.repeat(30)}"`,
      `${'z'.repeat(30)}\ud83d`,
    ]) {
      assert.equal(strings.encode(many(text)), JSON.stringify(many(text)), JSON.stringify(text))
    }
  })

  it('writes numbers as the string serializer: -0, exponents, large, negative, non-finite, bigint', () => {
    const numbers = FastJsonEncoder.compile({ type: 'array', items: { type: 'number' } })
    const integers = FastJsonEncoder.compile({ type: 'array', items: { type: 'integer' } })
    const values = [-0, 1e21, 1e-7, 5e-324, 1e9, 999_999_999, -1, -1e9, 2 ** 53 + 2, 7.9, -7.9, Number.NaN]
    const list = [
      ...values,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      12n,
      '3.5',
      ...Array(70).fill(1),
    ]
    const asNumbers = compare(numbers, list, 'number')
    assert.match(
      asNumbers,
      /^\[0,1e\+21,1e-7,5e-324,1000000000,999999999,-1,-1000000000,9007199254740994,7\.9,-7\.9,null,null,null,12,3\.5,/,
    )
    const asIntegers = compare(integers, list, 'integer')
    assert.match(
      asIntegers,
      /^\[0,1e\+21,0,0,1000000000,999999999,-1,-1000000000,9007199254740994,7,-7,null,null,null,12,3,/,
    )
    assert.match(
      compare(numbers, [...Array(70).fill(1), 'abc', 2], 'bad'),
      /throws ERR_JSON_ENCODE: .*#\/items.*"abc" is not a number/,
    )
  })

  it('writes Dates as ISO strings and refuses objects for a string', () => {
    const date = new Date(Date.UTC(2026, 10, 30, 12))
    assert.equal(strings.encode(many(date)), JSON.stringify(many(date.toISOString())))
    assert.match(
      compare(strings, many({}), 'object'),
      /throws ERR_JSON_ENCODE: .*cannot be written as a string/,
    )
  })

  it('falls back to the string path when a getter calls the same serializer mid-encode', () => {
    const inner = many('in')
    const items = many('x').map((text, i) => ({ text, i }))
    const rows = FastJsonEncoder.compile({
      type: 'array',
      items: { type: 'object', properties: { text: { type: 'string' }, nested: { type: 'string' } } },
    })
    Object.defineProperty(items[80], 'nested', { get: () => rows.encode(inner.map((text) => ({ text }))) })
    const nested = JSON.stringify(inner.map((text) => ({ text })))
    const expected = items.map((item, i) => (i === 80 ? { text: item.text, nested } : { text: item.text }))
    assert.equal(rows.encode(items), JSON.stringify(expected))
  })

  it('leaves the buffer reusable after a throw mid-write', () => {
    const rows = FastJsonEncoder.compile({
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'integer' }, s: { type: 'string' } },
      },
    })
    const good = Array.from({ length: 90 }, (_, i) => ({ id: i, s: i % 7 ? 'abc' : 'é😀' }))
    const missing = good.map((row, i) => (i === 80 ? { s: 'x' } : row))
    const throwing = good.map((row, i) =>
      i === 85
        ? Object.defineProperty({ id: 1 }, 's', { get: () => assert.fail('boom'), enumerable: true })
        : row,
    )
    assert.throws(() => rows.encode(missing), { code: 'ERR_JSON_ENCODE', message: /"id" is missing/ })
    assert.equal(
      rows.encode(good.slice(0, 70).map(({ id }) => ({ id }))),
      JSON.stringify(good.slice(0, 70).map(({ id }) => ({ id }))),
    )
    assert.throws(() => rows.encode(throwing), /boom/)
    assert.equal(rows.encode(good), JSON.stringify(good))
  })

  it('follows $ref through the byte writer, with the cycle guard', () => {
    const trees = FastJsonEncoder.compile({
      type: 'array',
      items: { $ref: '#/$defs/node' },
      $defs: {
        node: {
          type: 'object',
          properties: { v: { type: 'integer' }, kids: { type: 'array', items: { $ref: '#/$defs/node' } } },
        },
      },
    })
    const items = Array.from({ length: 70 }, (_, i) => ({ v: i, kids: [{ v: i + 1, kids: [] }, { v: '2' }] }))
    assert.equal(
      compare(trees, items, 'trees'),
      JSON.stringify(items.map((t) => ({ ...t, kids: [t.kids[0], { v: 2 }] }))),
    )
    const node: Record<string, unknown> = { v: 1 }
    node.kids = [node]
    assert.match(compare(trees, [...items, node], 'cycle'), /throws ERR_JSON_CYCLE: .*#\/items/)
  })
  it('untyped items: JSON.stringify whole, item by item when it throws or the array has toJSON', () => {
    const any = FastJsonEncoder.compile({ type: 'array', items: {} })
    const items = Array.from({ length: 80 }, (_, i) => [i, 'é', { a: null }, undefined, () => 1, -0][i % 6])
    assert.equal(compare(any, items, 'any'), JSON.stringify(items))
    const withBigint = [...items, 1n]
    assert.match(compare(any, withBigint, 'bigint'), /throws ERR_JSON_ENCODE: .*#\/items/)
    const withToJSON = Object.assign([...items], { toJSON: () => 'not this' })
    assert.equal(any.encode(withToJSON), JSON.stringify(items))
  })
})
