import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { type AeadCipherName, open, sealInto } from '../../../src/crypto/aead-primitive.js'
import { Hmac, type HmacAlgorithm } from '../../../src/crypto/hmac.js'
import { hkdf, hkdfSync, type KdfAlgorithm, type Pbkdf2Algorithm, pbkdf2 } from '../../../src/crypto/kdf.js'

// Project Wycheproof (C2SP/wycheproof @ dac1dd4729fd), whole files; see test/vectors/wycheproof/README.md.
interface TestCase {
  tcId: number
  comment: string
  flags: string[]
  result: 'valid' | 'invalid' | 'acceptable'
  [field: string]: unknown
}
interface TestGroup {
  keySize?: number
  ivSize?: number
  tagSize?: number
  tests: TestCase[]
}
interface VectorFile {
  algorithm: string
  numberOfTests: number
  testGroups: TestGroup[]
}

function load(name: string): VectorFile {
  const file = JSON.parse(
    readFileSync(new URL(`../../vectors/wycheproof/${name}`, import.meta.url), 'utf8'),
  ) as VectorFile
  const count = file.testGroups.reduce((n, g) => n + g.tests.length, 0)
  assert.equal(count, file.numberOfTests, `${name}: every test case is present`)
  return file
}

const hex = (value: unknown) => Buffer.from(value as string, 'hex')
const label = (t: TestCase) => `tcId ${t.tcId} (${t.comment || t.flags.join(',')})`

function checkAead(file: VectorFile, nameFor: (keyBits: number) => AeadCipherName) {
  let refusedLongIv = 0
  for (const group of file.testGroups) {
    const name = nameFor(group.keySize!)
    for (const t of group.tests) {
      const [key, iv, aad, msg, ct, tag] = [t.key, t.iv, t.aad, t.msg, t.ct, t.tag].map(hex) as Buffer[]
      const opened = () => open(name, key!, iv!, aad!, ct!, tag!)
      // Node (OpenSSL 3 via node:crypto) refuses GCM IVs longer than 256 bytes, so the 257-byte-IV
      // cases fail on both sides even though Wycheproof marks them valid (issue 7).
      if (group.ivSize === 2056) {
        assert.equal(t.result, 'valid', label(t))
        assert.throws(opened, { code: 'ERR_DECRYPT' }, label(t))
        assert.throws(() => sealInto(name, key!, iv!, aad!, msg!, Buffer.alloc(msg!.length + 16), 0), {
          code: 'ERR_CRYPTO',
        })
        refusedLongIv++
        continue
      }
      if (t.result === 'invalid') {
        assert.throws(opened, { code: 'ERR_DECRYPT', message: 'Decryption failed' }, label(t))
        continue
      }
      assert.deepEqual(opened(), msg, label(t))
      const out = Buffer.alloc(msg!.length + 16)
      sealInto(name, key!, iv!, aad!, msg!, out, 0)
      assert.deepEqual(out, Buffer.concat([ct!, tag!]), label(t))
    }
  }
  return refusedLongIv
}

describe('Wycheproof AEAD vectors', () => {
  it('AES-GCM (aes_gcm_test.json): all cases; exactly the 3 257-byte-IV cases are refused', () => {
    const file = load('aes_gcm_test.json')
    assert.equal(
      checkAead(file, (bits) => `aes-${bits}-gcm` as AeadCipherName),
      3,
    )
  })

  it('ChaCha20-Poly1305 (chacha20_poly1305_test.json): all cases', () => {
    const file = load('chacha20_poly1305_test.json')
    assert.equal(
      checkAead(file, () => 'chacha20-poly1305'),
      0,
    )
  })
})

describe('Wycheproof HMAC vectors', () => {
  for (const [alg, name] of [
    ['sha256', 'hmac_sha256_test.json'],
    ['sha384', 'hmac_sha384_test.json'],
    ['sha512', 'hmac_sha512_test.json'],
  ] as const) {
    it(`HMAC-${alg} (${name}): valid tags match, invalid ones do not`, () => {
      const file = load(name)
      for (const group of file.testGroups) {
        for (const t of group.tests) {
          const [key, msg, tag] = [t.key, t.msg, t.tag].map(hex) as Buffer[]
          const hmac = alg as HmacAlgorithm
          // Groups with tagSize below the hash length compare a truncated tag (Wycheproof MAC schema).
          const computed = Hmac.digest(hmac, key!, msg!).subarray(0, group.tagSize! / 8)
          assert.equal(computed.equals(tag!), t.result === 'valid', label(t))
          if (group.tagSize! / 8 === new Hmac(hmac, key!).digestLength) {
            assert.equal(Hmac.verify(hmac, key!, msg!, tag!), t.result === 'valid', label(t))
          }
        }
      }
    })
  }
})

describe('Wycheproof HKDF vectors', () => {
  for (const [alg, name] of [
    ['sha256', 'hkdf_sha256_test.json'],
    ['sha384', 'hkdf_sha384_test.json'],
    ['sha512', 'hkdf_sha512_test.json'],
  ] as const) {
    it(`HKDF-${alg} (${name}): outputs match; oversize lengths are ERR_INVALID_ARGUMENT`, async () => {
      const file = load(name)
      for (const group of file.testGroups) {
        for (const t of group.tests) {
          const [ikm, salt, info, okm] = [t.ikm, t.salt, t.info, t.okm].map(hex) as Buffer[]
          const size = t.size as number
          const kdf = alg as KdfAlgorithm
          if (t.result === 'invalid') {
            assert.throws(() => hkdfSync(kdf, ikm!, salt!, info!, size), { code: 'ERR_INVALID_ARGUMENT' })
            await assert.rejects(async () => hkdf(kdf, ikm!, salt!, info!, size), {
              code: 'ERR_INVALID_ARGUMENT',
            })
            continue
          }
          assert.deepEqual(hkdfSync(kdf, ikm!, salt!, info!, size), okm, label(t))
          assert.deepEqual(await hkdf(kdf, ikm!, salt!, info!, size), okm, label(t))
        }
      }
    })
  }
})

describe('Wycheproof PBKDF2 vectors', () => {
  for (const [alg, name] of [
    ['sha1', 'pbkdf2_hmacsha1_test.json'],
    ['sha256', 'pbkdf2_hmacsha256_test.json'],
    ['sha384', 'pbkdf2_hmacsha384_test.json'],
    ['sha512', 'pbkdf2_hmacsha512_test.json'],
  ] as const) {
    it(`PBKDF2-HMAC-${alg} (${name}): every derived key matches`, async () => {
      const file = load(name)
      const cases = file.testGroups.flatMap((g) => g.tests)
      assert.ok(cases.every((t) => t.result === 'valid'))
      const derived = await Promise.all(
        cases.map((t) =>
          pbkdf2(
            alg as Pbkdf2Algorithm,
            hex(t.password),
            hex(t.salt),
            t.iterationCount as number,
            t.dkLen as number,
          ),
        ),
      )
      for (const [i, t] of cases.entries()) assert.deepEqual(derived[i], hex(t.dk), label(t))
    })
  }
})
