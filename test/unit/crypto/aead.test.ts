import assert from 'node:assert/strict'
import { createDecipheriv } from 'node:crypto'
import { describe, it } from 'node:test'
import { type AeadAlgorithm, AeadCipher } from '../../../src/crypto/aead.js'

const ALGORITHMS: AeadAlgorithm[] = ['aes256gcm', 'chacha20poly1305']

function assertDecryptFails(fn: () => unknown, why: string): void {
  assert.throws(
    fn,
    (error: Error & { code?: string }) => {
      // The same code and message for every failure, with no cause: nothing for an attacker.
      assert.equal(error.code, 'ERR_DECRYPT', why)
      assert.equal(error.message, 'Decryption failed', why)
      assert.equal(error.cause, undefined, why)
      return true
    },
    why,
  )
}

for (const alg of ALGORITHMS) {
  describe(`AeadCipher ${alg}`, () => {
    it('round-trips bytes and strings, empty and large, with and without AAD', () => {
      const cipher = new AeadCipher(alg)
      for (const plaintext of [Buffer.alloc(0), Buffer.from('hello'), Buffer.alloc(1 << 20, 7)]) {
        assert.deepEqual(cipher.decrypt(cipher.encrypt(plaintext)), plaintext)
        assert.deepEqual(cipher.decrypt(cipher.encrypt(plaintext, 'row 42'), 'row 42'), plaintext)
      }
      assert.equal(
        cipher.decryptText(cipher.encrypt('héllo €', new Uint8Array([1, 2])), new Uint8Array([1, 2])),
        'héllo €',
      )
    })

    it('writes the documented sealed layout with a fresh random nonce each time', () => {
      const cipher = new AeadCipher(alg, { keys: { 'k-2026': AeadCipher.generateKey() }, current: 'k-2026' })
      const sealed = cipher.encrypt('abc')
      assert.equal(sealed[0], 1) // format version
      assert.equal(sealed[1], alg === 'aes256gcm' ? 1 : 2)
      assert.equal(sealed[2], 6) // key id length
      assert.equal(sealed.subarray(3, 9).toString(), 'k-2026')
      assert.equal(sealed.length, 3 + 6 + 12 + 3 + 16)
      assert.deepEqual(AeadCipher.inspect(sealed), { version: 1, algorithm: alg, keyId: 'k-2026' })
      // 5,000 nonces come from about 15 refills of the 4 KiB nonce pool: none repeats.
      const nonces = new Set<string>()
      for (let i = 0; i < 5000; i++) {
        const value = cipher.encrypt('abc')
        assert.equal(value.length, 3 + 6 + 12 + 3 + 16)
        nonces.add(value.subarray(9, 21).toString('hex'))
      }
      assert.equal(nonces.size, 5000)
    })

    it('authenticates header || aad as one associated-data string, as raw node:crypto reads it', () => {
      const key = AeadCipher.generateKey()
      const cipher = new AeadCipher(alg, { keys: { k1: key }, current: 'k1' })
      const openssl = alg === 'aes256gcm' ? 'aes-256-gcm' : 'chacha20-poly1305'
      // Short and long (past covet's 1 KiB scratch), ASCII, multi-byte and lone-surrogate AAD.
      const aads = [
        '',
        'user:7',
        'é€😀',
        'é€😀'.repeat(200),
        'x'.repeat(5000),
        '\ud800',
        new Uint8Array(16).fill(3),
        new Uint8Array(2000).fill(9),
      ]
      for (const aad of aads) {
        const sealed = cipher.encrypt('payload', aad)
        const header = sealed.subarray(0, 5)
        const decipher = createDecipheriv(openssl as 'aes-256-gcm', key, sealed.subarray(5, 17), {
          authTagLength: 16,
        })
        decipher.setAuthTag(sealed.subarray(sealed.length - 16))
        decipher.setAAD(Buffer.concat([header, Buffer.from(aad)]))
        const plaintext = decipher.update(sealed.subarray(17, sealed.length - 16))
        decipher.final()
        assert.equal(plaintext.toString(), 'payload')
        assert.equal(cipher.decryptText(sealed, typeof aad === 'string' ? Buffer.from(aad) : aad), 'payload')
        // A short AAD after a long one: nothing of the earlier call's AAD is authenticated again.
        assert.equal(cipher.decryptText(cipher.encrypt('p', 'a'), 'a'), 'p')
        assertDecryptFails(() => cipher.decrypt(sealed, 'a'), 'other AAD after a long one')
      }
    })

    it('tampering table: every bit flip, truncation, extension, AAD change and wrong key is ERR_DECRYPT', () => {
      const cipher = new AeadCipher(alg, {
        keys: { a: AeadCipher.generateKey(), b: AeadCipher.generateKey() },
        current: 'a',
      })
      const aad = 'user:7'
      const sealed = cipher.encrypt('the plaintext', aad)
      assert.equal(cipher.decryptText(sealed, aad), 'the plaintext')
      // Header (version, algorithm, key id length, key id), nonce, ciphertext and tag: each byte, each bit.
      for (let at = 0; at < sealed.length; at++) {
        for (let bit = 0; bit < 8; bit++) {
          const tampered = Buffer.from(sealed)
          tampered[at]! ^= 1 << bit
          assertDecryptFails(() => cipher.decrypt(tampered, aad), `byte ${at} bit ${bit}`)
        }
      }
      for (let length = 0; length < sealed.length; length++) {
        assertDecryptFails(() => cipher.decrypt(sealed.subarray(0, length), aad), `truncated to ${length}`)
      }
      assertDecryptFails(() => cipher.decrypt(Buffer.concat([sealed, Buffer.alloc(1)]), aad), 'extended')
      assertDecryptFails(() => cipher.decrypt(sealed, 'user:8'), 'other AAD')
      assertDecryptFails(() => cipher.decrypt(sealed), 'AAD missing')
      assertDecryptFails(() => cipher.decrypt(cipher.encrypt('x'), 'unexpected'), 'AAD added')
      // Relabel the value with the keyring's other id: the header is authenticated, and the key differs.
      const relabelled = Buffer.from(sealed)
      relabelled[3] = 'b'.charCodeAt(0)
      assertDecryptFails(() => cipher.decrypt(relabelled, aad), 'key id swapped')
      const sameIdOtherKey = new AeadCipher(alg, { keys: { a: AeadCipher.generateKey() }, current: 'a' })
      assertDecryptFails(() => sameIdOtherKey.decrypt(sealed, aad), 'wrong key')
      const unknownId = new AeadCipher(alg)
      assertDecryptFails(() => unknownId.decrypt(sealed, aad), 'unknown key id')
      assertDecryptFails(() => cipher.decrypt(new Uint8Array(0)), 'empty')
    })

    it('refuses a value sealed by the other algorithm under the same key', () => {
      const key = AeadCipher.generateKey()
      const other = alg === 'aes256gcm' ? 'chacha20poly1305' : 'aes256gcm'
      const sealed = new AeadCipher(other, key).encrypt('x')
      assertDecryptFails(() => new AeadCipher(alg, key).decrypt(sealed), 'algorithm mismatch')
      const relabelled = Buffer.from(sealed)
      relabelled[1] = alg === 'aes256gcm' ? 1 : 2
      assertDecryptFails(() => new AeadCipher(alg, key).decrypt(relabelled), 'algorithm byte rewritten')
    })

    it('rotates keys: old values decrypt, report needsRotation, and re-encrypt under the current key', () => {
      const oldKey = AeadCipher.generateKey()
      const legacy = new AeadCipher(alg, oldKey)
      const oldValue = legacy.encrypt('secret', 'ctx')
      const ring = new AeadCipher(alg, {
        keys: { [legacy.keyId]: oldKey, v2: AeadCipher.generateKey() },
        current: 'v2',
      })
      assert.equal(ring.keyId, 'v2')
      assert.equal(ring.decryptText(oldValue, 'ctx'), 'secret')
      assert.equal(ring.needsRotation(oldValue), true)
      const rotated = ring.rotate(oldValue, 'ctx')
      assert.equal(ring.needsRotation(rotated), false)
      assert.equal(AeadCipher.inspect(rotated).keyId, 'v2')
      const newOnly = new AeadCipher(alg, { keys: { v2: ring.exportKey() }, current: 'v2' })
      assert.equal(newOnly.decryptText(rotated, 'ctx'), 'secret')
      assertDecryptFails(() => newOnly.decrypt(oldValue, 'ctx'), 'retired key')
    })

    it('generates, exports and fingerprints keys', () => {
      const cipher = new AeadCipher(alg)
      const key = cipher.exportKey()
      assert.equal(key.length, 32)
      assert.match(cipher.keyId, /^[0-9a-f]{8}$/)
      const again = new AeadCipher(alg, key)
      assert.equal(again.keyId, cipher.keyId) // stable across instances and restarts
      assert.equal(again.decryptText(cipher.encrypt('x')), 'x')
      key.fill(0) // the exported copy is the caller's; the cipher keeps its own
      assert.equal(cipher.decryptText(cipher.encrypt('y')), 'y')
      assert.notEqual(new AeadCipher(alg).keyId, cipher.keyId)
    })
  })
}

