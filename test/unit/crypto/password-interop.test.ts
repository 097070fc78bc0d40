import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import argon2 from 'argon2'
import bcrypt from 'bcrypt'
import bcryptjs from 'bcryptjs'
import { PasswordHasher } from '../../../src/crypto/password.js'

// Interop with the reference packages (devDependencies): covet's hashes verify there, theirs here.
const passwords = ['correct horse battery staple', 'pässwörd €', '']

describe('argon2 interop with the `argon2` package', () => {
  const covet = new PasswordHasher('argon2', { memoryCost: 4096, timeCost: 2 })

  it("covet's hashes verify with argon2.verify, and its needsRehash agrees on the parameters", async () => {
    for (const password of passwords) {
      const hash = await covet.hashPassword(password)
      assert.equal(await argon2.verify(hash, password), true)
      assert.equal(await argon2.verify(hash, `${password}x`), false)
      assert.equal(argon2.needsRehash(hash, { memoryCost: 4096, timeCost: 2, parallelism: 1 }), false)
    }
  })

  it("the package's hashes (its own defaults, argon2i and argon2d too) verify with covet", async () => {
    for (const password of passwords) {
      for (const type of [argon2.argon2id, argon2.argon2i, argon2.argon2d] as const) {
        const hash = await argon2.hash(password, { type, memoryCost: 4096 })
        assert.equal(await covet.verifyPassword(password, hash), true, hash)
        assert.equal(await covet.verifyPassword(`${password}x`, hash), false)
        assert.equal(covet.needsRehash(hash), true) // other t/p, and only argon2id is current
      }
      const defaults = await argon2.hash(password)
      assert.equal(await covet.verifyPassword(password, defaults), true, defaults)
    }
  })

  it("the pepper is Argon2's secret input, as the package passes it", async () => {
    const secret = Buffer.from('pepper from the vault')
    const peppered = new PasswordHasher('argon2', { memoryCost: 4096, pepper: secret })
    const hash = await peppered.hashPassword('pw')
    assert.equal(await argon2.verify(hash, 'pw', { secret }), true)
    assert.equal(await argon2.verify(hash, 'pw'), false)
    const theirs = await argon2.hash('pw', { memoryCost: 4096, secret })
    assert.equal(await peppered.verifyPassword('pw', theirs), true)
  })
})

describe('bcrypt interop with `bcrypt` and `bcryptjs`', () => {
  const covet = new PasswordHasher('bcrypt', { cost: 5 })

  it("covet's $2b$ hashes verify with both packages", async () => {
    for (const password of passwords) {
      const hash = await covet.hashPassword(password)
      assert.equal(await bcrypt.compare(password, hash), true)
      assert.equal(await bcryptjs.compare(password, hash), true)
      assert.equal(await bcrypt.compare(`${password}x`, hash), false)
    }
  })

  it("both packages' hashes ($2b$ and bcryptjs's $2b$) verify with covet; other costs need a rehash", async () => {
    for (const password of passwords) {
      const native = await bcrypt.hash(password, 5)
      const js = await bcryptjs.hash(password, 4)
      assert.equal(await covet.verifyPassword(password, native), true, native)
      assert.equal(await covet.verifyPassword(password, js), true, js)
      assert.equal(await covet.verifyPassword(`${password}x`, native), false)
      assert.equal(covet.needsRehash(native), false)
      assert.equal(covet.needsRehash(js), true)
    }
  })
})
