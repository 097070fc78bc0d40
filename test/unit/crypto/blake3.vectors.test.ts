import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { describe, it } from 'node:test'
import { Hasher, type HasherOptions, hashStream } from '../../../src/crypto/hash.js'

// BLAKE3-team/BLAKE3 test_vectors/test_vectors.json @ 77b257eee7da (1.8.6), whole file.
interface Blake3Vectors {
  key: string
  context_string: string
  cases: { input_len: number; hash: string; keyed_hash: string; derive_key: string }[]
}

const vectors = JSON.parse(
  readFileSync(new URL('../../vectors/blake3/test_vectors.json', import.meta.url), 'utf8'),
) as Blake3Vectors

/** The vectors' input: bytes 0, 1, ..., 250 repeating. */
function input(length: number): Buffer {
  const bytes = Buffer.alloc(length)
  for (let i = 0; i < length; i++) bytes[i] = i % 251
  return bytes
}

const modes: [string, 'hash' | 'keyed_hash' | 'derive_key', HasherOptions][] = [
  ['hash', 'hash', {}],
  ['keyed', 'keyed_hash', { key: Buffer.from(vectors.key, 'ascii') }],
  ['derive-key', 'derive_key', { context: vectors.context_string }],
]

describe('BLAKE3 official vectors (test_vectors.json)', () => {
  it('has all 35 cases', () => assert.equal(vectors.cases.length, 35))

  for (const [name, field, options] of modes) {
    it(`${name} mode: every case at every output length from 1 to 131 bytes`, () => {
      for (const c of vectors.cases) {
        const data = input(c.input_len)
        const expected = Buffer.from(c[field], 'hex')
        assert.equal(expected.length, 131)
        for (let length = 1; length <= expected.length; length++) {
          const digest = new Hasher('blake3', { ...options, length }).update(data).digest()
          assert.deepEqual(digest, expected.subarray(0, length), `input_len ${c.input_len}, length ${length}`)
        }
        // The default length is the first 32 bytes, one-shot and streamed in uneven pieces.
        assert.deepEqual(Hasher.hash('blake3', data, options), expected.subarray(0, 32))
        const streamed = new Hasher('blake3', options)
        for (let at = 0; at < data.length; at += 1000) streamed.update(data.subarray(at, at + 1000))
        assert.equal(streamed.hexdigest(), c[field].slice(0, 64), `input_len ${c.input_len} streamed`)
      }
    })
  }

  it('hashStream over a Readable matches the hash of the largest case', async () => {
    const c = vectors.cases.at(-1)!
    const data = input(c.input_len)
    const chunks = Array.from({ length: Math.ceil(data.length / 4096) }, (_, i) =>
      data.subarray(i * 4096, (i + 1) * 4096),
    )
    assert.equal((await hashStream('blake3', Readable.from(chunks))).toString('hex'), c.hash.slice(0, 64))
  })
})