describe('AeadCipher arguments', () => {
  it('accepts the OpenSSL names', () => {
    assert.equal(new AeadCipher('aes-256-gcm').algorithm, 'aes256gcm')
    assert.equal(new AeadCipher('chacha20-poly1305').algorithm, 'chacha20poly1305')
  })

  it('validates algorithm, keys and keyring, naming what is wrong', () => {
    const key = AeadCipher.generateKey()
    const bad: [() => unknown, RegExp][] = [
      [() => new AeadCipher('aes128gcm' as never), /alg/],
      [() => new AeadCipher('aes256gcm', Buffer.alloc(16)), /key/],
      [() => new AeadCipher('aes256gcm', 'secret' as never), /key/],
      [() => new AeadCipher('aes256gcm', { keys: { a: key }, current: 'b' }), /current/],
      [() => new AeadCipher('aes256gcm', { keys: { a: Buffer.alloc(31) }, current: 'a' }), /keys\["a"\]/],
      [() => new AeadCipher('aes256gcm', { keys: { '': key }, current: '' }), /key id/],
      [() => new AeadCipher('aes256gcm', { keys: { ['x'.repeat(256)]: key }, current: 'x' }), /key id/],
      [() => new AeadCipher('aes256gcm', null as never), /keyring/],
      [() => new AeadCipher('aes256gcm').encrypt(5 as never), /plaintext/],
      [() => new AeadCipher('aes256gcm').decrypt('abc' as never), /sealed/],
      [() => AeadCipher.inspect([1, 2] as never), /sealed/],
    ]
    for (const [fn, message] of bad) assert.throws(fn, { code: 'ERR_INVALID_ARGUMENT', message })
    assert.throws(() => AeadCipher.inspect(Buffer.from([9, 9, 9])), { code: 'ERR_DECRYPT' })
  })
})
