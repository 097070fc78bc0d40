import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createPatch } from '../../../src/json/diff.js'
import { applyMergePatch, createMergePatch } from '../../../src/json/merge-patch.js'
import { applyPatch, JsonPatchError, type PatchOperation } from '../../../src/json/patch.js'
import { formatPointer, getByPointer, hasPointer, parsePointer } from '../../../src/json/pointer.js'

describe('JSON Pointer (RFC 6901)', () => {
  const doc = { foo: ['bar', 'baz'], '': 0, 'a/b': 1, 'm~n': 8, ' ': 7 }
  it('resolves the RFC 6901 §5 examples', () => {
    assert.deepEqual(getByPointer(doc, ''), doc)
    assert.deepEqual(getByPointer(doc, '/foo'), ['bar', 'baz'])
    assert.equal(getByPointer(doc, '/foo/0'), 'bar')
    assert.equal(getByPointer(doc, '/'), 0)
    assert.equal(getByPointer(doc, '/a~1b'), 1)
    assert.equal(getByPointer(doc, '/m~0n'), 8)
    assert.equal(getByPointer(doc, '/ '), 7)
  })
  it('round-trips escaping and refuses malformed pointers', () => {
    assert.equal(formatPointer(['a/b', 'm~n', 3]), '/a~1b/m~0n/3')
    assert.deepEqual(parsePointer('/a~1b/m~0n/3'), ['a/b', 'm~n', '3'])
    for (const bad of ['foo', '/a~2', '/a~'])
      assert.throws(() => parsePointer(bad), { code: 'ERR_JSON_POINTER' })
    assert.equal(hasPointer(doc, '/foo/01'), false, 'leading zeros are not indices')
    assert.equal(hasPointer(doc, '/foo/2'), false)
    assert.throws(() => getByPointer(doc, '/nope'), { code: 'ERR_JSON_POINTER' })
  })
  it('refuses __proto__, constructor and prototype segments', () => {
    for (const p of ['/__proto__', '/a/constructor/prototype', '/prototype']) {
      assert.throws(() => parsePointer(p), { code: 'ERR_JSON_POINTER' })
    }
    assert.equal(hasPointer({}, '/toString'), false, 'inherited members are not reachable')
  })
})

describe('applyPatch', () => {
  it('is immutable by default and copies only the changed path', () => {
    const doc = { a: { b: { c: 1 } }, big: { list: [1, 2, 3] }, arr: [{ x: 1 }, { y: 2 }] }
    const out = applyPatch<typeof doc>(doc, [
      { op: 'replace', path: '/a/b/c', value: 2 },
      { op: 'add', path: '/arr/1/z', value: 3 },
    ])
    assert.equal(doc.a.b.c, 1)
    assert.equal(out.a.b.c, 2)
    assert.equal(out.big, doc.big, 'untouched subtrees are shared')
    assert.equal(out.arr[0], doc.arr[0])
    assert.notEqual(out.arr[1], doc.arr[1])
    assert.deepEqual(doc.arr[1], { y: 2 })
  })

  it('is atomic: a failing operation leaves the input untouched and is named', () => {
    for (const mutate of [false, true]) {
      const doc = { a: [1, 2, 3], b: { c: 'x' } }
      const ops: PatchOperation[] = [
        { op: 'remove', path: '/a/0' },
        { op: 'add', path: '/b/d', value: 1 },
        { op: 'test', path: '/b/c', value: 'y' },
      ]
      assert.throws(
        () => applyPatch(doc, ops, { mutate }),
        (e: unknown) =>
          e instanceof JsonPatchError &&
          e.code === 'ERR_JSON_PATCH_TEST_FAILED' &&
          e.index === 2 &&
          e.path === '/b/c' &&
          e.message.includes('operation 2'),
      )
      assert.deepEqual(doc, { a: [1, 2, 3], b: { c: 'x' } })
    }
  })

  it('mutate: true changes the containers in place and keeps their identity and key order', () => {
    const inner = { k1: 1, k2: 2, k3: 3 }
    const doc = { inner, list: [1, 2] }
    const out = applyPatch(
      doc,
      [
        { op: 'remove', path: '/inner/k2' },
        { op: 'add', path: '/inner/k2', value: 9 },
        { op: 'add', path: '/list/-', value: 3 },
      ],
      { mutate: true },
    )
    assert.equal(out, doc)
    assert.equal(doc.inner, inner)
    assert.deepEqual(Object.keys(inner), ['k1', 'k3', 'k2'])
    assert.deepEqual(doc.list, [1, 2, 3])
  })

  it('never aliases values from the patch', () => {
    const value = { deep: { n: 1 } }
    const out = applyPatch<{ v: typeof value }>({}, [
      { op: 'add', path: '/v', value },
      { op: 'replace', path: '/v/deep/n', value: 2 },
      { op: 'copy', from: '/v', path: '/w' },
      { op: 'replace', path: '/w/deep/n', value: 3 },
    ])
    assert.equal(value.deep.n, 1)
    assert.deepEqual(out, { v: { deep: { n: 2 } }, w: { deep: { n: 3 } } })
  })

  it('refuses prototype paths (CVE-2021-4279 class) and leaves Object.prototype alone', () => {
    for (const op of [
      { op: 'add', path: '/__proto__/polluted', value: 1 },
      { op: 'replace', path: '/constructor/prototype/polluted', value: 1 },
      { op: 'copy', from: '/__proto__', path: '/x' },
    ] as PatchOperation[]) {
      assert.throws(() => applyPatch({}, [op]), { code: 'ERR_JSON_POINTER' })
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
    assert.throws(() => applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":1}}')), {
      code: 'ERR_JSON_UNSAFE',
    })
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
  })

  it('rejects malformed operations with the index', () => {
    assert.throws(() => applyPatch({}, [{ op: 'jump', path: '/a' } as never]), { code: 'ERR_JSON_PATCH' })
    assert.throws(() => applyPatch({}, [{ op: 'add', path: '/a' } as never]), /operation 0/)
    assert.throws(() => applyPatch({}, {} as never), { code: 'ERR_INVALID_ARGUMENT' })
  })
})

