import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { PasswordHasher } from '../../../src/crypto/password.js'

// pyca/bcrypt tests @ 96421628c699 and openwall crypt_blowfish wrapper.c @ 3354bb81eea4, whole files.
interface PycaVector {
  password_hex: string
  salt: string
  hash: string
}
interface OpenwallVector {
  kind: 'hash' | 'invalid_setting'
  hash?: string
  setting?: string
  password_hex: string
}

function load<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../vectors/bcrypt/${name}`, import.meta.url), 'utf8'))
}

const pyca = load<{ vectors: PycaVector[]; vectors_2y: PycaVector[] }>('pyca_bcrypt_vectors.json')
const openwall = load<{ vectors: OpenwallVector[] }>('openwall_crypt_blowfish_vectors.json').vectors
const verifier = new PasswordHasher('bcrypt')

/**
 * Openwall cases an OpenBSD-compatible bcrypt must NOT reproduce (the file's README): `$2x$` is
 * crypt_blowfish's deliberately buggy sign-extension mode, which differs from the standard result
 * on these 8-bit passwords (not on all: for `ffffa3` the bug happens to cancel out), and two `$2a$`
 * hashes carry crypt_blowfish's `$2a$` countermeasure for the same bug. Keyed "hash password_hex".
 */
const NON_STANDARD = new Set([
  '$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e a3',
  '$2a$05$/OK.fbVrR/bpIqNJ5ianF.nqd1wy.pTMdcvrRWxyiGL2eMz.2a85. ffffa3',
  '$2x$05$/OK.fbVrR/bpIqNJ5ianF.o./n25XVfn6oAPaUvHe.Csk4zRfsYPi 31a3333435',
  '$2x$05$/OK.fbVrR/bpIqNJ5ianF.o./n25XVfn6oAPaUvHe.Csk4zRfsYPi ffa3333435',
  '$2a$05$/OK.fbVrR/bpIqNJ5ianF.ZC1JEJ8Z4gPfpe1JOr/oyPXTWl9EFd. ffa33334ffffffa3333435',
  '$2x$05$6bNw2HLQYeqHYyBfLMsv/OiwqTymGIGzFsA4hOTWebfehXHNprcAS d191',
  '$2x$05$6bNw2HLQYeqHYyBfLMsv/O9LIGgn8OMzuDoHfof8AQimSGfcSWxnS d0c1d2cfccd8',
])

describe('bcrypt vectors (pyca/bcrypt)', () => {
  it('verifies all 26 $2a$/$2b$ cases, binary passwords included', async () => {
    assert.equal(pyca.vectors.length, 26)
    for (const v of pyca.vectors) {
      assert.equal(v.hash.startsWith(v.salt), true)
      assert.equal(await verifier.verifyPassword(Buffer.from(v.password_hex, 'hex'), v.hash), true, v.hash)
    }
  })

  it('verifies both $2y$ cases', async () => {
    assert.equal(pyca.vectors_2y.length, 2)
    for (const v of pyca.vectors_2y) {
      assert.equal(await verifier.verifyPassword(Buffer.from(v.password_hex, 'hex'), v.hash), true, v.hash)
    }
  })
})

describe('bcrypt vectors (openwall crypt_blowfish)', () => {
  const hashes = openwall.filter((v) => v.kind === 'hash')
  const settings = openwall.filter((v) => v.kind === 'invalid_setting')

  it('has 28 hash cases and 7 invalid settings', () => {
    assert.equal(hashes.length, 28)
    assert.equal(settings.length, 7)
  })

  it('verifies every standard case; the $2x$ 8-bit and $2a$ countermeasure cases do not match', async () => {
    let mismatches = 0
    for (const v of hashes) {
      const password = Buffer.from(v.password_hex, 'hex')
      const hash = v.hash!
      if (password.length > 72) continue // next test
      const buggyVariant = NON_STANDARD.has(`${hash} ${v.password_hex}`)
      if (buggyVariant) mismatches++
      assert.equal(await verifier.verifyPassword(password, hash), !buggyVariant, `${hash} ${v.password_hex}`)
    }
    assert.equal(mismatches, NON_STANDARD.size)
  })

  it('refuses passwords over 72 bytes (ERR_INVALID_ARGUMENT); bcrypt itself reads only 72', async () => {
    const long = hashes.filter((v) => v.password_hex.length > 144)
    assert.equal(long.length, 2)
    for (const v of long) {
      const password = Buffer.from(v.password_hex, 'hex')
      await assert.rejects(verifier.verifyPassword(password, v.hash!), { code: 'ERR_INVALID_ARGUMENT' })
      assert.equal(await verifier.verifyPassword(password.subarray(0, 72), v.hash!), true)
    }
  })

  it('rejects every invalid setting as a malformed hash (ERR_INVALID_ARGUMENT)', async () => {
    for (const v of settings) {
      await assert.rejects(
        verifier.verifyPassword('', v.setting!),
        { code: 'ERR_INVALID_ARGUMENT' },
        v.setting,
      )
    }
  })
})
