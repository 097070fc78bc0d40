import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ARRAY_OID, Oid } from '../../../../src/postgres/types/oids.js'
import { TypeRegistry } from '../../../../src/postgres/types/registry.js'
import { SEND_FIXTURES } from './send-fixtures.js'

// Every binary codec against the bytes PostgreSQL's *_send functions produce (send-fixtures.ts),
// and every text codec against what psql prints for the same value.

/** The exact-string modes, so decoded values compare with psql's text as they are. */
const exact = new TypeRegistry({ int8: 'string', timestamps: 'string', json: 'string', textResults: [] })

function oidOf(type: string): number {
  const base = type.replace('[]', '') as keyof typeof Oid
  const oid = Oid[base]
  assert.ok(oid !== undefined, `unknown type ${type}`)
  return type.endsWith('[]') ? ARRAY_OID.get(oid)! : oid
}

/** What the value psql printed is, in the exact modes. */
function expectedFromText(type: string, text: string): unknown {
  switch (type) {
    case 'bool':
      return text === 't'
    case 'int2':
    case 'int4':
    case 'oid':
    case 'float4':
    case 'float8':
      return Number(text)
    case 'bytea':
      return Buffer.from(text.slice(2), 'hex')
    default:
      return text
  }
}

describe('binary codecs against PostgreSQL send functions', () => {
  for (const f of SEND_FIXTURES) {
    const oid = oidOf(f.type)
    const title = `${f.type} ${(f.literal ?? f.text).slice(0, 60)}`
    const bytes = Buffer.from(f.hex, 'hex')
    // Decode from the middle of a larger buffer, as rows are decoded.
    const framed = Buffer.concat([Buffer.from([0xaa, 0xbb]), bytes, Buffer.from([0xcc])])
    const decoded = exact.preferredResult(oid).decode(framed, 2, bytes.length)

    it(`decodes ${title}`, () => {
      assert.equal(exact.preferredResult(oid).format, 1)
      const text = exact.result(oid).decode(Buffer.from(f.text), 0, Buffer.byteLength(f.text))
      if (f.type.endsWith('[]')) assert.deepEqual(decoded, text, 'binary and text decoding agree')
      else {
        assert.deepEqual(decoded, expectedFromText(f.type, f.text))
        assert.deepEqual(text, decoded, 'the text codec reads psql output to the same value')
      }
    })

    it(`encodes ${title} to the same bytes`, () => {
      const encoded = exact.binary(oid)!.encode(decoded)
      assert.equal(Buffer.from(encoded).toString('hex'), f.hex)
      // Text types and json go in text format (their binary form of a string is the same bytes).
      const textual = ['text', 'varchar', 'bpchar', 'name', 'json', 'jsonb'].includes(f.type)
      assert.equal(exact.param(oid).format, textual ? 0 : 1)
    })

    if (!f.type.endsWith('[]')) {
      it(`serializes ${title} as psql prints it`, () => {
        assert.equal(exact.type(oid)!.serialize(decoded), f.text)
      })
    } else {
      it(`serializes ${title} to text that parses back to the same value`, () => {
        const text = Buffer.from(exact.type(oid)!.serialize(decoded))
        assert.deepEqual(exact.result(oid).decode(text, 0, text.length), decoded)
      })
    }
  }
})
