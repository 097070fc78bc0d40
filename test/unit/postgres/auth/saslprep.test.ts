import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { saslprep } from '../../../../src/postgres/auth/saslprep.js'

describe('SASLprep (RFC 4013)', () => {
  // RFC 4013 §3 examples: [input, output or null for an error].
  const examples: [string, string | null][] = [
    ['I\u00ADX', 'IX'], // SOFT HYPHEN mapped to nothing
    ['user', 'user'], // no transformation
    ['USER', 'USER'], // case preserved
    ['\u00AA', 'a'], // NFKC
    ['\u2168', 'IX'], // NFKC
    ['\u0007', null], // prohibited character
    ['\u0627\u0031', null], // bidi check: RandALCat first, but not last
  ]
  for (const [input, output] of examples) {
    it(`RFC 4013 §3: ${JSON.stringify(input)} -> ${JSON.stringify(output)}`, () => {
      assert.equal(saslprep(input), output)
    })
  }

  it('maps non-ASCII spaces to U+0020 and strips zero-width joiners', () => {
    assert.equal(saslprep('a\u00A0b\u3000c'), 'a b c')
    assert.equal(saslprep('a\u200Bb'), 'a b') // U+200B is in C.1.2, mapped before B.1
    assert.equal(saslprep('a\uFE0Fb\u180Bc'), 'abc')
  })

  it('prohibits private use, non-characters, surrogates, tagging and unassigned code points', () => {
    for (const cp of [0xe000, 0xf0000, 0xfdd0, 0x1fffe, 0xe0001, 0x2ff0, 0x202e, 0x0085, 0x0378]) {
      assert.equal(saslprep(`x${String.fromCodePoint(cp)}é`), null, cp.toString(16))
    }
    assert.equal(saslprep('x\uD800é'), null) // lone surrogate
  })

  it('accepts pure RandALCat text and rejects mixed-direction text', () => {
    assert.equal(saslprep('\u0627\u0628'), '\u0627\u0628')
    assert.equal(saslprep('\u0627a\u0628'), null)
  })

  it('passes printable ASCII through untouched, including the empty string', () => {
    assert.equal(saslprep(''), '')
    assert.equal(saslprep('p@ss w0rd!~'), 'p@ss w0rd!~')
  })

  it('normalizes 4-byte UTF-8 and composed characters with NFKC', () => {
    assert.equal(saslprep('e\u0301'), '\u00E9')
    assert.equal(saslprep('\u{1D400}'), 'A') // MATHEMATICAL BOLD CAPITAL A
    assert.equal(saslprep('😀'), '😀')
  })
})
