/**
 * covet/crypto beside raw node:crypto (wrapper overhead), @noble/hashes and hash-wasm (hashing),
 * and argon2 / bcrypt / bcryptjs (password hashing) on the same data and parameters (issue 7).
 * Throughput on 1 MiB buffers is printed in MiB/s (one op = 1 MiB); AEAD and HMAC on 1 KiB in ops/s;
 * password hashes in hashes/s with the median ms per hash.
 * Run: node scripts/bench.mjs crypto
 */
import * as nodeCrypto from 'node:crypto'
import { blake3 as napiBlake3 } from '@napi-rs/blake-hash'
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { hash as nodeRsArgon2 } from '@node-rs/argon2'
import argon2 from 'argon2'
import bcrypt from 'bcrypt'
import bcryptjs from 'bcryptjs'
import { createBLAKE3, createSHA256, argon2id as wasmArgon2id } from 'hash-wasm'
import { AeadCipher } from '../src/crypto/aead.js'
import { Hasher } from '../src/crypto/hash.js'
import { Hmac } from '../src/crypto/hmac.js'
import { argon2 as covetArgon2Kdf } from '../src/crypto/kdf.js'
import { PasswordHasher } from '../src/crypto/password.js'
import { formatRate, type Measurement, measure, report } from './support/measure.js'

const MiB = Buffer.alloc(1 << 20, 'covet crypto bench ')
const KiB = MiB.subarray(0, 1024)
const key = nodeCrypto.randomBytes(32)

/**
 * Measures the subjects in alternating passes and quotes the median over every pass's rounds, so
 * a change in machine load (other suites share these 2 cores) hits every subject alike instead of
 * whichever happened to run during the busy spell.
 */
async function interleaved(
  subjects: [string, () => unknown][],
  passes: number,
  options: { rounds: number; roundMs: number },
): Promise<Measurement[]> {
  const rates = new Map<string, number[]>(subjects.map(([name]) => [name, []]))
  for (let pass = 0; pass < passes; pass++) {
    for (const [name, fn] of subjects) rates.get(name)!.push(...(await measure(name, fn, options)).rounds)
  }
  return subjects.map(([name]) => {
    const all = rates.get(name)!.sort((a, b) => a - b)
    const mid = all.length >> 1
    const median = all.length % 2 ? all[mid]! : (all[mid - 1]! + all[mid]!) / 2
    return { name, opsPerSec: median, rounds: all }
  })
}

/**
 * Operations per CPU-second (process user + system time), in alternating 60 ms slices. Wall-clock
 * rates on this shared 2-core machine swing with other processes' load; CPU time per operation
 * barely does, so these ratios are the steadier measure of wrapper overhead. Native code that
 * spreads one call over threads is charged for all of them.
 */
function cpuRates(subjects: [string, () => unknown][], passes = 15): Map<string, number> {
  const rates = new Map<string, number[]>(subjects.map(([name]) => [name, []]))
  for (let pass = 0; pass < passes; pass++) {
    for (const [name, fn] of subjects) {
      const before = process.cpuUsage()
      const start = performance.now()
      let calls = 0
      while (performance.now() - start < 60) {
        fn()
        calls++
      }
      const used = process.cpuUsage(before)
      rates.get(name)!.push(calls / ((used.user + used.system) / 1e6))
    }
  }
  const medians = new Map<string, number>()
  for (const [name, all] of rates) medians.set(name, all.sort((a, b) => a - b)[all.length >> 1]!)
  return medians
}

async function group(title: string, baseline: string, unit: string, subjects: [string, () => unknown][]) {
  report(title, await interleaved(subjects, 3, { rounds: 3, roundMs: 200 }), baseline, unit)
  const cpu = cpuRates(subjects)
  const base = cpu.get(baseline)!
  console.log(`  per CPU-second (${unit.replace('/s', '')} per CPU-s, ratio to ${baseline}):`)
  for (const [name, rate] of cpu) {
    console.log(`  ${name.padEnd(38)} ${formatRate(rate).padStart(12)}   ${(rate / base).toFixed(2)}x`)
  }
}

const wasmSha256 = await createSHA256()
await group('SHA-256, 1 MiB one-shot', 'node:crypto createHash', 'MiB/s', [
  ['node:crypto createHash', () => nodeCrypto.createHash('sha256').update(MiB).digest()],
  ['covet Hasher.hash', () => Hasher.hash('sha256', MiB)],
  ['covet new Hasher().update().digest()', () => new Hasher('sha256').update(MiB).digest()],
  ['hash-wasm createSHA256', () => wasmSha256.init().update(MiB).digest('binary')],
  ['@noble/hashes sha256', () => nobleSha256(MiB)],
])

