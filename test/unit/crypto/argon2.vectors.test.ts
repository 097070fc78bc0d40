import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import argon2Reference from 'argon2'
import {
  type Argon2Input,
  type Argon2Type,
  argon2Raw,
  type NodeArgon2,
  selectArgon2Engine,
} from '../../../src/crypto/argon2-engine.js'
import { argon2 } from '../../../src/crypto/kdf.js'
import { PasswordHasher } from '../../../src/crypto/password.js'
import { formatPhc } from '../../../src/crypto/phc.js'
import type { CovetError } from '../../../src/errors/covet-error.js'

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

/** The RFC KAT's inputs as covet's engine input. */
function rfcInput(v: RfcVector, version: 0x10 | 0x13 = 0x13): Argon2Input {
  return {
    type: v.type,
    version,
    memoryCost: v.m_kib,
    timeCost: v.t,
    parallelism: v.p,
    password: Buffer.from(v.password_hex, 'hex'),
    salt: Buffer.from(v.salt_hex, 'hex'),
    secret: Buffer.from(v.secret_hex, 'hex'),
    associatedData: Buffer.from(v.ad_hex, 'hex'),
    length: v.tag_len,
  }
}

/** The same input through the reference package (which takes X) with `raw` output. */
function referenceHash(input: Argon2Input): Promise<Buffer> {
  return argon2Reference.hash(input.password, {
    type: REFERENCE_TYPES[input.type],
    version: input.version,
    memoryCost: input.memoryCost,
    timeCost: input.timeCost,
    parallelism: input.parallelism,
    hashLength: input.length,
    salt: input.salt,
    ...(input.secret === undefined ? {} : { secret: input.secret }),
    ...(input.associatedData === undefined ? {} : { associatedData: input.associatedData }),
    raw: true,
  })
}

interface StandInCall {
  algorithm: string
  parameters: Parameters<NodeArgon2>[1]
}

/**
 * node:crypto.argon2 as documented for Node ≥ 24.7 (algorithm name, then message, nonce,
 * parallelism, tagLength, memory, passes, secret?, associatedData?), computed by the reference
 * package, which is always version 0x13 like node:crypto's. Records its calls.
 */
function standInNodeArgon2(calls: StandInCall[]): NodeArgon2 {
  return (algorithm, parameters, callback) => {
    calls.push({ algorithm, parameters })
    const { message, nonce, memory, passes, parallelism, tagLength, secret, associatedData } = parameters
    argon2Reference
      .hash(message, {
        type: REFERENCE_TYPES[algorithm],
        version: 0x13,
        memoryCost: memory,
        timeCost: passes,
        parallelism,
        hashLength: tagLength,
        salt: nonce,
        ...(secret === undefined ? {} : { secret }),
        ...(associatedData === undefined ? {} : { associatedData }),
        raw: true,
      })
      .then(
        (tag) => callback(null, tag),
        (error: Error) => callback(error, Buffer.alloc(0)),
      )
  }
}

