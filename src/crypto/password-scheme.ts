import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * One password-hashing algorithm as PasswordHasher drives it. `password` is the user's bytes; a
 * scheme applies the pepper its own way. `verify` reads every parameter from the encoded hash, so
 * hashes made under older settings keep verifying; `needsRehash` compares them with the scheme's.
 */
export interface PasswordScheme {
  hash(password: Buffer): Promise<string>
  verify(password: Buffer, encoded: string): Promise<boolean>
  needsRehash(encoded: string): boolean
}

/** Salts are random per hash; 16 bytes is the RFC 9106 §3.1 recommendation and PHC's default. */
export function newSalt(length: number): Buffer {
  return randomBytes(length)
}

/** HMAC-SHA-256(pepper, password): the pepper for schemes with no secret input (scrypt, PBKDF2). */
export function pepperWithHmac(password: Buffer, pepper: Buffer | undefined): Buffer {
  return pepper === undefined ? password : createHmac('sha256', pepper).update(password).digest()
}

/** Constant-time equality of a recomputed hash and the stored one. */
export function hashesEqual(a: Buffer, b: Buffer): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b)
}
