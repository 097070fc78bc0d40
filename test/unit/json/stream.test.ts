import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { describe, it } from 'node:test'
import { decodeBatch, encodeBatch } from '../../../src/json/batch.js'
import { decodeStream, encodeStream, JsonStreamItemError } from '../../../src/json/stream.js'

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const value of iterable) out.push(value)
  return out
}

/** The text as chunks cut at the given byte offsets. */
function cut(text: string, ...offsets: number[]): Buffer[] {
  const bytes = Buffer.from(text)
  const points = [0, ...offsets, bytes.length]
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end))
}

const ITEMS = [
  { a: 'x"y\\' },
  [1, [2, { b: ']' }]],
  'str,with]brackets\\"',
  -0.5,
  null,
  true,
  { é: '😀', '\\': '\\\\' },
]
const ARRAY_TEXT = ` [ ${ITEMS.map((v) => JSON.stringify(v)).join(' ,\n ')} ] \n`
const NDJSON_TEXT = `${ITEMS.map((v) => JSON.stringify(v)).join('\n')}\n\n`

describe('decodeStream', () => {
  it('decodes a top-level array split at every byte offset (and at every pair of offsets)', async () => {
    const length = Buffer.byteLength(ARRAY_TEXT)
    for (let a = 0; a <= length; a++) {
      assert.deepEqual(await collect(decodeStream(cut(ARRAY_TEXT, a))), ITEMS, `split at ${a}`)
      assert.deepEqual(await collect(decodeStream(cut(ARRAY_TEXT, a), { format: 'array' })), ITEMS)
    }
    for (let a = 0; a <= length; a += 3) {
      for (let b = a; b <= length; b += 5)
        assert.deepEqual(await collect(decodeStream(cut(ARRAY_TEXT, a, b))), ITEMS)
    }
    const oneByteChunks = [...Buffer.from(ARRAY_TEXT)].map((byte) => Buffer.from([byte]))
    assert.deepEqual(await collect(decodeStream(oneByteChunks)), ITEMS)
  })

  it('decodes NDJSON split at every byte offset, from strings too', async () => {
    for (let a = 0; a <= Buffer.byteLength(NDJSON_TEXT); a++) {
      assert.deepEqual(await collect(decodeStream(cut(NDJSON_TEXT, a))), ITEMS, `split at ${a}`)
    }
    assert.deepEqual(await collect(decodeStream(['{"a":1}\r\n[2]', '\n3'], { format: 'ndjson' })), [
      { a: 1 },
      [2],
      3,
    ])
    assert.deepEqual(await collect(decodeStream(Readable.from([Buffer.from('[]')]))), [])
    assert.deepEqual(await collect(decodeStream([])), [])
  })

  it('reports the position of a malformed item, or skips it with skipInvalid', async () => {
    const ndjson = '{"ok":1}\n{"bad":}\n{"ok":2}\n'
    await assert.rejects(collect(decodeStream([ndjson])), (e: unknown) => {
      return (
        e instanceof JsonStreamItemError && e.line === 2 && e.index === 1 && /NDJSON line 2/.test(e.message)
      )
    })
    const skipped: JsonStreamItemError[] = []
    const values = await collect(
      decodeStream([ndjson], { skipInvalid: true, onInvalid: (e) => skipped.push(e) }),
    )
    assert.deepEqual(values, [{ ok: 1 }, { ok: 2 }])
    assert.equal(skipped[0]?.line, 2)
    const array = '[1, {"x": tru}, 3]'
    await assert.rejects(collect(decodeStream([array])), (e: unknown) => {
      return e instanceof JsonStreamItemError && e.index === 1 && e.offset === 4 && /byte 4/.test(e.message)
    })
    assert.deepEqual(await collect(decodeStream([array], { skipInvalid: true })), [1, 3])
    // Leading blank chunks still count for line numbers when the format is detected.
    await assert.rejects(collect(decodeStream(['\n', ' \n', '{"a":}\n'])), (e: unknown) => {
      return e instanceof JsonStreamItemError && e.line === 3 && e.index === 0
    })
  })

  it('applies the decoder safety defaults to every item', async () => {
    await assert.rejects(collect(decodeStream(['[{"__proto__":{"x":1}}]'])), { code: 'ERR_JSON_UNSAFE' })
    await assert.rejects(collect(decodeStream([`${'['.repeat(5)}${']'.repeat(5)}`], { maxDepth: 3 })), {
      code: 'ERR_JSON_DEPTH',
    })
  })

  it('fails a cut or trailing-garbage array and bounds item size', async () => {
    await assert.rejects(
      collect(decodeStream(['[1, 2'], { format: 'array' })),
      /ended inside the top-level array/,
    )
    await assert.rejects(collect(decodeStream(['[1] x'])), /after the top-level array/)
    await assert.rejects(
      collect(decodeStream(['{"a":1}'], { format: 'array' })),
      /does not start with a JSON array/,
    )
    const big = [`["${'x'.repeat(100)}`, `${'x'.repeat(100)}"]`]
    await assert.rejects(collect(decodeStream(big, { maxItemBytes: 150 })), /maxItemBytes/)
    await assert.rejects(
      collect(decodeStream([`{"a":"${'y'.repeat(200)}`], { maxItemBytes: 150 })),
      /maxItemBytes/,
    )
  })

  it('pulls chunks only as the consumer asks (backpressure)', async () => {
    let pulled = 0
    async function* source() {
      for (let i = 0; i < 1000; i++) {
        pulled++
        yield `{"i":${i}}\n`
      }
    }
    const iterator = decodeStream<{ i: number }>(source())
    const first = await iterator.next()
    assert.deepEqual(first.value, { i: 0 })
    assert.ok(pulled <= 2, `pulled ${pulled} chunks for one value`)
    await iterator.return()
  })

  it('reads Uint8Array chunks through their own window of the buffer', async () => {
    // Views into one larger buffer: only [byteOffset, byteOffset + byteLength) is the chunk.
    const whole = new TextEncoder().encode('##[1,{"a":"é"}]##')
    const chunks = [whole.subarray(2, 6), whole.subarray(6, whole.length - 2)]
    assert.ok(!Buffer.isBuffer(chunks[0]))
    assert.deepEqual(await collect(decodeStream(chunks)), [1, { a: 'é' }])
  })

  it('refuses bad options, sources and chunks with ERR_INVALID_ARGUMENT', async () => {
    const invalid = (message: RegExp) => ({ code: 'ERR_INVALID_ARGUMENT', message })
    await assert.rejects(collect(decodeStream(['[]'], { format: 'csv' as never })), invalid(/"format"/))
    for (const maxItemBytes of [0, 1.5, Number.NaN]) {
      await assert.rejects(collect(decodeStream(['[]'], { maxItemBytes })), invalid(/"maxItemBytes"/))
    }
    for (const source of [null, 42, 'not iterable as a source', {}]) {
      await assert.rejects(collect(decodeStream(source as never)), invalid(/source must be/))
    }
    await assert.rejects(collect(decodeStream(['[1,', 2] as never)), invalid(/chunks must be/))
  })
})

