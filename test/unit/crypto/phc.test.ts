import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { algorithmOfHash } from '../../../src/crypto/password.js'
import { decodeB64, encodeB64, formatPhc, parsePhc } from '../../../src/crypto/phc.js'

describe('PHC string format', () => {
  it('parses a reference argon2 string: id, version, parameters in order, salt and hash', () => {
    const encoded = '$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA'
    const phc = parsePhc(encoded)
    assert.equal(phc.id, 'argon2i')
    assert.equal(phc.version, 19)
    assert.deepEqual(
      [...phc.params],
      [
        ['m', 65536],
        ['t', 2],
        ['p', 1],
      ],
    )
    assert.equal(phc.salt.toString(), 'somesalt')
    assert.equal(phc.hash.length, 32)
    assert.equal(formatPhc(phc.id, phc.version, [...phc.params], phc.salt, phc.hash), encoded)
  })

  it('parses strings without version or parameters', () => {
    const phc = parsePhc('$scrypt$ln=10,r=8,p=1$AAAA$AAAAAA')
    assert.equal(phc.version, undefined)
    assert.equal(parsePhc('$x$AAAA$AAAA').params.size, 0)
    assert.equal(formatPhc('x', undefined, [], Buffer.alloc(3), Buffer.alloc(3)), '$x$AAAA$AAAA')
  })

  it('B64 is unpadded base64, decoded strictly', () => {
    for (let n = 0; n < 8; n++) {
      const bytes = Buffer.from([...Array(n).keys()].map((i) => i * 37))
      const text = encodeB64(bytes)
      assert.doesNotMatch(text, /=/)
      assert.deepEqual(decodeB64(text, 'salt'), bytes)
    }
    for (const bad of ['AAAA=', 'AA-_', 'A', 'AB', 'AAB', 'AA AA']) {
      assert.throws(() => decodeB64(bad, 'salt'), { code: 'ERR_INVALID_ARGUMENT' }, bad)
    }
  })

  it('rejects malformed strings, naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['argon2id$v=19$m=1$AAAA$AAAA', /identifier/],
      ['$$AAAA$AAAA', /identifier/],
      ['$x$m=1,m=2$AAAA$AAAA', /parameter/],
      ['$x$m=-1$AAAA$AAAA', /parameter/],
      ['$x$m=1.5$AAAA$AAAA', /parameter/],
      ['$x$m=1$AAAA', /salt and a hash/],
      ['$x$m=1$AAAA$AAAA$AAAA', /salt and a hash/],
    ]
    for (const [encoded, message] of cases) {
      assert.throws(() => parsePhc(encoded), { code: 'ERR_INVALID_ARGUMENT', message }, encoded)
    }
  })

  it('recognises each password hash family by its prefix', () => {
    assert.equal(algorithmOfHash('$argon2d$v=19$...'), 'argon2')
    assert.equal(algorithmOfHash('$2y$10$...'), 'bcrypt')
    assert.equal(algorithmOfHash('$scrypt$ln=1'), 'scrypt')
    assert.equal(algorithmOfHash('$pbkdf2-sha512$i=1'), 'pbkdf2')
    assert.throws(() => algorithmOfHash('$pbkdf2$i=1'), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => algorithmOfHash('$argon2$'), { code: 'ERR_INVALID_ARGUMENT' })
  })
})