describe('Argon2 RFC 9106 §5 KATs (rfc9106_kat_summary.json)', () => {
  it('has the 3 KATs, each with a secret K and associated data X', () => {
    assert.deepEqual(
      rfc.map((v) => v.type),
      ['argon2d', 'argon2i', 'argon2id'],
    )
    for (const v of rfc) assert.ok(v.secret_hex.length > 0 && v.ad_hex.length > 0)
  })

  for (const v of rfc) {
    it(`${v.type} m=${v.m_kib} t=${v.t} p=${v.p}: covet's argon2() gives the RFC tag`, async () => {
      const tag = await argon2(Buffer.from(v.password_hex, 'hex'), Buffer.from(v.salt_hex, 'hex'), {
        type: v.type,
        memoryCost: v.m_kib,
        timeCost: v.t,
        parallelism: v.p,
        length: v.tag_len,
        secret: Buffer.from(v.secret_hex, 'hex'),
        associatedData: Buffer.from(v.ad_hex, 'hex'),
      })
      assert.equal(tag.toString('hex'), v.tag_hex)
    })

    it(`${v.type}: the reference package gives the RFC tag, and agrees with covet without X`, async () => {
      const input = rfcInput(v)
      assert.equal((await referenceHash(input)).toString('hex'), v.tag_hex)
      // Without X the input goes to @node-rs/argon2: its K must be the reference's K.
      const { associatedData: _, ...withoutAd } = input
      const covet = await argon2Raw(withoutAd)
      assert.deepEqual(covet, await referenceHash(withoutAd))
      assert.notEqual(covet.toString('hex'), v.tag_hex)
    })

    it(`${v.type}: an injected node:crypto.argon2 gets the documented parameters and gives the RFC tag`, async () => {
      const calls: StandInCall[] = []
      const input = rfcInput(v)
      const tag = await selectArgon2Engine(standInNodeArgon2(calls))(input)
      assert.equal(tag.toString('hex'), v.tag_hex)
      assert.deepEqual(calls, [
        {
          algorithm: v.type,
          parameters: {
            message: input.password,
            nonce: input.salt,
            parallelism: v.p,
            tagLength: v.tag_len,
            memory: v.m_kib,
            passes: v.t,
            secret: input.secret,
            associatedData: input.associatedData,
          },
        },
      ])
    })
  }

  it('node:crypto.argon2 is used only for X at version 0x13; without X, or at 0x10, it is not', async () => {
    const calls: StandInCall[] = []
    const engine = selectArgon2Engine(standInNodeArgon2(calls))
    const v = rfc[2]!
    // No X, or an empty X (the same H_0): @node-rs/argon2.
    const { associatedData: _, ...withoutAd } = rfcInput(v)
    const expected = await referenceHash(withoutAd)
    assert.deepEqual(await engine(withoutAd), expected)
    assert.deepEqual(await engine({ ...withoutAd, associatedData: Buffer.alloc(0) }), expected)
    // X at version 0x10, which node:crypto.argon2 cannot compute: the argon2 package.
    const legacy = rfcInput(v, 0x10)
    const legacyTag = await engine(legacy)
    assert.deepEqual(legacyTag, await referenceHash(legacy))
    assert.notEqual(legacyTag.toString('hex'), v.tag_hex)
    assert.deepEqual(calls, [])
  })

  it('a failing node:crypto.argon2 surfaces as ERR_CRYPTO with the cause', async () => {
    const input = rfcInput(rfc[2]!)
    const cause = new Error('stand-in failure')
    const throwing: NodeArgon2 = () => {
      throw cause
    }
    const callingBack: NodeArgon2 = (_algorithm, _parameters, callback) => {
      setImmediate(() => callback(cause, Buffer.alloc(0)))
    }
    for (const nodeArgon2 of [throwing, callingBack]) {
      await assert.rejects(selectArgon2Engine(nodeArgon2)(input), (error: CovetError) => {
        assert.equal(error.code, 'ERR_CRYPTO')
        assert.equal(error.cause, cause)
        return true
      })
    }
  })

  it('a node:crypto without Argon2 in its OpenSSL (< 3.2) falls back to the argon2 package', async () => {
    const v = rfc[2]!
    const unsupported: NodeArgon2 = () => {
      // What Node ≥ 24.7 throws when built on a shared OpenSSL without Argon2.
      throw Object.assign(new Error('Argon2 is not supported'), { code: 'ERR_CRYPTO_ARGON2_NOT_SUPPORTED' })
    }
    const tag = await selectArgon2Engine(unsupported)(rfcInput(v))
    assert.equal(tag.toString('hex'), v.tag_hex)
  })

  it('an engine failure on the associated-data path surfaces as ERR_CRYPTO', async () => {
    // A salt shorter than 8 bytes, past argon2()'s checks: the argon2 package refuses it.
    const input = { ...rfcInput(rfc[2]!), salt: Buffer.alloc(4) }
    await assert.rejects(selectArgon2Engine(undefined)(input), { code: 'ERR_CRYPTO' })
  })
})
