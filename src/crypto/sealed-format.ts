/**
 * The sealed value AeadCipher produces (format version 1), self-describing so it can be stored,
 * decrypted later with a keyring, and re-encrypted when keys rotate:
 *
 *   offset  size  field
 *   0       1     format version (1)
 *   1       1     algorithm id: 1 = AES-256-GCM, 2 = ChaCha20-Poly1305
 *   2       1     key id length L (1..255)
 *   3       L     key id, UTF-8
 *   3+L     12    nonce, random per message
 *   15+L    n     ciphertext (same length as the plaintext)
 *   15+L+n  16    authentication tag
 *
 * The associated data is `header || aad` (header = bytes 0..3+L, then the caller's AAD), passed to
 * OpenSSL in one setAAD call, so changing the version, algorithm or key id fails decryption like
 * any other tampering. The header states its own length (byte 2), so `header || aad` cannot be
 * split two ways.
 */
export const SEALED_VERSION = 1
export const NONCE_LENGTH = 12
export const TAG_LENGTH = 16
export const MAX_KEY_ID_BYTES = 255

/** Algorithm ids in byte 1. Never reuse a number. */
export const ALGORITHM_IDS = { aes256gcm: 1, chacha20poly1305: 2 } as const
export type SealedAlgorithm = keyof typeof ALGORITHM_IDS

export interface SealedParts {
  version: number
  algorithm: SealedAlgorithm
  keyId: string
  /** Bytes 0..3+L, authenticated as associated data. */
  header: Buffer
  nonce: Buffer
  ciphertext: Buffer
  tag: Buffer
}

export function encodeHeader(algorithm: SealedAlgorithm, keyId: string): Buffer {
  const id = Buffer.from(keyId, 'utf8')
  const header = Buffer.allocUnsafe(3 + id.byteLength)
  header[0] = SEALED_VERSION
  header[1] = ALGORITHM_IDS[algorithm]
  header[2] = id.byteLength
  id.copy(header, 3)
  return header
}

function algorithmOf(id: number): SealedAlgorithm | undefined {
  if (id === ALGORITHM_IDS.aes256gcm) return 'aes256gcm'
  if (id === ALGORITHM_IDS.chacha20poly1305) return 'chacha20poly1305'
  return undefined
}

/** The parts of a sealed value, or undefined when it is not a well-formed version-1 value. */
export function parseSealed(sealed: Buffer): SealedParts | undefined {
  if (sealed.byteLength < 3 || sealed[0] !== SEALED_VERSION) return undefined
  const algorithm = algorithmOf(sealed[1]!)
  const idLength = sealed[2]!
  const nonceAt = 3 + idLength
  if (algorithm === undefined || idLength === 0 || sealed.byteLength < nonceAt + NONCE_LENGTH + TAG_LENGTH) {
    return undefined
  }
  const tagAt = sealed.byteLength - TAG_LENGTH
  const keyId = sealed.toString('utf8', 3, nonceAt)
  // A key id must round-trip as UTF-8; anything else was not written by encodeHeader.
  if (Buffer.byteLength(keyId, 'utf8') !== idLength) return undefined
  return {
    version: SEALED_VERSION,
    algorithm,
    keyId,
    header: sealed.subarray(0, nonceAt),
    nonce: sealed.subarray(nonceAt, nonceAt + NONCE_LENGTH),
    ciphertext: sealed.subarray(nonceAt + NONCE_LENGTH, tagAt),
    tag: sealed.subarray(tagAt),
  }
}
