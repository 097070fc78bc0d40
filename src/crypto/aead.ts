import { createHash, createSecretKey, type KeyObject, randomBytes } from 'node:crypto'
import { InvalidArgumentError } from '../errors/classes.js'
import { type AeadCipherName, decryptFailed, open, sealInto } from './aead-primitive.js'
import { type BinaryInput, toBuffer } from './bytes.js'
import { noncePool } from './random.js'
import {
  encodeHeader,
  MAX_KEY_ID_BYTES,
  NONCE_LENGTH,
  parseSealed,
  type SealedAlgorithm,
  TAG_LENGTH,
} from './sealed-format.js'

/** AEAD algorithms, by the seed's names. */
export type AeadAlgorithm = SealedAlgorithm
/** The seed's names and OpenSSL's. */
export type AeadAlgorithmName = AeadAlgorithm | 'aes-256-gcm' | 'chacha20-poly1305'

/** Several keys by id: decrypt with any of them, encrypt with `current` (key rotation). */
export interface AeadKeyring {
  keys: Readonly<Record<string, Uint8Array>>
  current: string
}

/** What a sealed value says about itself (nothing here is secret). */
export interface SealedInfo {
  version: number
  algorithm: AeadAlgorithm
  keyId: string
}

const AEAD_KEY_LENGTH = 32

const ALGORITHMS: Readonly<Record<AeadAlgorithmName, AeadAlgorithm>> = {
  aes256gcm: 'aes256gcm',
  'aes-256-gcm': 'aes256gcm',
  chacha20poly1305: 'chacha20poly1305',
  'chacha20-poly1305': 'chacha20poly1305',
}
const OPENSSL_NAMES = { aes256gcm: 'aes-256-gcm', chacha20poly1305: 'chacha20-poly1305' } as const

function checkKeyBytes(key: unknown, name: string): Buffer {
  if (!(key instanceof Uint8Array) || key.byteLength !== AEAD_KEY_LENGTH) {
    throw new InvalidArgumentError(`${name} must be a Uint8Array of ${AEAD_KEY_LENGTH} bytes`)
  }
  return Buffer.from(key) // a private copy: the caller may zero or reuse theirs
}

function checkKeyId(id: string): void {
  const bytes = Buffer.byteLength(id, 'utf8')
  if (bytes < 1 || bytes > MAX_KEY_ID_BYTES) {
    throw new InvalidArgumentError(
      `key id "${id.slice(0, 40)}" must be 1 to ${MAX_KEY_ID_BYTES} bytes of UTF-8`,
    )
  }
}

/**
 * The key id of a lone key: 8 hex digits of a domain-separated SHA-256 of the key. Stable for the
 * same key across restarts, so values sealed before a keyring existed still find their key.
 */
function fingerprintKey(key: Uint8Array): string {
  return createHash('sha256').update('covet aead key id\0').update(key).digest('hex').slice(0, 8)
}

/**
 * The hot paths read `.length`, not `.byteLength` (the same number for byte arrays): on Node 20 a
 * Buffer's byteLength is a prototype getter V8 does not inline here, and this 11-byte comparison
 * measured 199 ns with it against 29 ns with `.length`.
 */
function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  if (bytes.length < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false
  return true
}

function checkAad(aad: BinaryInput | undefined): void {
  if (aad !== undefined && typeof aad !== 'string' && !(aad instanceof Uint8Array)) {
    throw new InvalidArgumentError('aad must be a string or a Uint8Array')
  }
}

/**
 * Scratch space for `header || aad`. setAAD copies its argument into OpenSSL before returning and
 * nothing runs in between, so one buffer serves every call; AAD that does not fit gets its own.
 * What stays behind is only AAD, which is authenticated, not secret.
 */
const aadScratch = Buffer.alloc(1024)

/**
 * The associated data of a sealed value: the header, then the caller's AAD, passed to OpenSSL in a
 * single setAAD call. The header states its own length (byte 2), so the pair cannot be split two ways.
 */
function headerWithAad(header: Buffer, aad: BinaryInput): Buffer {
  const at = header.length
  if (typeof aad === 'string') {
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (lone surrogates become U+FFFD), so this bound holds.
    if (at + aad.length * 3 > aadScratch.length) return Buffer.concat([header, Buffer.from(aad, 'utf8')])
    aadScratch.set(header, 0)
    return aadScratch.subarray(0, at + aadScratch.write(aad, at, 'utf8'))
  }
  if (at + aad.length > aadScratch.length) return Buffer.concat([header, aad])
  aadScratch.set(header, 0)
  aadScratch.set(aad, at)
  return aadScratch.subarray(0, at + aad.length)
}

interface KeyEntry {
  raw: Buffer
  key: KeyObject
  header: Buffer
}

/**
 * Authenticated encryption with AES-256-GCM or ChaCha20-Poly1305 (OpenSSL via node:crypto), with
 * a random 96-bit nonce per message. `encrypt` returns a self-describing sealed value (format in
 * sealed-format.ts); `decrypt` fails with `ERR_DECRYPT` on any tampering or wrong key.
 *
 * Random 96-bit nonces: encrypt at most 2^32 messages under one key (NIST SP 800-38D §8.3), which
 * keeps the chance of a repeated nonce below 2^-32. Rotate to a new key before that.
 */
export class AeadCipher {
  readonly algorithm: AeadAlgorithm
  /** The id of the key `encrypt` uses. */
  readonly keyId: string
  readonly #keys = new Map<string, KeyEntry>()
  readonly #current: KeyEntry
  readonly #openssl: AeadCipherName

