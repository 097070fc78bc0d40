import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeUtf8, encodeUtf8Into } from '../../../src/internal/utf8.js'

// Strings on both sides of the short-value threshold, ASCII and not, with a non-ASCII character at
// the start, middle and end, surrogate pairs and lone surrogates (encoded as U+FFFD by Node).
const SAMPLES = [
  '',
  'a',
  'id',
  'x'.repeat(8),
  'x'.repeat(9),
  'x'.repeat(16),
  'x'.repeat(17),
  `${'y'.repeat(7)}é`,
  `${'y'.repeat(15)}é`,
  'é',
  'aé',
  'abc€',
  '€abc',
  '😀',
  'ab😀cd',
  `${'y'.repeat(40)}é`,
  'lone \ud800 surrogate',
  '\udc00',
  'NUL\0inside',
  'z'.repeat(1000),
]

describe('utf8', () => {
  it('encodes exactly like Buffer.from(s, "utf8")', () => {
    for (const s of SAMPLES) {
      const buf = Buffer.alloc(s.length * 3 + 4, 0xee)
      const n = encodeUtf8Into(buf, s, 2)
      const expected = Buffer.from(s, 'utf8')
      assert.equal(n, expected.length, JSON.stringify(s))
      assert.deepEqual(buf.subarray(2, 2 + n), expected, JSON.stringify(s))
      assert.equal(buf[0], 0xee)
      assert.equal(buf[1], 0xee)
    }
  })

  it('decodes exactly like buf.toString("utf8", start, end), invalid bytes included', () => {
    const invalid = [
      Buffer.from([0xff]),
      Buffer.from([0x61, 0xc3]),
      Buffer.from([0xe2, 0x82]),
      Buffer.from([0x80, 0x61]),
    ]
    for (const bytes of [...SAMPLES.map((s) => Buffer.from(s)), ...invalid]) {
      const framed = Buffer.concat([Buffer.from('<<'), bytes, Buffer.from('>>')])
      const end = framed.length - 2
      assert.equal(decodeUtf8(framed, 2, end), framed.toString('utf8', 2, end), bytes.toString('hex'))
    }
  })
})
