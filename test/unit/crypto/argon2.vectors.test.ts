import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import argon2Reference from 'argon2'
import { type Argon2Type, argon2Raw } from '../../../src/crypto/argon2-engine.js'
import { PasswordHasher } from '../../../src/crypto/password.js'
import { formatPhc } from '../../../src/crypto/phc.js'

// P-H-C/phc-winner-argon2 @ f57e61e19229: src/test.c vectors and the RFC 9106 §5 KATs, whole files.
interface PhcVector {
  type: Argon2Type
  version: 16 | 19
  t: number
  m_kib: number
  p: number
  password: string
  salt: string
  tag_len: number
  hash_hex: string
  encoded: string
  large_ram_only: boolean
}
interface RfcVector {
  type: Argon2Type
  version: 19
  m_kib: number
  t: number
  p: number
  tag_len: number
  password_hex: string
  salt_hex: string
  secret_hex: string
  ad_hex: string
  tag_hex: string
}

function load<T>(name: string): { vectors: T[] } {
  return JSON.parse(readFileSync(new URL(`../../vectors/argon2/${name}`, import.meta.url), 'utf8'))
}

/** The reference package numbers its types (argon2d = 0, argon2i = 1, argon2id = 2). */
const REFERENCE_TYPES = { argon2d: 0, argon2i: 1, argon2id: 2 } as const

const phc = load<PhcVector>('phc_test_c_vectors.json').vectors
const rfc = load<RfcVector>('rfc9106_kat_summary.json').vectors

describe('Argon2 reference vectors (phc-winner-argon2 src/test.c)', () => {
  const verifier = new PasswordHasher('argon2')
  it('has all 26 cases, 2 of them 1 GiB', () => {
    assert.equal(phc.length, 26)
    assert.equal(phc.filter((v) => v.large_ram_only).length, 2)
  })

  // One at a time: the two 1 GiB cases (upstream's TEST_LARGE_RAM) run too, and fit in memory here.
  for (const v of phc) {
    const title = `${v.encoded.slice(0, v.encoded.lastIndexOf('$'))}, password "${v.password}"`
    it(title, async () => {
      const tag = await argon2Raw({
        type: v.type,
        version: v.version === 19 ? 0x13 : 0x10,
        memoryCost: v.m_kib,
        timeCost: v.t,
        parallelism: v.p,
        password: Buffer.from(v.password),
        salt: Buffer.from(v.salt),
        length: v.tag_len,
      })
      assert.equal(tag.toString('hex'), v.hash_hex)
      // covet writes the reference encoding (version 0x10 strings carry no "v=") ...
      const params = [
        ['m', v.m_kib],
        ['t', v.t],
        ['p', v.p],
      ] as const
      const version = v.version === 19 ? 19 : undefined
      assert.equal(formatPhc(v.type, version, params, Buffer.from(v.salt), tag), v.encoded)
      // ... and verifies it, reading every parameter from the string.
      if (!v.large_ram_only) assert.equal(await verifier.verifyPassword(v.password, v.encoded), true)
    })
  }

  it('rejects the wrong password for a test.c hash', async () => {
    const v = phc.find((x) => x.type === 'argon2id' && x.m_kib === 256 && x.p === 1)!
    assert.equal(await verifier.verifyPassword('passwort', v.encoded), false)
  })
})

describe('Argon2 RFC 9106 §5 KATs (rfc9106_kat_summary.json)', () => {
  // The KATs use both a secret K and associated data X. covet's engine (@node-rs/argon2) exposes K
  // (covet's pepper) but not X, so the full tag is checked on the reference `argon2` package, and
  // covet is tied to it with the same inputs minus X: same parameters, same secret, same output.
  for (const v of rfc) {
    it(`${v.type} m=${v.m_kib} t=${v.t} p=${v.p} with secret`, async () => {
      const inputs = {
        type: REFERENCE_TYPES[v.type],
        memoryCost: v.m_kib,
        timeCost: v.t,
        parallelism: v.p,
        hashLength: v.tag_len,
        salt: Buffer.from(v.salt_hex, 'hex'),
        secret: Buffer.from(v.secret_hex, 'hex'),
        version: 0x13,
        raw: true as const,
      }
      const password = Buffer.from(v.password_hex, 'hex')
      const full = await argon2Reference.hash(password, {
        ...inputs,
        associatedData: Buffer.from(v.ad_hex, 'hex'),
      })
      assert.equal(full.toString('hex'), v.tag_hex, 'reference package reproduces the RFC tag')
      const withoutAd = await argon2Reference.hash(password, inputs)
      const covet = await argon2Raw({
        type: v.type,
        version: 0x13,
        memoryCost: v.m_kib,
        timeCost: v.t,
        parallelism: v.p,
        password,
        salt: inputs.salt,
        secret: inputs.secret,
        length: v.tag_len,
      })
      assert.deepEqual(covet, withoutAd)
      assert.notDeepEqual(covet, full)
    })
  }
})
