import { hkdf as nodeHkdf, hkdfSync as nodeHkdfSync, pbkdf2 as nodePbkdf2 } from 'node:crypto'
import { InvalidArgumentError } from '../errors/classes.js'
import { type Argon2Type, argon2Raw } from './argon2-engine.js'
import { type BinaryInput, checkInteger, checkOptions, cryptoFailure, toBuffer } from './bytes.js'

/** Hash functions the KDFs accept (OpenSSL names). SHA-1 stays available for PBKDF2 interop only. */
export type KdfAlgorithm = 'sha256' | 'sha384' | 'sha512'
export type Pbkdf2Algorithm = KdfAlgorithm | 'sha1'

const HASH_LENGTHS: Readonly<Record<Pbkdf2Algorithm, number>> = {
  sha1: 20,
  sha256: 32,
  sha384: 48,
  sha512: 64,
}

function checkAlgorithm(alg: unknown, allowSha1: boolean): Pbkdf2Algorithm {
  const ok = typeof alg === 'string' && Object.hasOwn(HASH_LENGTHS, alg) && (allowSha1 || alg !== 'sha1')
  if (!ok) {
    const names = Object.keys(HASH_LENGTHS).filter((n) => allowSha1 || n !== 'sha1')
    throw new InvalidArgumentError(`alg must be one of ${names.join(', ')}`)
  }
  return alg as Pbkdf2Algorithm
}

function checkHkdf(alg: unknown, ikm: BinaryInput, salt: BinaryInput, info: BinaryInput, length: number) {
  const hash = checkAlgorithm(alg, false)
  // RFC 5869 §2.3: L <= 255 * HashLen.
  checkInteger(length, 'length', 1, 255 * HASH_LENGTHS[hash])
  const infoBytes = toBuffer(info, 'info')
  // OpenSSL caps info at 1024 bytes; RFC 5869 sets no limit, so say so instead of failing later.
  if (infoBytes.byteLength > 1024) throw new InvalidArgumentError('info must be at most 1024 bytes')
  return [hash, toBuffer(ikm, 'ikm'), toBuffer(salt, 'salt'), infoBytes] as const
}

/**
 * HKDF (RFC 5869): extract-then-expand `length` bytes from input keying material. An empty salt
 * means HashLen zero bytes (§2.2). Runs on the libuv pool; see `hkdfSync` for the same, inline.
 */
export async function hkdf(
  alg: KdfAlgorithm,
  ikm: BinaryInput,
  salt: BinaryInput,
  info: BinaryInput,
  length: number,
): Promise<Buffer> {
  const [hash, ikmBytes, saltBytes, infoBytes] = checkHkdf(alg, ikm, salt, info, length)
  return new Promise((resolve, reject) => {
    nodeHkdf(hash, ikmBytes, saltBytes, infoBytes, length, (error, key) => {
      if (error) reject(cryptoFailure('HKDF', error))
      else resolve(Buffer.from(key))
    })
  })
}

/** HKDF (RFC 5869), computed inline: it costs a few HMACs, far below the event-loop budget. */
export function hkdfSync(
  alg: KdfAlgorithm,
  ikm: BinaryInput,
  salt: BinaryInput,
  info: BinaryInput,
  length: number,
): Buffer {
  const [hash, ikmBytes, saltBytes, infoBytes] = checkHkdf(alg, ikm, salt, info, length)
  try {
    return Buffer.from(nodeHkdfSync(hash, ikmBytes, saltBytes, infoBytes, length))
  } catch (error) {
    throw cryptoFailure('HKDF', error)
  }
}

/**
 * PBKDF2 (RFC 8018 §5.2) with HMAC-`alg`, on the libuv pool so the event loop keeps running.
 * For password storage prefer `PasswordHasher`, which also picks the salt and encodes the result.
 */
