import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { argon2id as nobleArgon2idSync } from '@noble/hashes/argon2.js'
import argon2Reference from 'argon2'
import { type Argon2KdfOptions, argon2 } from '../../../src/crypto/index.js'
import { BUSY_BOUND_MS, probeLoop } from '../../support/event-loop-probe.js'

const SALT = Buffer.alloc(16, 2)
const FAST = { memoryCost: 32, timeCost: 1 } as const

describe('argon2() KDF', () => {
  it('defaults to argon2id, v=0x13, m=19456 KiB, t=2, p=1, 32 bytes (the reference agrees)', async () => {
    const tag = await argon2('password', SALT)
    const reference = await argon2Reference.hash('password', {
      type: argon2Reference.argon2id,
      version: 0x13,
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
      hashLength: 32,
      salt: SALT,
      raw: true,
    })
    assert.deepEqual(tag, reference)
  })

  it('takes strings as UTF-8 and an empty X as no X (RFC 9106 H_0 hashes LE32(0) either way)', async () => {
    const fromBytes = await argon2(Buffer.from('pässword'), SALT, { ...FAST, secret: Buffer.from('k') })
    assert.deepEqual(await argon2('pässword', SALT, { ...FAST, secret: 'k' }), fromBytes)
    assert.deepEqual(await argon2('pässword', SALT, { ...FAST, secret: 'k', associatedData: '' }), fromBytes)
    assert.notDeepEqual(
      await argon2('pässword', SALT, { ...FAST, secret: 'k', associatedData: 'x' }),
      fromBytes,
    )
  })

  it('gives the requested length, and version 0x10 differs from 0x13', async () => {
    assert.equal((await argon2('pw', SALT, { ...FAST, length: 4 })).byteLength, 4)
    assert.equal((await argon2('pw', SALT, { ...FAST, length: 1000 })).byteLength, 1000)
    const v10 = await argon2('pw', SALT, { ...FAST, version: 0x10 })
    assert.notDeepEqual(v10, await argon2('pw', SALT, FAST))
  })

  it('rejects bad arguments with ERR_INVALID_ARGUMENT, before any hashing', async () => {
    const bad: [unknown, unknown, unknown, RegExp][] = [
      [42, SALT, undefined, /password must be a string or a Uint8Array/],
      ['pw', null, undefined, /salt must be a string or a Uint8Array/],
      ['pw', Buffer.alloc(7), undefined, /salt must be at least 8 bytes/],
      ['pw', SALT, 'fast', /options must be an object/],
      ['pw', SALT, { memorycost: 64 }, /options.memorycost is not a known option/],
      ['pw', SALT, { type: 'argon2' }, /type must be one of argon2id, argon2i, argon2d/],
      ['pw', SALT, { version: 0x12 }, /version must be 0x13 or 0x10/],
      ['pw', SALT, { parallelism: 0 }, /parallelism must be an integer from 1 to 16777215/],
      ['pw', SALT, { parallelism: 2 ** 24 }, /parallelism/],
      ['pw', SALT, { parallelism: 4, memoryCost: 31 }, /memoryCost must be an integer from 32 to 4194304/],
      ['pw', SALT, { memoryCost: 4 * 1024 * 1024 + 1 }, /memoryCost/],
      ['pw', SALT, { memoryCost: 64.5 }, /memoryCost/],
      ['pw', SALT, { timeCost: 0 }, /timeCost must be an integer from 1 to 4294967295/],
      ['pw', SALT, { length: 3 }, /length must be an integer from 4 to 4294967295/],
      ['pw', SALT, { length: '32' }, /length/],
      ['pw', SALT, { secret: 7 }, /options.secret must be a string or a Uint8Array/],
      ['pw', SALT, { associatedData: [1] }, /options.associatedData must be a string or a Uint8Array/],
    ]
    for (const [password, salt, options, message] of bad) {
      const call = argon2(password as string, salt as string, options as Argon2KdfOptions)
      await assert.rejects(call, { code: 'ERR_INVALID_ARGUMENT', message }, String(message))
    }
  })
})

// The loop probe and its bound are password-event-loop.test.ts's (test/support/event-loop-probe.ts).
// @noble/hashes' synchronous Argon2 is an independent engine here: a known loop-blocking workload
// for the probe, and a second computation of the expected tag.
const OWASP = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const
const AD = Buffer.alloc(12, 4)

describe('argon2() with associated data keeps the event loop free', () => {
  it('the probe catches a synchronous Argon2 with X (so the check below can fail)', async () => {
    const probe = await probeLoop(() =>
      nobleArgon2idSync('password', SALT, { t: 2, m: 19456, p: 1, personalization: AD }),
    )
    assert.ok(probe.busyMs > 3 * BUSY_BOUND_MS, `the probe saw only ${probe.busyMs} ms`)
  })

  it('m=19456 KiB, t=2, p=1 with X: the loop thread never works 10 ms at a stretch', async (t) => {
    const expected = nobleArgon2idSync('password', SALT, { t: 2, m: 19456, p: 1, personalization: AD })
    // Up to 3 attempts, judged by the best: a GC pause or another suite's burst can land on one,
    // while an engine that did not yield would block every attempt for 100+ ms.
    let best: { busyMs: number; gapMs: number } | undefined
    for (let attempt = 0; attempt < 3 && !(best && best.busyMs < BUSY_BOUND_MS); attempt++) {
      let tag: Buffer | undefined
      const probe = await probeLoop(async () => {
        tag = await argon2('password', SALT, { ...OWASP, associatedData: AD })
      })
      assert.deepEqual(tag, Buffer.from(expected))
      t.diagnostic(
        `loop thread busy <= ${probe.busyMs.toFixed(2)} ms per tick; gap <= ${probe.gapMs.toFixed(1)} ms`,
      )
      if (!best || probe.busyMs < best.busyMs) best = probe
    }
    assert.ok(best!.busyMs < BUSY_BOUND_MS, `the loop was busy ${best!.busyMs.toFixed(2)} ms at a stretch`)
  })
})
