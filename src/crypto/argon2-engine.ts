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
  /** T, the tag length in bytes. */
  length: number
}

// The binding's enums are TypeScript const enums with no runtime object; these are their values.
const TYPES = { argon2d: 0 as Algorithm, argon2i: 1 as Algorithm, argon2id: 2 as Algorithm } as const
const VERSION_0x10 = 0 as Version
const VERSION_0x13 = 1 as Version

/**
 * The one place Argon2 is computed. `@node-rs/argon2` (Rust, N-API async task on the libuv pool)
 * measured 12–17 ms per OWASP-parameter hash here against 30–39 ms for `argon2` and ~80 ms,
 * loop-blocking, for hash-wasm (issue 7). node:crypto gains `argon2()` in Node 24.7; should it
 * measure faster, it slots in here behind a feature check without touching the PHC code.
 */
export async function argon2Raw(input: Argon2Input): Promise<Buffer> {
  try {
    return await hashRaw(input.password, {
      algorithm: TYPES[input.type],
      version: input.version === 0x13 ? VERSION_0x13 : VERSION_0x10,
      memoryCost: input.memoryCost,
      timeCost: input.timeCost,
      parallelism: input.parallelism,
      outputLen: input.length,
      salt: input.salt,
      ...(input.secret === undefined ? {} : { secret: input.secret }),
    })
  } catch (error) {
    throw cryptoFailure('Argon2', error)
  }
}
