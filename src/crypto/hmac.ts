import { createHmac, type Hmac as NodeHmac, timingSafeEqual } from 'node:crypto'
import { CryptoError, InvalidArgumentError } from '../errors/classes.js'
import { type BinaryInput, toBuffer } from './bytes.js'

/** HMAC hash functions (RFC 2104 over OpenSSL's SHA-2 and SHA-3). */
export type HmacAlgorithm = 'sha256' | 'sha384' | 'sha512' | 'sha3-256'

const HMAC_LENGTHS: Readonly<Record<HmacAlgorithm, number>> = {
  sha256: 32,
  sha384: 48,
  sha512: 64,
  'sha3-256': 32,
}

function checkHmacAlgorithm(alg: unknown): HmacAlgorithm {
  if (typeof alg !== 'string' || !Object.hasOwn(HMAC_LENGTHS, alg)) {
    throw new InvalidArgumentError(`alg must be one of ${Object.keys(HMAC_LENGTHS).join(', ')}`)
  }
  return alg as HmacAlgorithm
}

function checkData(data: unknown, name: string): asserts data is BinaryInput {
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new InvalidArgumentError(`${name} must be a string or a Uint8Array`)
  }
}

/**
 * Constant-time comparison of a computed tag with an expected one. Lengths are public (the
 * algorithm fixes them), so a length mismatch returns false straight away.
 */
function tagsEqual(actual: Buffer, expected: Uint8Array): boolean {
  return actual.byteLength === expected.byteLength && timingSafeEqual(actual, expected)
}

/** A streaming HMAC: `new Hmac('sha256', key).update(data).digest()`. */
export class Hmac {
  readonly algorithm: HmacAlgorithm
  /** Tag length in bytes. */
  readonly digestLength: number
  #hmac: NodeHmac | undefined

  constructor(alg: HmacAlgorithm, key: BinaryInput) {
    this.algorithm = checkHmacAlgorithm(alg)
    this.digestLength = HMAC_LENGTHS[this.algorithm]
    checkData(key, 'key')
    this.#hmac = createHmac(this.algorithm, toBuffer(key, 'key'))
  }

  update(data: BinaryInput): this {
    checkData(data, 'data')
    const hmac = this.#open()
    if (typeof data === 'string') hmac.update(data, 'utf8')
    else hmac.update(data)
    return this
  }

  /** The tag over everything added. Ends the HMAC (OpenSSL cannot copy an HMAC state). */
  digest(): Buffer {
    const tag = this.#open().digest()
    this.#hmac = undefined
    return tag
  }

  hexdigest(): string {
    return this.digest().toString('hex')
  }

  /** Ends the HMAC and compares its tag with `expected` in constant time. */
  verify(expected: Uint8Array): boolean {
    if (!(expected instanceof Uint8Array)) throw new InvalidArgumentError('expected must be a Uint8Array')
    return tagsEqual(this.digest(), expected)
  }

  #open(): NodeHmac {
    if (!this.#hmac) throw new CryptoError('ERR_CRYPTO', 'This Hmac was already digested; create a new one')
    return this.#hmac
  }

  /** One-shot HMAC tag of `data`. */
  static digest(alg: HmacAlgorithm, key: BinaryInput, data: BinaryInput): Buffer {
    return new Hmac(alg, key).update(data).digest()
  }

  /** True when `tag` is the HMAC of `data` under `key`; the comparison is constant-time. */
  static verify(alg: HmacAlgorithm, key: BinaryInput, data: BinaryInput, tag: Uint8Array): boolean {
    return new Hmac(alg, key).update(data).verify(tag)
  }
}
