import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto'
import { CryptoError } from '../errors/classes.js'
import { cryptoFailure } from './bytes.js'

/** The OpenSSL AEADs covet drives. AeadCipher uses the 256-bit ones; the vectors test all. */
export type AeadCipherName = 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'

/** Every covet AEAD uses the full 128-bit tag; shorter tags are never accepted. */
export const AEAD_TAG_LENGTH = 16

/** One message for every failure, so the error tells an attacker nothing (issue 7). */
export function decryptFailed(): CryptoError {
  return new CryptoError('ERR_DECRYPT', 'Decryption failed')
}

/**
 * Node's typings overload createCipheriv per cipher name; ChaCha20-Poly1305 takes exactly the same
 * calls as GCM (authTagLength, setAAD, setAuthTag, getAuthTag), so one signature serves both.
 */
type GcmName = 'aes-256-gcm'

/** One options object for every call: no allocation per message (node:crypto only reads it). */
const CIPHER_OPTIONS = Object.freeze({ authTagLength: AEAD_TAG_LENGTH })

/**
 * Encrypts `plaintext` into `out` at `at`: the ciphertext (same length), then the 16-byte tag.
 * `authTagLength` is fixed in the options so OpenSSL never produces or accepts a short tag.
 */
export function sealInto(
  name: AeadCipherName,
  key: KeyObject | Buffer,
  nonce: Buffer,
  aad: Buffer,
  plaintext: Buffer,
  out: Buffer,
  at: number,
): void {
  try {
    const cipher = createCipheriv(name as GcmName, key, nonce, CIPHER_OPTIONS)
    if (aad.length > 0) cipher.setAAD(aad)
    const written = plaintext.length > 0 ? cipher.update(plaintext).copy(out, at) : 0
    cipher.final()
    cipher.getAuthTag().copy(out, at + written)
  } catch (error) {
    // Only bad arguments get here (a nonce length OpenSSL refuses); encryption itself cannot fail.
    throw cryptoFailure('AEAD encryption', error)
  }
}

/**
 * Decrypts and authenticates. Any failure (bad tag, nonce size OpenSSL refuses, wrong key) is the
 * same `ERR_DECRYPT`, and no plaintext leaves before the tag has been checked.
 */
export function open(
  name: AeadCipherName,
  key: KeyObject | Buffer,
  nonce: Buffer,
  aad: Buffer,
  ciphertext: Buffer,
  tag: Buffer,
): Buffer {
  if (tag.length !== AEAD_TAG_LENGTH) throw decryptFailed()
  try {
    const decipher = createDecipheriv(name as GcmName, key, nonce, CIPHER_OPTIONS)
    decipher.setAuthTag(tag)
    if (aad.length > 0) decipher.setAAD(aad)
    const plaintext = ciphertext.length > 0 ? decipher.update(ciphertext) : Buffer.alloc(0)
    decipher.final()
    return plaintext
  } catch {
    throw decryptFailed()
  }
}
