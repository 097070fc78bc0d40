import * as nodeCrypto from 'node:crypto'
import { argon2dAsync, argon2iAsync, argon2idAsync } from '@noble/hashes/argon2.js'
import { type Algorithm, hashRaw, type Version } from '@node-rs/argon2'
import { cryptoFailure } from './bytes.js'

export type Argon2Type = 'argon2d' | 'argon2i' | 'argon2id'

export interface Argon2Input {
  type: Argon2Type
  /** 0x10 or 0x13 (RFC 9106 uses 0x13). */
  version: 0x10 | 0x13
  /** m, in KiB. */
  memoryCost: number
  /** t, passes. */
  timeCost: number
  /** p, lanes. */
  parallelism: number
  password: Buffer
  salt: Buffer
  /** K, the secret input (RFC 9106 §3.1): where a pepper goes. */
  secret?: Buffer
  /** X, associated data (RFC 9106 §3.1): hashed into H_0 after K. */
  associatedData?: Buffer
  /** T, the tag length in bytes. */
  length: number
}

/** node:crypto's `argon2` (Node ≥ 24.7): @types/node 20 does not declare it, so its shape is here. */
export type NodeArgon2 = (
  algorithm: Argon2Type,
  parameters: {
    message: Buffer
    nonce: Buffer
    parallelism: number
    tagLength: number
    memory: number
    passes: number
    secret?: Buffer
    associatedData?: Buffer
  },
  callback: (error: Error | null, derivedKey: Buffer) => void,
) => void

// The binding's enums are TypeScript const enums with no runtime object; these are their values.
const TYPES = { argon2d: 0 as Algorithm, argon2i: 1 as Algorithm, argon2id: 2 as Algorithm } as const
const VERSION_0x10 = 0 as Version
const VERSION_0x13 = 1 as Version

function nodeRsArgon2(input: Argon2Input): Promise<Buffer> {
  return hashRaw(input.password, {
    algorithm: TYPES[input.type],
    version: input.version === 0x13 ? VERSION_0x13 : VERSION_0x10,
    memoryCost: input.memoryCost,
    timeCost: input.timeCost,
    parallelism: input.parallelism,
    outputLen: input.length,
    salt: input.salt,
    ...(input.secret === undefined ? {} : { secret: input.secret }),
  })
}

/** node:crypto.argon2 has no version parameter: it computes version 0x13 only. */
function nodeCryptoArgon2(argon2: NodeArgon2, input: Argon2Input): Promise<Buffer> {
  const parameters = {
    message: input.password,
    nonce: input.salt,
    parallelism: input.parallelism,
    tagLength: input.length,
    memory: input.memoryCost,
    passes: input.timeCost,
    ...(input.secret === undefined ? {} : { secret: input.secret }),
    ...(input.associatedData === undefined ? {} : { associatedData: input.associatedData }),
  }
  return new Promise((resolve, reject) => {
    argon2(input.type, parameters, (error, key) => (error ? reject(error) : resolve(key)))
  })
}

const NOBLE = { argon2d: argon2dAsync, argon2i: argon2iAsync, argon2id: argon2idAsync } as const

/**
 * @noble/hashes (audited, pure JS) runs on the event loop. `asyncTick: 1` makes it yield to a
 * timer whenever Date.now() moves on, so one stretch of work lasts at most ~1 ms (the project's
 * loop budget); the yields cost throughput, see docs/crypto.md. `maxmem` is its own allocation
 * cap, 1 GiB by default: set to its highest (bytes below 2^32) so that the caller's memoryCost is
 * the limit, except m = 4 GiB exactly, which it refuses (ERR_CRYPTO).
 */
async function nobleArgon2(input: Argon2Input): Promise<Buffer> {
  const tag = await NOBLE[input.type](input.password, input.salt, {
    t: input.timeCost,
    m: input.memoryCost,
    p: input.parallelism,
    version: input.version,
    dkLen: input.length,
    ...(input.secret === undefined ? {} : { key: input.secret }),
    ...(input.associatedData === undefined ? {} : { personalization: input.associatedData }),
    asyncTick: 1,
    maxmem: 2 ** 32 - 1,
  })
  return Buffer.from(tag.buffer, tag.byteOffset, tag.byteLength)
}

export type Argon2Engine = (input: Argon2Input) => Promise<Buffer>

/**
 * Picks the engine per input. `@node-rs/argon2` (Rust, N-API async task on the libuv pool)
 * measured 12–17 ms per OWASP-parameter hash here against 30–39 ms for `argon2` and ~80 ms,
 * loop-blocking, for hash-wasm (issue 7), so it computes everything it can take. It cannot take
 * associated data X; for that, node:crypto's `argon2` (OpenSSL on the libuv pool, Node ≥ 24.7)
 * when present and the version is 0x13, else @noble/hashes, which is slower but keeps the loop
 * free. An empty X is the same as none (H_0 hashes LE32(0) either way), so it stays on the fast
 * engine. `nodeArgon2` is a parameter so tests can put a stand-in where Node 20 has none.
 * node:crypto's is not used for inputs without X: no Node here (20) can measure whether it wins.
 */
export function selectArgon2Engine(nodeArgon2: NodeArgon2 | undefined): Argon2Engine {
  return async (input) => {
    try {
      if (!input.associatedData?.byteLength) return await nodeRsArgon2(input)
      if (nodeArgon2 !== undefined && input.version === 0x13) {
        try {
          return await nodeCryptoArgon2(nodeArgon2, input)
        } catch (error) {
          // A Node built on a shared OpenSSL older than 3.2 has the function but no Argon2 in it.
          if ((error as { code?: unknown }).code !== 'ERR_CRYPTO_ARGON2_NOT_SUPPORTED') throw error
        }
      }
      return await nobleArgon2(input)
    } catch (error) {
      throw cryptoFailure('Argon2', error)
    }
  }
}

/** The one place Argon2 is computed, on this process's node:crypto. */
export const argon2Raw: Argon2Engine = selectArgon2Engine(
  (nodeCrypto as unknown as { argon2?: NodeArgon2 }).argon2,
)
