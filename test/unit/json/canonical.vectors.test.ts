import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { FastJsonDecoder } from '../../../src/json/decode.js'
import { FastJsonEncoder } from '../../../src/json/encode.js'

// cyberphone/json-canonicalization testdata, every input/output pair (test/vectors/rfc8785/README.md).
const dir = new URL('../../vectors/rfc8785/', import.meta.url)
const names = readdirSync(new URL('input/', dir)).sort()
const canonical = new FastJsonEncoder({ canonical: true })
const decoder = new FastJsonDecoder({ strict: true })

describe('RFC 8785 canonicalization vectors', () => {
  it('holds every file of the set', () => assert.equal(names.length, 6))
  for (const name of names) {
    it(name, () => {
      const input = decoder.decode(readFileSync(new URL(`input/${name}`, dir)))
      const expected = readFileSync(new URL(`output/${name}`, dir))
      const hex = readFileSync(new URL(`outhex/${name.replace('.json', '.txt')}`, dir), 'utf8')
      const bytes = canonical.encodeToBuffer(input)
      assert.equal(bytes.toString('utf8'), expected.toString('utf8'))
      assert.equal(bytes.toString('hex'), hex.replace(/\s+/g, ''))
    })
  }
})