/** A small deterministic PRNG (mulberry32) so a failing seed can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function randomValue(rnd: () => number, depth: number): unknown {
  const r = rnd()
  if (depth > 3 || r < 0.4) return [null, true, 1, -0.5, 'a', 'b/c', 'd~e'][Math.floor(rnd() * 7)]
  if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 5) }, () => randomValue(rnd, depth + 1))
  const out: Record<string, unknown> = {}
  for (let i = Math.floor(rnd() * 5); i > 0; i--)
    out[['a', 'b', 'c/d', 'e~f', ''][Math.floor(rnd() * 5)]!] = randomValue(rnd, depth + 1)
  return out
}

function mutateRandomly(rnd: () => number, value: unknown, depth: number): unknown {
  if (rnd() < 0.25) return randomValue(rnd, depth)
  if (Array.isArray(value)) {
    const out = value.map((v) => (rnd() < 0.3 ? mutateRandomly(rnd, v, depth + 1) : v))
    if (rnd() < 0.3) out.splice(Math.floor(rnd() * (out.length + 1)), 0, randomValue(rnd, depth + 1))
    if (rnd() < 0.3 && out.length > 0) out.splice(Math.floor(rnd() * out.length), 1)
    return out
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value))
      if (rnd() > 0.2) out[k] = rnd() < 0.3 ? mutateRandomly(rnd, v, depth + 1) : v
    if (rnd() < 0.3) out[`n${Math.floor(rnd() * 3)}`] = randomValue(rnd, depth + 1)
    return out
  }
  return randomValue(rnd, depth)
}

describe('createPatch (property: diff then apply round-trips)', () => {
  it('apply(a, createPatch(a, b)) equals b on 2,000 random document pairs', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const rnd = random(seed)
      const a = randomValue(rnd, 0)
      const b = mutateRandomly(rnd, a, 0)
      const snapshot = structuredClone(a)
      const patch = createPatch(a, b)
      assert.deepEqual(applyPatch(a, patch), b, `seed ${seed}`)
      assert.deepEqual(a, snapshot, `seed ${seed}: input untouched`)
      assert.deepEqual(applyPatch(structuredClone(a), patch, { mutate: true }), b, `seed ${seed} (mutate)`)
    }
  })
  it('is empty for equal documents and small for a deep change', () => {
    const a = { list: Array.from({ length: 100 }, (_, i) => ({ i })), meta: { v: 1 } }
    assert.deepEqual(createPatch(a, structuredClone(a)), [])
    const b = structuredClone(a)
    b.list[50]!.i = -1
    assert.deepEqual(createPatch(a, b), [{ op: 'replace', path: '/list/50/i', value: -1 }])
  })
  it('createMergePatch refuses what RFC 7396 cannot express', () => {
    assert.throws(() => createMergePatch({ a: 1 }, { a: null }), { code: 'ERR_JSON_PATCH' })
    assert.deepEqual(createMergePatch({ a: 1, b: { c: 2 } }, { b: { c: 3 } }), { a: null, b: { c: 3 } })
  })
})
