import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  type PasswordAlgorithm,
  PasswordHasher,
  type PasswordHasherOptions,
} from '../../../src/crypto/password.js'

// Cheap parameters keep the suite fast; the defaults are checked once below and in the event-loop test.
const FAST: { [A in PasswordAlgorithm]: PasswordHasherOptions<A> } = {
  argon2: { memoryCost: 1024, timeCost: 1 },
  bcrypt: { cost: 4 },
  scrypt: { cost: 2 ** 10 },
  pbkdf2: { iterations: 1000 },
}
const SLOWER: { [A in PasswordAlgorithm]: PasswordHasherOptions<A> } = {
  argon2: { memoryCost: 2048, timeCost: 1 },
  bcrypt: { cost: 5 },
  scrypt: { cost: 2 ** 11 },
  pbkdf2: { iterations: 2000 },
}
const FORMATS: Record<PasswordAlgorithm, RegExp> = {
  argon2: /^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
  bcrypt: /^\$2b\$04\$[./A-Za-z0-9]{53}$/,
  scrypt: /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
  pbkdf2: /^\$pbkdf2-sha256\$i=1000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
}
const ALGORITHMS = Object.keys(FAST) as PasswordAlgorithm[]
const fast = (alg: PasswordAlgorithm, extra: object = {}) =>
  new PasswordHasher(alg, { ...FAST[alg], ...extra })

describe('PasswordHasher', () => {
  for (const alg of ALGORITHMS) {
    describe(alg, () => {
      it('hashes to its documented format with a fresh salt, and verifies', async () => {
        const hasher = fast(alg)
        const [a, b] = await Promise.all([
          hasher.hashPassword('correct horse'),
          hasher.hashPassword('correct horse'),
        ])
        assert.match(a, FORMATS[alg])
        assert.notEqual(a, b)
        assert.equal(await hasher.verifyPassword('correct horse', a), true)
        assert.equal(await hasher.verifyPassword(Buffer.from('correct horse'), b), true)
        assert.equal(await hasher.verifyPassword('correct horsE', a), false)
        assert.equal(await hasher.verifyPassword('', a), false)
        assert.equal(await hasher.verifyPassword('pässwörd', await hasher.hashPassword('pässwörd')), true)
      })

      it('verifies hashes made under other parameters and flags them with needsRehash', async () => {
        const old = await fast(alg).hashPassword('pw')
        const current = new PasswordHasher(alg, SLOWER[alg] as never)
        assert.equal(await current.verifyPassword('pw', old), true)
        assert.equal(current.needsRehash(old), true)
        assert.equal(current.needsRehash(await current.hashPassword('pw')), false)
        assert.equal(fast(alg).needsRehash(old), false)
      })

      it('applies the pepper: the same pepper verifies; none or another does not', async () => {
        const peppered = fast(alg, { pepper: 'server secret' })
        const hash = await peppered.hashPassword('pw')
        assert.equal(await peppered.verifyPassword('pw', hash), true)
        assert.equal(
          await fast(alg, { pepper: Buffer.from('server secret') }).verifyPassword('pw', hash),
          true,
        )
        assert.equal(await fast(alg).verifyPassword('pw', hash), false)
        assert.equal(await fast(alg, { pepper: 'other secret' }).verifyPassword('pw', hash), false)
        assert.equal(await peppered.verifyPassword('pw', await fast(alg).hashPassword('pw')), false)
      })

      it('verifies every other algorithm and says those hashes need a rehash', async () => {
        const hasher = fast(alg)
        for (const other of ALGORITHMS) {
          const hash = await fast(other).hashPassword('migrate me')
          assert.equal(await hasher.verifyPassword('migrate me', hash), true, other)
          assert.equal(await hasher.verifyPassword('migrate mE', hash), false, other)
          assert.equal(hasher.needsRehash(hash), other !== alg, other)
        }
      })
    })
  }

  it('uses the documented defaults (OWASP): argon2id 19 MiB/2/1, bcrypt 12, scrypt 2^17/8/1, PBKDF2 600k', async () => {
    const prefixes: Record<PasswordAlgorithm, string> = {
      argon2: '$argon2id$v=19$m=19456,t=2,p=1$',
      bcrypt: '$2b$12$',
      scrypt: '$scrypt$ln=17,r=8,p=1$',
      pbkdf2: '$pbkdf2-sha256$i=600000$',
    }
    for (const alg of ALGORITHMS) {
      const hash = await new PasswordHasher(alg).hashPassword('pw')
      assert.ok(hash.startsWith(prefixes[alg]), hash)
      assert.equal(new PasswordHasher(alg).needsRehash(hash), false)
    }
  })

  it('argon2 and scrypt needsRehash also notice output and salt length changes', async () => {
    const short = await fast('argon2', { hashLength: 16 }).hashPassword('pw')
    assert.equal(fast('argon2').needsRehash(short), true)
    const smallSalt = await fast('scrypt', { saltLength: 8 }).hashPassword('pw')
    assert.equal(fast('scrypt').needsRehash(smallSalt), true)
    const sha512 = await fast('pbkdf2', { digest: 'sha512' }).hashPassword('pw')
    assert.match(sha512, /^\$pbkdf2-sha512\$i=1000\$/)
    assert.equal(fast('pbkdf2').needsRehash(sha512), true)
    assert.equal(await fast('pbkdf2').verifyPassword('pw', sha512), true)
  })
})

