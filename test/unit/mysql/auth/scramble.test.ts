import assert from 'node:assert/strict'
import { constants, createHash, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  cachingSha2Scramble,
  nativePasswordScramble,
  parseRsaPublicKey,
  rsaEncryptPassword,
} from '../../../../src/mysql/auth/scramble.js'

const hash = (algorithm: string, ...parts: Buffer[]) => {
  const h = createHash(algorithm)
  for (const p of parts) h.update(p)
  return h.digest()
}
const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((byte, i) => byte ^ b[i]!))

/**
 * The servers' checks, written from MySQL's descriptions of the server side: they start from the
 * stored hash and never from the password, so they are not the client formula run twice.
 * mysql_native_password (check_scramble_sha1): SHA1(token XOR SHA1(nonce, stored)) = stored,
 * stored = SHA1(SHA1(password)). caching_sha2_password fast auth: SHA256(token XOR
 * SHA256(stored, nonce)) = stored, stored = SHA256(SHA256(password)) (the server's cache entry).
 */
function nativeServerAccepts(token: Buffer, nonce: Buffer, password: string): boolean {
  const stored = hash('sha1', hash('sha1', Buffer.from(password)))
  const candidate = xor(token, hash('sha1', nonce, stored))
  return hash('sha1', candidate).equals(stored)
}

function cachingSha2ServerAccepts(token: Buffer, nonce: Buffer, password: string): boolean {
  const stored = hash('sha256', hash('sha256', Buffer.from(password)))
  const candidate = xor(token, hash('sha256', stored, nonce))
  return hash('sha256', candidate).equals(stored)
}

const PASSWORDS = ['covet-pass', 'x', 'pässwörd ☃ 🔑', 'a'.repeat(300)]

describe('mysql_native_password scramble', () => {
  it('is 20 bytes that the server check accepts, and only for the right password and nonce', () => {
    for (const password of PASSWORDS) {
      const nonce = randomBytes(20)
      const token = nativePasswordScramble(Buffer.from(password), nonce)
      assert.equal(token.length, 20)
      assert.ok(nativeServerAccepts(token, nonce, password), password)
      assert.ok(!nativeServerAccepts(token, nonce, `${password}!`))
      assert.ok(!nativeServerAccepts(token, randomBytes(20), password))
    }
  })

  it('is empty for an empty password (MySQL sends no auth data then)', () => {
    assert.equal(nativePasswordScramble(Buffer.alloc(0), randomBytes(20)).length, 0)
  })
})

describe('caching_sha2_password scramble', () => {
  it('is 32 bytes that the fast-auth check accepts, and only for the right password and nonce', () => {
    for (const password of PASSWORDS) {
      const nonce = randomBytes(20)
      const token = cachingSha2Scramble(Buffer.from(password), nonce)
      assert.equal(token.length, 32)
      assert.ok(cachingSha2ServerAccepts(token, nonce, password), password)
      assert.ok(!cachingSha2ServerAccepts(token, nonce, `${password}!`))
      assert.ok(!cachingSha2ServerAccepts(token, randomBytes(20), password))
    }
  })

  it('is empty for an empty password', () => {
    assert.equal(cachingSha2Scramble(Buffer.alloc(0), randomBytes(20)).length, 0)
  })
})

describe('RSA-encrypted password (caching_sha2_password / sha256_password)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string

  it('decrypts with OAEP-SHA1 to (password NUL) XOR the nonce repeated', () => {
    const nonce = randomBytes(20)
    for (const password of [
      'p',
      'exactly-twenty-bytes',
      'longer than the twenty-byte nonce, so it wraps ☃',
    ]) {
      const sealed = rsaEncryptPassword(
        parseRsaPublicKey(pem, 'serverPublicKey'),
        Buffer.from(password),
        nonce,
      )
      assert.equal(sealed.length, 256)
      const plain = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, sealed)
      const unmasked = Buffer.from(plain.map((b, i) => b ^ nonce[i % 20]!))
      assert.equal(unmasked.toString('utf8'), `${password}\0`)
    }
  })

  it('refuses a password too long for the key with ERR_AUTH, without the password', () => {
    const password = `s3cret-${'z'.repeat(220)}`
    const err = (() => {
      try {
        rsaEncryptPassword(parseRsaPublicKey(pem, 'server'), Buffer.from(password), randomBytes(20))
      } catch (e) {
        return e as Error & { code?: string }
      }
      return undefined
    })()
    assert.equal(err?.code, 'ERR_AUTH')
    assert.match(err!.message, /too long .* 2048-bit RSA key \(at most 213 bytes\)/)
    assert.ok(!String(err!.stack).includes('s3cret'))
    // 213 bytes + NUL is the OAEP-SHA1 limit of a 2048-bit key: accepted.
    rsaEncryptPassword(parseRsaPublicKey(pem, 'server'), Buffer.alloc(213, 0x61), randomBytes(20))
  })

  it('reads PEM public keys; a bad or non-RSA key is ERR_INVALID_ARGUMENT from options, ERR_AUTH from the server', () => {
    assert.equal(parseRsaPublicKey(Buffer.from(pem), 'server').asymmetricKeyType, 'rsa')
    assert.throws(() => parseRsaPublicKey('not a key', 'serverPublicKey'), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /serverPublicKey is not a PEM public key/,
    })
    assert.throws(() => parseRsaPublicKey('garbage', 'server'), { code: 'ERR_AUTH', message: /server sent/ })
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    })
    assert.throws(() => parseRsaPublicKey(ec as string, 'serverPublicKey'), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /not an RSA key/,
    })
    assert.throws(() => parseRsaPublicKey(ec as string, 'server'), {
      code: 'ERR_AUTH',
      message: /not an RSA key/,
    })
  })
})
