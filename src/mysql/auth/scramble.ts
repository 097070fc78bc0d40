import { constants, createHash, createPublicKey, type KeyObject, publicEncrypt } from 'node:crypto'
import { AuthenticationError, InvalidArgumentError } from '../../errors/classes.js'

/**
 * The password transforms of the MySQL authentication plugins. Passwords are UTF-8 (the
 * connection's character set is utf8mb4); an absent password is the empty one.
 */

const sha1 = (...parts: Buffer[]): Buffer => digest('sha1', parts)
const sha256 = (...parts: Buffer[]): Buffer => digest('sha256', parts)

function digest(algorithm: string, parts: Buffer[]): Buffer {
  const h = createHash(algorithm)
  for (const part of parts) h.update(part)
  return h.digest()
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i % b.length]!
  return out
}

/**
 * mysql_native_password (MySQL "Native Authentication"):
 * SHA1(password) XOR SHA1(nonce <concat> SHA1(SHA1(password))); empty for an empty password.
 */
export function nativePasswordScramble(password: Buffer, nonce: Buffer): Buffer {
  if (password.length === 0) return Buffer.alloc(0)
  const stage1 = sha1(password)
  return xor(stage1, sha1(nonce, sha1(stage1)))
}

/**
 * caching_sha2_password fast authentication (MySQL "Caching_sha2_password information"):
 * XOR(SHA256(password), SHA256(SHA256(SHA256(password)), nonce)); empty for an empty password.
 */
export function cachingSha2Scramble(password: Buffer, nonce: Buffer): Buffer {
  if (password.length === 0) return Buffer.alloc(0)
  const stage1 = sha256(password)
  return xor(stage1, sha256(sha256(stage1), nonce))
}

/** The password as the "clear password answer" of caching_sha2/sha256/mysql_clear_password: NUL-terminated. */
export function nulTerminated(password: Buffer): Buffer {
  return Buffer.concat([password, Buffer.alloc(1)])
}

/**
 * Reads an RSA public key in PEM (the form MySQL's `caching_sha2_password_public_key_path` file
 * and its public key response use). `source` names where it came from, for the error.
 */
export function parseRsaPublicKey(pem: string | Buffer, source: 'serverPublicKey' | 'server'): KeyObject {
  let key: KeyObject
  try {
    key = createPublicKey({ key: pem, format: 'pem' })
  } catch (cause) {
    throw source === 'server'
      ? new AuthenticationError('the public key the server sent is not a PEM public key', { cause })
      : new InvalidArgumentError('serverPublicKey is not a PEM public key', { cause })
  }
  if (key.asymmetricKeyType !== 'rsa') {
    const message = `${source === 'server' ? 'the public key the server sent' : 'serverPublicKey'} is not an RSA key`
    throw source === 'server' ? new AuthenticationError(message) : new InvalidArgumentError(message)
  }
  return key
}

/** RSA-OAEP with SHA-1 (RSA_PKCS1_OAEP_PADDING) takes at most modulus bytes - 2·20 - 2. */
const OAEP_SHA1_OVERHEAD = 42

/**
 * The RSA-encrypted password of caching_sha2_password and sha256_password: RSA_PKCS1_OAEP_PADDING
 * of (password <NUL>) XOR nonce, the nonce repeated (MariaDB "Connecting via caching_sha2_password",
 * "RSA encrypted password"). publicEncrypt of a 2048-bit key is a fraction of a millisecond.
 */
export function rsaEncryptPassword(key: KeyObject, password: Buffer, nonce: Buffer): Buffer {
  const plain = xor(nulTerminated(password), nonce)
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8)
  if (plain.length > modulusBytes - OAEP_SHA1_OVERHEAD) {
    throw new AuthenticationError(
      `the password is too long to encrypt with the server's ${modulusBytes * 8}-bit RSA key ` +
        `(at most ${Math.max(0, modulusBytes - OAEP_SHA1_OVERHEAD - 1)} bytes)`,
    )
  }
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, plain)
}
