import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TypeRegistry } from '../../../../src/postgres/types/registry.js'
import type { TypeLookup } from '../../../../src/postgres/types/type-lookup.js'

// Custom type registration and the fallback for types covet does not know.

const bytes = (s: string) => Buffer.from(s)
const decodeText = (r: TypeRegistry, oid: number, s: string) =>
  r.preferredResult(oid).decode(bytes(s), 0, bytes(s).length)

describe('TypeRegistry', () => {
  it('returns unknown types as text and encodes their parameters as text', () => {
    const r = new TypeRegistry()
    assert.equal(r.preferredResult(424242).format, 0)
    assert.equal(decodeText(r, 424242, '(1,"a b")'), '(1,"a b")')
    const p = r.param(424242)
    assert.equal(p.format, 0)
    const enc = (v: unknown) => Buffer.from(p.encode(v)).toString()
    assert.equal(enc('happy'), 'happy')
    assert.equal(enc(12n), '12')
    // As node-postgres sends them: 'false', a Buffer's bytes, a Date in local time with its offset.
    assert.equal(enc(false), 'false')
    assert.deepEqual(Buffer.from(p.encode(Buffer.from([0x61, 0x62]))), Buffer.from('ab'))
    const date = new Date(Date.UTC(2024, 0, 5, 10, 0, 0, 7))
    assert.match(enc(date), /^2024-01-0\dT\d\d:\d\d:00\.007[+-]\d\d:\d\d$/)
    assert.equal(new Date(enc(date)).getTime(), date.getTime())
    assert.equal(enc(['a', null, 'b"c', Buffer.from([1, 255])]), '{"a",NULL,"b\\"c","\\\\x01ff"}')
    assert.equal(enc({ a: 1 }), '{"a":1}')
    assert.throws(() => enc(Symbol('x')), { code: 'ERR_TYPE_ENCODE' })
    assert.throws(() => enc(new Date(Number.NaN)), { code: 'ERR_TYPE_ENCODE' })
    assert.equal(r.binary(424242), undefined)
  })

  it('registers a text codec by OID, with its array type', () => {
    const r = new TypeRegistry()
    const before = r.preferredResult(5000)
    r.register({
      oid: 5000,
      arrayOid: 5001,
      name: 'mood',
      parse: (s) => s.toUpperCase(),
      serialize: (v) => String(v).toLowerCase(),
    })
    assert.notEqual(r.preferredResult(5000), before, 'caches are reset by register')
    assert.equal(decodeText(r, 5000, 'happy'), 'HAPPY')
    assert.deepEqual(decodeText(r, 5001, '{sad,NULL,"o k"}'), ['SAD', null, 'O K'])
    assert.equal(Buffer.from(r.param(5000).encode('OK')).toString(), 'ok')
    assert.equal(Buffer.from(r.param(5001).encode(['OK', null])).toString(), '{"ok",NULL}')
    assert.equal(r.binary(5000), undefined)
  })

  it('registers a binary codec, used for results, parameters, COPY and arrays', () => {
    const r = new TypeRegistry().register({
      oid: 6000,
      arrayOid: 6001,
      name: 'point2',
      decode: (b, o) => ({ x: b.readDoubleBE(o), y: b.readDoubleBE(o + 8) }),
      encode: (v) => {
        const { x, y } = v as { x: number; y: number }
        const b = Buffer.alloc(16)
        b.writeDoubleBE(x)
        b.writeDoubleBE(y, 8)
        return b
      },
      parse: (s) => s,
    })
    assert.equal(r.preferredResult(6000).format, 1)
    assert.equal(r.param(6000).format, 1)
    const encoded = Buffer.from(r.binary(6001)!.encode([{ x: 1, y: 2 }, null]))
    assert.deepEqual(r.preferredResult(6001).decode(encoded, 0, encoded.length), [{ x: 1, y: 2 }, null])
  })

  it('refuses incomplete registrations', () => {
    const r = new TypeRegistry()
    assert.throws(() => r.register({ parse: (s) => s }), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => r.register({ oid: 1, decode: () => 1 }), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => r.register({ oid: -5 }), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('resolves names to OIDs with one query, then registers them', async () => {
    const queries: { sql: string; params: readonly unknown[] | undefined }[] = []
    const conn: TypeLookup = {
      query: async (sql, params) => {
        queries.push({ sql, params })
        return [
          { name: 'mood', oid: 7000, typarray: 7001 },
          { name: 'public.pair', oid: 7002, typarray: 0 },
        ]
      },
    }
    const r = new TypeRegistry()
      .register({ name: 'mood', parse: (s) => `mood:${s}` })
      .register({ name: 'public.pair', parse: (s) => `pair:${s}` })
    assert.equal(decodeText(r, 7000, 'x'), 'x', 'not yet resolved')
    await r.resolve(conn)
    assert.equal(queries.length, 1)
    assert.deepEqual(queries[0]!.params, [['mood', 'public.pair']])
    assert.equal(decodeText(r, 7000, 'x'), 'mood:x')
    assert.deepEqual(decodeText(r, 7001, '{x}'), ['mood:x'])
    assert.equal(decodeText(r, 7002, 'y'), 'pair:y')
    await r.resolve(conn)
    assert.equal(queries.length, 1, 'nothing left to resolve')
  })

  it('reports a name the server does not know', async () => {
    const conn: TypeLookup = { query: async () => [{ name: 'nope', oid: null, typarray: null }] }
    await assert.rejects(new TypeRegistry().register({ name: 'nope' }).resolve(conn), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /no type named "nope"/,
    })
  })
})