describe('PasswordHasher bcrypt length limit', () => {
  it('accepts 72 bytes and refuses 73 (counted in UTF-8 bytes) without prehash', async () => {
    const hasher = fast('bcrypt')
    const hash = await hasher.hashPassword('é'.repeat(36))
    assert.equal(await hasher.verifyPassword('é'.repeat(36), hash), true)
    await assert.rejects(hasher.hashPassword(`${'é'.repeat(36)}x`), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /72/,
    })
    await assert.rejects(hasher.verifyPassword('x'.repeat(73), hash), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('prehash: long passwords keep every byte significant; hashes are not interchangeable', async () => {
    const prehashed = fast('bcrypt', { prehash: true })
    const long = 'p'.repeat(100)
    const hash = await prehashed.hashPassword(long)
    assert.equal(await prehashed.verifyPassword(long, hash), true)
    assert.equal(await prehashed.verifyPassword(`${'p'.repeat(99)}q`, hash), false)
    assert.equal(await prehashed.verifyPassword('p'.repeat(72), hash), false)
    assert.equal(await fast('bcrypt').verifyPassword('short', await prehashed.hashPassword('short')), false)
    // NUL bytes are significant too: the base64 pre-hash never hands bcrypt a NUL.
    const withNul = await prehashed.hashPassword('a\0b')
    assert.equal(await prehashed.verifyPassword('a\0c', withNul), false)
  })
})

describe('PasswordHasher arguments and malformed hashes', () => {
  it('validates the algorithm and its options, naming the option', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => new PasswordHasher('md5' as never), /alg/],
      [() => new PasswordHasher('bcrypt', { cost: 3 }), /cost/],
      [() => new PasswordHasher('bcrypt', { prehash: 'yes' as never }), /prehash/],
      [() => new PasswordHasher('scrypt', { cost: 1000 }), /power of two/],
      [() => new PasswordHasher('scrypt', { cost: 2 ** 20, blockSize: 16 }), /1 GiB/],
      [() => new PasswordHasher('pbkdf2', { iterations: 999 }), /iterations/],
      [() => new PasswordHasher('pbkdf2', { digest: 'md5' as never }), /digest/],
      [() => new PasswordHasher('argon2', { memoryCost: 4 }), /memoryCost/],
      [() => new PasswordHasher('argon2', { parallelism: 0 }), /parallelism/],
      [() => new PasswordHasher('argon2', { pepper: '' }), /pepper/],
      [() => new PasswordHasher('argon2', { pepper: 12 as never }), /pepper/],
      [() => new PasswordHasher('argon2', 'fast' as never), /options/],
      [() => new PasswordHasher('argon2', { memorycost: 1024 } as never), /options.memorycost/],
      [() => new PasswordHasher('bcrypt', { memoryCost: 1024 } as never), /options.memoryCost/],
    ]
    for (const [fn, message] of bad) assert.throws(fn, { code: 'ERR_INVALID_ARGUMENT', message })
  })

  it('rejects malformed or out-of-range stored hashes with ERR_INVALID_ARGUMENT', async () => {
    const hasher = fast('argon2')
    const salt = 'c29tZXNhbHQ'
    const tag = 'ojnMcty0iQy0wVzFD613uT4EgzLzcpi6Kq3yufacDP4'
    const malformed = [
      '',
      'plaintext',
      '$md5$abc',
      '$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ',
      `$argon2id$v=19$m=1024,t=1$${salt}$${tag}`,
      `$argon2id$v=19$m=1024,t=1,p=1,x=2$${salt}$${tag}`,
      `$argon2id$v=18$m=1024,t=1,p=1$${salt}$${tag}`,
      `$argon2id$v=19$m=99999999,t=1,p=1$${salt}$${tag}`,
      `$argon2id$v=19$m=1024,t=1,p=1$${salt}$${tag}=`,
      `$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHR$${tag}`,
      `$argon2id$v=19$m=01024,t=1,p=1$${salt}$${tag}`,
      `$scrypt$ln=30,r=8,p=1$${salt}$${tag}`,
      `$scrypt$ln=10,r=8$${salt}$${tag}`,
      `$pbkdf2-sha1$i=1000$${salt}$${tag}`,
      `$pbkdf2-sha256$i=1000$${salt}$AAAA`,
      '$2b$03$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui',
      '$2b$10$short',
    ]
    for (const hash of malformed) {
      await assert.rejects(hasher.verifyPassword('pw', hash), { code: 'ERR_INVALID_ARGUMENT' }, hash)
      if (hash.startsWith('$argon2'))
        assert.throws(() => hasher.needsRehash(hash), { code: 'ERR_INVALID_ARGUMENT' })
    }
    await assert.rejects(hasher.verifyPassword('pw', 42 as never), { message: /hash/ })
    await assert.rejects(hasher.hashPassword(null as never), { message: /password/ })
    assert.throws(() => hasher.needsRehash('nope'), { code: 'ERR_INVALID_ARGUMENT' })
  })
})
