import { randomInt as nodeRandomInt, randomBytes, randomFillSync, randomUUID } from 'node:crypto'
import { InvalidArgumentError } from '../errors/classes.js'
import { checkInteger, checkOptions } from './bytes.js'

export interface TokenOptions {
  /** true (default): base64url without padding; false: lowercase hex. */
  urlsafe?: boolean
}

/** node:crypto.randomInt works on ranges below 2^48 (it rejects larger ones). */
const MAX_RANGE = 2 ** 48
const MAX_BYTES = 2 ** 31 - 1

/**
 * UUIDv7 state shared by every SecureRandom in the process, so ids from different instances still
 * sort in creation order. RFC 9562 §6.2 method 1: the 12-bit rand_a field is a counter that starts
 * at a random value below 2^11 each millisecond (leaving room to count up); when it overflows the
 * timestamp is advanced by one, which the RFC allows to keep ids monotonic.
 */
const v7 = { lastMs: -1, counter: 0 }

/** The size of a RandomPool refill: one CSPRNG call serves 341 AEAD nonces. */
export const RANDOM_POOL_SIZE = 4096

/**
 * Public random values (AEAD nonces) served from a buffer that one `randomFillSync` call refills,
 * instead of one CSPRNG call per 12-byte nonce (that call was 10.7% of CPU in a 50k-note import).
 * Bytes are handed out in order and each exactly once: a request that runs past the end takes the
 * rest of this fill, then continues at the start of the next one, so no byte is served twice. The
 * bytes wait in memory until served, so the pool is for values that are public anyway; keys and
 * salts keep calling the CSPRNG directly. Module state is per thread (workers load their own copy).
 */
export class RandomPool {
  readonly #pool: Buffer
  readonly #refill: (pool: Buffer) => unknown
  #next: number

  /** `refill` is for tests that check the accounting with known bytes; it defaults to the CSPRNG. */
  constructor(size = RANDOM_POOL_SIZE, refill: (pool: Buffer) => unknown = randomFillSync) {
    this.#pool = Buffer.alloc(checkInteger(size, 'size', 1, MAX_BYTES))
    this.#refill = refill
    this.#next = size // empty: the first request fills it
  }

  /** Writes `length` random bytes, never served before, into `target` from `offset`. */
  fill(target: Uint8Array, offset: number, length: number): void {
    const pool = this.#pool
    let next = this.#next
    for (let written = 0; written < length; ) {
      if (next === pool.length) {
        // Marked empty first: a refill that throws must not leave bytes already copied servable again.
        this.#next = next
        this.#refill(pool)
        next = 0
      }
      const end = Math.min(pool.length, next + length - written)
      // A byte loop: for a 12-byte nonce it is cheaper than a native copy call.
      while (next < end) target[offset + written++] = pool[next++]!
    }
    this.#next = next
  }
}

/** The pool AeadCipher draws its nonces from. */
export const noncePool = new RandomPool()

/** Cryptographically secure random values from the OpenSSL CSPRNG (node:crypto). */
export class SecureRandom {
  /** `n` random bytes. */
  randomBytes(n: number): Buffer {
    return randomBytes(checkInteger(n, 'n', 0, MAX_BYTES))
  }

  /**
   * A random token of `nbytes` bytes of entropy (default 32), as base64url without padding
   * (`urlsafe`, the default; 43 characters for 32 bytes) or as lowercase hex.
   */
  generateToken(nbytes = 32, options?: TokenOptions): string {
    const { urlsafe = true } = checkOptions(options, 'options', ['urlsafe'])
    if (typeof urlsafe !== 'boolean') throw new InvalidArgumentError('options.urlsafe must be a boolean')
    const bytes = randomBytes(checkInteger(nbytes, 'nbytes', 1, 1 << 20))
    return bytes.toString(urlsafe ? 'base64url' : 'hex')
  }

  /** A random (version 4) UUID, RFC 9562 §5.4. */
  generateUuid(): string {
    return randomUUID()
  }

  /**
   * A time-ordered (version 7) UUID, RFC 9562 §5.7: 48-bit Unix time in ms, then a counter and
   * 62 random bits. Ids made later in this process sort after earlier ones (as strings and as
   * bytes), which keeps B-tree inserts of database keys at the right edge of the index.
   */
  generateUuidV7(): string {
    const bytes = Buffer.allocUnsafe(16)
    randomFillSync(bytes, 6)
    const now = Date.now()
    if (now > v7.lastMs) {
      v7.lastMs = now
      v7.counter = ((bytes[6]! & 0x07) << 8) | bytes[7]!
    } else if (++v7.counter > 0xfff) {
      // Counter overflow, or the clock went backwards: borrow the next millisecond (RFC 9562 §6.2).
      v7.lastMs++
      v7.counter = 0
    }
    const ms = v7.lastMs
    bytes.writeUIntBE(ms, 0, 6)
    bytes[6] = 0x70 | (v7.counter >> 8)
    bytes[7] = v7.counter & 0xff
    bytes[8] = 0x80 | (bytes[8]! & 0x3f) // variant 10 (RFC 9562 §4.1)
    const hex = bytes.toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }

  /**
   * A uniform random integer with `min <= n < max` (max exclusive, like node:crypto). node:crypto
   * draws by rejection sampling, so there is no modulo bias. The range must be below 2^48.
   */
  randomInt(min: number, max: number): number {
    if (!Number.isSafeInteger(min)) throw new InvalidArgumentError('min must be a safe integer')
    if (!Number.isSafeInteger(max)) throw new InvalidArgumentError('max must be a safe integer')
    if (max <= min || max - min >= MAX_RANGE) {
      throw new InvalidArgumentError('max must be greater than min, and max - min below 2^48')
    }
    return nodeRandomInt(min, max)
  }
}
