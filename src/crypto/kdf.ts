import { hkdf as nodeHkdf, hkdfSync as nodeHkdfSync, pbkdf2 as nodePbkdf2 } from 'node:crypto'
import { InvalidArgumentError } from '../errors/classes.js'
import { type BinaryInput, checkInteger, cryptoFailure, toBuffer } from './bytes.js'

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
