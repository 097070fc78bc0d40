import * as nodeCrypto from 'node:crypto'
import { type Algorithm, hashRaw, type Version } from '@node-rs/argon2'
import referenceArgon2 from 'argon2'
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

const REFERENCE_TYPES = {
  argon2d: referenceArgon2.argon2d,
  argon2i: referenceArgon2.argon2i,
  argon2id: referenceArgon2.argon2id,
} as const

/**
 * The `argon2` package (the reference C implementation, prebuilt N-API, async on the libuv pool)
 * takes X. `npm run bench` (bench/crypto.bench.ts) measured @noble/hashes, the pure-JS engine
 * tried first for X, at ~20x its time per OWASP hash even when yielding in 1 ms slices.
 */
function referenceArgon2WithX(input: Argon2Input): Promise<Buffer> {
  return referenceArgon2.hash(input.password, {
    raw: true,
    type: REFERENCE_TYPES[input.type],
    version: input.version,
    memoryCost: input.memoryCost,
    timeCost: input.timeCost,
    parallelism: input.parallelism,
    hashLength: input.length,
    salt: input.salt,
    ...(input.secret === undefined ? {} : { secret: input.secret }),
    ...(input.associatedData === undefined ? {} : { associatedData: input.associatedData }),
  })
}

export type Argon2Engine = (input: Argon2Input) => Promise<Buffer>

/**
 * Picks the engine per input. `@node-rs/argon2` (Rust, N-API async task on the libuv pool) is the
 * fastest here: 6.3 ms per OWASP-parameter hash against 17.5 ms for `argon2` and 42.8 ms,
 * loop-blocking, for hash-wasm (`npm run bench`, docs/benchmarks.md run F), so it computes
 * everything it can take. It cannot take associated data X; for that, node:crypto's `argon2`
 * (OpenSSL on the libuv pool, Node ≥ 24.7) when present and the version is 0x13 (issue 7 keeps
 * that door open), else the `argon2` package. An empty X is the same as none (H_0 hashes LE32(0)
 * either way), so it stays on the fast engine. `nodeArgon2` is a parameter so tests can put a
 * stand-in where Node 20 has none. node:crypto's is not used for inputs without X: no Node here
 * (20) can measure whether it wins.
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
      return await referenceArgon2WithX(input)
    } catch (error) {
      throw cryptoFailure('Argon2', error)
    }
  }
}

/** The one place Argon2 is computed, on this process's node:crypto. */
export const argon2Raw: Argon2Engine = selectArgon2Engine(
  (nodeCrypto as unknown as { argon2?: NodeArgon2 }).argon2,
)