describe('encodeStream', () => {
  it('writes NDJSON and arrays that decode back to the values', async () => {
    async function* values() {
      yield* ITEMS
    }
    const ndjson = Buffer.concat(await collect(encodeStream(values()))).toString()
    assert.equal(ndjson, NDJSON_TEXT.slice(0, -1))
    const array = Buffer.concat(await collect(encodeStream(ITEMS, { format: 'array' }))).toString()
    assert.deepEqual(JSON.parse(array), ITEMS)
    assert.equal(Buffer.concat(await collect(encodeStream([], { format: 'array' }))).toString(), '[]')
    const sorted = Buffer.concat(await collect(encodeStream([{ b: 1, a: 2 }], { sortKeys: true }))).toString()
    assert.equal(sorted, '{"a":2,"b":1}\n')
  })

  it('fails on an item it cannot encode, naming it, or skips it', async () => {
    const values = [1, 2n, 3]
    await assert.rejects(
      collect(encodeStream(values)),
      (e: unknown) => e instanceof JsonStreamItemError && e.index === 1,
    )
    const out = Buffer.concat(await collect(encodeStream(values, { skipInvalid: true }))).toString()
    assert.equal(out, '1\n3\n')
    assert.throws(() => encodeStream(values, { format: 'csv' as never }), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('refuses pretty NDJSON and a source that is not iterable', async () => {
    assert.throws(() => encodeStream([1], { pretty: true }), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /"pretty"/,
    })
    const pretty = Buffer.concat(await collect(encodeStream([{ a: 1 }], { format: 'array', pretty: true })))
    assert.equal(pretty.toString(), '[{\n  "a": 1\n}]', 'pretty is fine for an array')
    for (const source of [null, 7, {}]) {
      assert.throws(() => encodeStream(source as never), { code: 'ERR_INVALID_ARGUMENT', message: /source/ })
    }
  })
})

describe('batch', () => {
  it('decodeBatch keeps going past a bad document', () => {
    const results = decodeBatch(['{"a":1}', '{bad', Buffer.from('[2]'), '{"__proto__":{}}'])
    assert.deepEqual(results[0], { ok: true, value: { a: 1 } })
    assert.equal(results[1]?.ok, false)
    assert.equal(!results[1]?.ok && results[1]?.error.code, 'ERR_JSON_PARSE')
    assert.deepEqual(results[2], { ok: true, value: [2] })
    assert.equal(!results[3]?.ok && results[3]?.error.code, 'ERR_JSON_UNSAFE')
  })
  it('encodeBatch keeps going past a value it cannot encode', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const throwing = {
      toJSON() {
        throw new TypeError('boom')
      },
    }
    const results = encodeBatch([{ a: 1 }, cyclic, 1n, throwing, 'x'], { sortKeys: true })
    assert.deepEqual(results[0], { ok: true, value: '{"a":1}' })
    assert.equal(!results[1]?.ok && results[1]?.error.code, 'ERR_JSON_CYCLE')
    assert.equal(!results[2]?.ok && results[2]?.error.code, 'ERR_JSON_ENCODE')
    assert.equal(!results[3]?.ok && results[3]?.error.code, 'ERR_JSON_ENCODE')
    assert.deepEqual(results[4], { ok: true, value: '"x"' })
  })
})