export async function pbkdf2(
  alg: Pbkdf2Algorithm,
  password: BinaryInput,
  salt: BinaryInput,
  iterations: number,
  length: number,
): Promise<Buffer> {
  const hash = checkAlgorithm(alg, true)
  const passwordBytes = toBuffer(password, 'password')
  const saltBytes = toBuffer(salt, 'salt')
  checkInteger(iterations, 'iterations', 1, 2 ** 31 - 1)
  checkInteger(length, 'length', 1, 2 ** 31 - 1)
  return new Promise((resolve, reject) => {
    nodePbkdf2(passwordBytes, saltBytes, iterations, length, hash, (error, key) => {
      if (error) reject(cryptoFailure('PBKDF2', error))
      else resolve(key)
    })
  })
}

/** Argon2 options; t, m, p, T, K and X are RFC 9106 §3.1's names. */
export interface Argon2KdfOptions {
  /** Default 'argon2id', the variant RFC 9106 §4 recommends. */
  type?: Argon2Type
  /** m, memory in KiB, from 8p to 4 GiB. Default 19456 (OWASP). */
  memoryCost?: number
  /** t, passes. Default 2 (OWASP). */
  timeCost?: number
  /** p, lanes. Default 1. */
  parallelism?: number
  /** T, tag length in bytes, at least 4. Default 32. */
  length?: number
  /** K, secret input (a pepper or key). */
  secret?: BinaryInput
  /** X, associated data: computed by node:crypto (Node ≥ 24.7) or the `argon2` package (docs/crypto.md). */
  associatedData?: BinaryInput
  /** 0x13 (RFC 9106, the default) or 0x10 (the original Argon2, for old data). */
  version?: 0x10 | 0x13
}

const ARGON2_OPTIONS = [
  'type',
  'memoryCost',
  'timeCost',
  'parallelism',
  'length',
  'secret',
  'associatedData',
  'version',
] as const
const ARGON2_TYPES: readonly unknown[] = ['argon2id', 'argon2i', 'argon2d']
/**
 * PasswordHasher's cap. @node-rs/argon2 does not fail cleanly when memory runs out (asked for
 * 128 GiB, the process was killed), so an option must not be able to ask for that.
 */
const ARGON2_MAX_MEMORY_KIB = 4 * 1024 * 1024

/**
 * Argon2 (RFC 9106) as a KDF: the raw `length`-byte tag of `password` under `salt`. The hash runs
 * off the event loop, on the libuv pool, whichever engine computes it.
 * For password storage prefer `PasswordHasher`, which picks the salt and encodes the result.
 */
export async function argon2(
  password: BinaryInput,
  salt: BinaryInput,
  options?: Argon2KdfOptions,
): Promise<Buffer> {
  const o = checkOptions(options, 'options', ARGON2_OPTIONS)
  const type = o.type ?? 'argon2id'
  if (!ARGON2_TYPES.includes(type))
    throw new InvalidArgumentError(`type must be one of ${ARGON2_TYPES.join(', ')}`)
  const version = o.version ?? 0x13
  if (version !== 0x13 && version !== 0x10) throw new InvalidArgumentError('version must be 0x13 or 0x10')
  // RFC 9106 §3.1 bounds, except m (above).
  const parallelism = checkInteger(o.parallelism ?? 1, 'parallelism', 1, 2 ** 24 - 1)
  const memoryCost = checkInteger(o.memoryCost ?? 19456, 'memoryCost', 8 * parallelism, ARGON2_MAX_MEMORY_KIB)
  const timeCost = checkInteger(o.timeCost ?? 2, 'timeCost', 1, 2 ** 32 - 1)
  const length = checkInteger(o.length ?? 32, 'length', 4, 2 ** 32 - 1)
  const saltBytes = toBuffer(salt, 'salt')
  // RFC 9106 §3.1 allows any salt up to 2^32 - 1 bytes (16 recommended); all three engines need 8.
  if (saltBytes.byteLength < 8) throw new InvalidArgumentError('salt must be at least 8 bytes')
  return argon2Raw({
    type,
    version,
    memoryCost,
    timeCost,
    parallelism,
    password: toBuffer(password, 'password'),
    salt: saltBytes,
    ...(o.secret === undefined ? {} : { secret: toBuffer(o.secret, 'options.secret') }),
    ...(o.associatedData === undefined
      ? {}
      : { associatedData: toBuffer(o.associatedData, 'options.associatedData') }),
    length,
  })
}