const wasmBlake3 = await createBLAKE3()
await group('BLAKE3, 1 MiB one-shot', '@napi-rs/blake-hash blake3', 'MiB/s', [
  ['@napi-rs/blake-hash blake3', () => napiBlake3(MiB)],
  ['covet Hasher.hash', () => Hasher.hash('blake3', MiB)],
  ['covet new Hasher().update().digest()', () => new Hasher('blake3').update(MiB).digest()],
  ['hash-wasm createBLAKE3', () => wasmBlake3.init().update(MiB).digest('binary')],
  ['@noble/hashes blake3', () => nobleBlake3(MiB)],
])

/** The raw node:crypto equivalent of a covet seal: random nonce, encrypt, nonce || ciphertext || tag. */
function rawSeal(name: 'aes-256-gcm' | 'chacha20-poly1305', plaintext: Buffer, aad?: Buffer): Buffer {
  const nonce = nodeCrypto.randomBytes(12)
  const cipher = nodeCrypto.createCipheriv(name as 'aes-256-gcm', key, nonce, { authTagLength: 16 })
  if (aad) cipher.setAAD(aad)
  const body = cipher.update(plaintext)
  cipher.final()
  return Buffer.concat([nonce, body, cipher.getAuthTag()])
}

function rawOpen(name: 'aes-256-gcm' | 'chacha20-poly1305', sealed: Buffer, aad?: Buffer): Buffer {
  const decipher = nodeCrypto.createDecipheriv(name as 'aes-256-gcm', key, sealed.subarray(0, 12), {
    authTagLength: 16,
  })
  decipher.setAuthTag(sealed.subarray(sealed.length - 16))
  if (aad) decipher.setAAD(aad)
  const plaintext = decipher.update(sealed.subarray(12, sealed.length - 16))
  decipher.final()
  return plaintext
}

for (const [alg, name] of [
  ['aes256gcm', 'aes-256-gcm'],
  ['chacha20poly1305', 'chacha20-poly1305'],
] as const) {
  const covet = new AeadCipher(alg, key)
  await group(`${name} encrypt, 1 MiB`, 'raw node:crypto', 'MiB/s', [
    ['raw node:crypto', () => rawSeal(name, MiB)],
    ['covet AeadCipher.encrypt', () => covet.encrypt(MiB)],
  ])
  const sealedKiB = covet.encrypt(KiB)
  const rawKiB = rawSeal(name, KiB)
  const header = sealedKiB.subarray(0, 11)
  const rawAadKiB = rawSeal(name, KiB, header)
  // With a caller's AAD covet still makes one setAAD call, on header || aad (11 + 16 bytes here).
  const userAad = Buffer.from('notes:row:000042')
  const headerAndAad = Buffer.concat([header, userAad])
  const sealedAadKiB = covet.encrypt(KiB, userAad)
  const rawHeaderAadKiB = rawSeal(name, KiB, headerAndAad)
  await group(`${name} encrypt, 1 KiB`, 'raw node:crypto', 'ops/s', [
    ['raw node:crypto', () => rawSeal(name, KiB)],
    ['covet AeadCipher.encrypt', () => covet.encrypt(KiB)],
  ])
  await group(`${name} decrypt, 1 KiB`, 'raw node:crypto', 'ops/s', [
    ['raw node:crypto', () => rawOpen(name, rawKiB)],
    // What covet does beyond the raw call: authenticate its 11-byte header as associated data.
    ['raw node:crypto + 11-byte AAD', () => rawOpen(name, rawAadKiB, header)],
    ['covet AeadCipher.decrypt', () => covet.decrypt(sealedKiB)],
    ['raw node:crypto + 27-byte AAD', () => rawOpen(name, rawHeaderAadKiB, headerAndAad)],
    ['covet decrypt, 16-byte AAD', () => covet.decrypt(sealedAadKiB, userAad)],
  ])
}

await group('HMAC-SHA-256, 1 KiB', 'node:crypto createHmac', 'ops/s', [
  ['node:crypto createHmac', () => nodeCrypto.createHmac('sha256', key).update(KiB).digest()],
  ['covet Hmac.digest', () => Hmac.digest('sha256', key, KiB)],
])