  constructor(alg: AeadAlgorithmName, key?: Uint8Array | AeadKeyring) {
    if (typeof alg !== 'string' || !Object.hasOwn(ALGORITHMS, alg)) {
      throw new InvalidArgumentError(`alg must be one of ${Object.keys(ALGORITHMS).join(', ')}`)
    }
    this.algorithm = ALGORITHMS[alg]
    this.#openssl = OPENSSL_NAMES[this.algorithm]
    if (key === undefined || key instanceof Uint8Array) {
      const raw = key === undefined ? randomBytes(AEAD_KEY_LENGTH) : checkKeyBytes(key, 'key')
      this.keyId = fingerprintKey(raw)
      this.#add(this.keyId, raw)
    } else {
      if (typeof key !== 'object' || key === null || typeof key.keys !== 'object' || key.keys === null) {
        throw new InvalidArgumentError('key must be a 32-byte Uint8Array or a keyring { keys, current }')
      }
      for (const [id, bytes] of Object.entries(key.keys)) this.#add(id, checkKeyBytes(bytes, `keys["${id}"]`))
      if (typeof key.current !== 'string' || !this.#keys.has(key.current)) {
        throw new InvalidArgumentError('current must name one of the keyring keys')
      }
      this.keyId = key.current
    }
    this.#current = this.#keys.get(this.keyId)!
  }

  #add(id: string, raw: Buffer): void {
    checkKeyId(id)
    const entry = { raw, key: createSecretKey(raw), header: encodeHeader(this.algorithm, id) }
    this.#keys.set(id, entry)
  }

  /** A fresh random 256-bit key. */
  static generateKey(): Buffer {
    return randomBytes(AEAD_KEY_LENGTH)
  }

  /** A copy of the current key, to store in a secret manager (the generated one, when none was given). */
  exportKey(): Buffer {
    return Buffer.from(this.#current.raw)
  }

  /** Seals `plaintext` (a string is encrypted as UTF-8) with the current key. */
  encrypt(plaintext: BinaryInput, aad?: BinaryInput): Buffer {
    const data = toBuffer(plaintext, 'plaintext')
    checkAad(aad)
    const { header, key } = this.#current
    const nonceAt = header.length
    const out = Buffer.allocUnsafe(nonceAt + NONCE_LENGTH + data.length + TAG_LENGTH)
    out.set(header, 0)
    noncePool.fill(out, nonceAt, NONCE_LENGTH)
    const nonce = out.subarray(nonceAt, nonceAt + NONCE_LENGTH)
    const fullAad = aad === undefined ? header : headerWithAad(header, aad)
    sealInto(this.#openssl, key, nonce, fullAad, data, out, nonceAt + NONCE_LENGTH)
    return out
  }

  /** Opens a sealed value made with any key of this cipher. Any failure is `ERR_DECRYPT`. */
  decrypt(sealed: Uint8Array, aad?: BinaryInput): Buffer {
    if (!(sealed instanceof Uint8Array)) throw new InvalidArgumentError('sealed must be a Uint8Array')
    checkAad(aad)
    const bytes = toBuffer(sealed, 'sealed')
    const entry = this.#entryFor(bytes)
    if (entry === undefined) throw decryptFailed()
    // entry.header holds the same bytes as the value's header (#entryFor compared them): no view needed.
    const { header } = entry
    const nonceAt = header.length
    const tagAt = bytes.length - TAG_LENGTH
    return open(
      this.#openssl,
      entry.key,
      bytes.subarray(nonceAt, nonceAt + NONCE_LENGTH),
      aad === undefined ? header : headerWithAad(header, aad),
      bytes.subarray(nonceAt + NONCE_LENGTH, tagAt),
      bytes.subarray(tagAt),
    )
  }

  /**
   * The key whose header (version, algorithm, key id) starts `sealed`, when `sealed` is long enough
   * to hold that header, a nonce and a tag. The current key is tried first by comparing bytes,
   * which skips decoding the key id for the common case.
   */
  #entryFor(sealed: Buffer): KeyEntry | undefined {
    const current = this.#current
    let entry: KeyEntry | undefined = current
    if (!startsWith(sealed, current.header)) {
      const parts = parseSealed(sealed)
      entry = parts && parts.algorithm === this.algorithm ? this.#keys.get(parts.keyId) : undefined
      if (entry === undefined || !startsWith(sealed, entry.header)) return undefined
    }
    return sealed.length >= entry.header.length + NONCE_LENGTH + TAG_LENGTH ? entry : undefined
  }

  /** Opens a sealed value and decodes the plaintext as UTF-8. */
  decryptText(sealed: Uint8Array, aad?: BinaryInput): string {
    return this.decrypt(sealed, aad).toString('utf8')
  }

  /** True when `sealed` was made with a key other than the current one (it should be re-encrypted). */
  needsRotation(sealed: Uint8Array): boolean {
    return AeadCipher.inspect(sealed).keyId !== this.keyId
  }

  /** Decrypts with whichever key sealed it and seals again with the current key. */
  rotate(sealed: Uint8Array, aad?: BinaryInput): Buffer {
    return this.encrypt(this.decrypt(sealed, aad), aad)
  }

  /** The unauthenticated header of a sealed value; `ERR_DECRYPT` when it is malformed. */
  static inspect(sealed: Uint8Array): SealedInfo {
    if (!(sealed instanceof Uint8Array)) throw new InvalidArgumentError('sealed must be a Uint8Array')
    const parts = parseSealed(toBuffer(sealed, 'sealed'))
    if (!parts) throw decryptFailed()
    return { version: parts.version, algorithm: parts.algorithm, keyId: parts.keyId }
  }
}
