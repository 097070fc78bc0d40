import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DomainTypes, domainLookupSql } from '../../../../src/postgres/types/domains.js'
import { Oid } from '../../../../src/postgres/types/oids.js'
import { TypeRegistry } from '../../../../src/postgres/types/registry.js'

// Domains per connection: which OIDs are looked up, and the codecs learnt from pg_type's rows.

const JSON_DOMAIN = 16_390
const INT_DOMAIN = 16_400
const INT_DOMAIN_ARRAY = 16_399
const ENUM = 16_500

describe('DomainTypes', () => {
  it('asks pg_type only about OIDs neither built in nor registered, each once', () => {
    const registry = new TypeRegistry().register({ oid: 20_000, name: 'custom' })
    const types = new DomainTypes(registry)
    const sql = types.lookup([Oid.int4, JSON_DOMAIN, 20_000, 9_999, JSON_DOMAIN], [{ typeOid: ENUM }])
    assert.equal(sql, domainLookupSql([JSON_DOMAIN, ENUM]))
    types.learn([
      [JSON_DOMAIN, false, JSON_DOMAIN, Oid.jsonb, 1],
      [ENUM, false, ENUM, ENUM, 0],
    ])
    assert.equal(types.lookup([JSON_DOMAIN], [{ typeOid: ENUM }]), undefined)
    assert.equal(types.lookup([], []), undefined)
  })

  it("gives a domain its base type's codecs, and other OIDs the registry's", () => {
    const registry = new TypeRegistry()
    const types = new DomainTypes(registry)
    types.learn([
      [JSON_DOMAIN, false, JSON_DOMAIN, Oid.jsonb, 2],
      [ENUM, false, ENUM, ENUM, 0],
    ])
    assert.equal(types.param(JSON_DOMAIN), registry.param(Oid.jsonb))
    assert.equal(types.param(JSON_DOMAIN).encode([]), '[]')
    assert.equal(types.preferredResult(JSON_DOMAIN), registry.preferredResult(Oid.jsonb))
    assert.equal(types.param(ENUM), registry.param(ENUM))
    assert.equal(types.binary(ENUM), undefined)
  })

  it("decodes and encodes an array of a domain as its base type's, the domain's OID in the header", () => {
    const types = new DomainTypes(new TypeRegistry())
    types.learn([
      [INT_DOMAIN, false, INT_DOMAIN, Oid.int4, 1],
      [INT_DOMAIN_ARRAY, false, INT_DOMAIN_ARRAY, INT_DOMAIN_ARRAY, 0],
      [INT_DOMAIN_ARRAY, true, INT_DOMAIN, Oid.int4, 1],
    ])
    const encoded = Buffer.from(types.param(INT_DOMAIN_ARRAY).encode([7, null]) as Uint8Array)
    assert.equal(types.param(INT_DOMAIN_ARRAY).format, 1)
    assert.equal(encoded.readInt32BE(8), INT_DOMAIN, 'array_recv checks the element OID')
    const decoder = types.preferredResult(INT_DOMAIN_ARRAY)
    assert.equal(decoder.format, 1)
    assert.deepEqual(decoder.decode(encoded, 0, encoded.length), [7, null])
    assert.deepEqual(types.result(INT_DOMAIN_ARRAY).decode(Buffer.from('{1,2}'), 0, 5), [1, 2])
    // String elements still go as array text, for the server to parse.
    assert.equal(types.param(INT_DOMAIN_ARRAY).encode(['1', 2]), '{"1","2"}')
  })

  it('follows the registry: binary off means text for domains too', () => {
    const types = new DomainTypes(new TypeRegistry({ binary: false }))
    types.learn([[INT_DOMAIN_ARRAY, true, INT_DOMAIN, Oid.int4, 1]])
    assert.equal(types.preferredResult(INT_DOMAIN_ARRAY).format, 0)
    assert.equal(types.param(INT_DOMAIN_ARRAY).encode([1, 2]), '{"1","2"}')
  })
})