/** CPU ms per call (all threads of the process), median of alternating ~600 ms slices. */
async function cpuMsPerCall(
  subjects: [string, () => Promise<unknown>][],
  passes = 3,
): Promise<Map<string, number>> {
  const costs = new Map<string, number[]>(subjects.map(([name]) => [name, []]))
  for (let pass = 0; pass < passes; pass++) {
    for (const [name, fn] of subjects) {
      const before = process.cpuUsage()
      const start = performance.now()
      let calls = 0
      while (performance.now() - start < 600) {
        await fn()
        calls++
      }
      const used = process.cpuUsage(before)
      costs.get(name)!.push((used.user + used.system) / 1000 / calls)
    }
  }
  return new Map([...costs].map(([name, all]) => [name, all.sort((a, b) => a - b)[all.length >> 1]!]))
}

/**
 * Password hashes take 10–1000 ms: fewer, longer rounds. Prints the median wall-clock ms per hash
 * (one hash at a time) and the CPU ms it cost, which load on the shared machine disturbs less.
 */
async function passwords(title: string, baseline: string, subjects: [string, () => Promise<unknown>][]) {
  const results = await interleaved(subjects, 3, { rounds: 2, roundMs: 800 })
  report(title, results, baseline, 'hash/s')
  const cpu = await cpuMsPerCall(subjects)
  for (const r of results) {
    const wall = (1000 / r.opsPerSec).toFixed(1)
    console.log(
      `  ${r.name.padEnd(38)} ${wall.padStart(7)} ms/hash wall, ${cpu.get(r.name)!.toFixed(1)} ms CPU`,
    )
  }
}

const salt = nodeCrypto.randomBytes(16)
const OWASP_ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 }
const covetArgon2 = new PasswordHasher('argon2')
await passwords('Argon2id m=19456 KiB, t=2, p=1 (one hash at a time)', 'covet PasswordHasher', [
  ['covet PasswordHasher', () => covetArgon2.hashPassword('correct horse battery staple')],
  ['@node-rs/argon2 hash (direct)', () => nodeRsArgon2('correct horse battery staple', OWASP_ARGON2)],
  ['argon2', () => argon2.hash('correct horse battery staple', OWASP_ARGON2)],
  [
    'hash-wasm argon2id (blocks the loop)',
    () =>
      wasmArgon2id({
        password: 'correct horse battery staple',
        salt,
        parallelism: 1,
        iterations: 2,
        memorySize: 19456,
        hashLength: 32,
        outputType: 'encoded',
      }),
  ],
])

// Associated data (RFC 9106's X): @node-rs/argon2 cannot take it, so covet's argon2() uses
// node:crypto.argon2 on Node >= 24.7 and the argon2 package before that.
const associatedData = Buffer.from('covet bench context')
await passwords('Argon2id m=19456 KiB, t=2, p=1 with associated data', 'argon2', [
  ['covet argon2() KDF', () => covetArgon2Kdf('correct horse battery staple', salt, { associatedData })],
  ['argon2', () => argon2.hash('correct horse battery staple', { ...OWASP_ARGON2, salt, associatedData })],
])

const covetBcrypt = new PasswordHasher('bcrypt', { cost: 12 })
await passwords('bcrypt cost 12 (one hash at a time)', 'covet PasswordHasher', [
  ['covet PasswordHasher', () => covetBcrypt.hashPassword('correct horse battery staple')],
  ['bcrypt', () => bcrypt.hash('correct horse battery staple', 12)],
  ['bcryptjs', () => bcryptjs.hash('correct horse battery staple', 12)],
])

const covetScrypt = new PasswordHasher('scrypt')
const covetPbkdf2 = new PasswordHasher('pbkdf2')
const scryptRaw = () =>
  new Promise((resolve, reject) =>
    nodeCrypto.scrypt('pw', salt, 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 2 ** 28 }, (e, k) =>
      e ? reject(e) : resolve(k),
    ),
  )
await passwords('scrypt N=2^17, r=8, p=1', 'raw node:crypto', [
  ['raw node:crypto', scryptRaw],
  ['covet PasswordHasher', () => covetScrypt.hashPassword('pw')],
])
await passwords('PBKDF2-HMAC-SHA-256, 600,000 iterations', 'raw node:crypto', [
  ['raw node:crypto', () => new Promise((r) => nodeCrypto.pbkdf2('pw', salt, 600_000, 32, 'sha256', r))],
  ['covet PasswordHasher', () => covetPbkdf2.hashPassword('pw')],
])
