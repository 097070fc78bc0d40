import { createHmac } from 'node:crypto'
import { hash as bcryptHash, verify as bcryptVerify } from '@node-rs/bcrypt'
import { InvalidArgumentError } from '../errors/classes.js'
import { checkInteger, cryptoFailure } from './bytes.js'
import type { PasswordScheme } from './password-scheme.js'

export interface BcryptParams {
  /** log2 of the rounds, 4..31. Default 12. */
  cost?: number
  /**
   * Passwords of any length: bcrypt sees base64(HMAC-SHA-384(pepper or empty key, password)), the
   * pre-hash the OWASP Password Storage Cheat Sheet describes. Default false: over 72 bytes is
   * refused. Hashes made with and without it are not interchangeable.
   */
  prehash?: boolean
}

/** bcrypt reads at most 72 bytes of password and silently ignores the rest. */
const BCRYPT_MAX_PASSWORD_BYTES = 72

/** `$2a$`, `$2b$`, `$2x$`, `$2y$`; 2-digit cost; 22 characters of salt and 31 of hash (bcrypt base64). */
const BCRYPT_HASH = /^\$2[abxy]\$(\d\d)\$[./A-Za-z0-9]{53}$/

/** The cost of a bcrypt hash string, or a clear error when it is not one. */
function bcryptCost(encoded: string): number {
  const match = BCRYPT_HASH.exec(encoded)
  const cost = match ? Number(match[1]) : 0
  if (cost < 4 || cost > 31) throw new InvalidArgumentError('hash is not a valid bcrypt hash')
  return cost
}

/** bcrypt ($2b$, OpenBSD) through `@node-rs/bcrypt`, which also verifies `$2a$`/`$2y$` hashes. */
export class BcryptScheme implements PasswordScheme {
  readonly #cost: number
  readonly #prehash: boolean
  readonly #pepper: Buffer | undefined

  constructor(params: BcryptParams, pepper: Buffer | undefined) {
    this.#cost = checkInteger(params.cost ?? 12, 'cost', 4, 31)
    if (params.prehash !== undefined && typeof params.prehash !== 'boolean') {
      throw new InvalidArgumentError('prehash must be a boolean')
    }
    this.#prehash = params.prehash ?? false
    this.#pepper = pepper
  }

  /**
   * What bcrypt is given. A pepper needs the same pre-hash (pepper + password could pass 72 bytes),
   * and base64 keeps NUL bytes out: bcrypt implementations stop at the first NUL.
   */
  #input(password: Buffer): Buffer {
    if (this.#prehash || this.#pepper !== undefined) {
      const mac = createHmac('sha384', this.#pepper ?? Buffer.alloc(0))
        .update(password)
        .digest()
      return Buffer.from(mac.toString('base64'), 'latin1')
    }
    if (password.byteLength > BCRYPT_MAX_PASSWORD_BYTES) {
      throw new InvalidArgumentError(
        `password is longer than bcrypt's ${BCRYPT_MAX_PASSWORD_BYTES} bytes; use prehash: true or argon2`,
      )
    }
    return password
  }

  async hash(password: Buffer): Promise<string> {
    const input = this.#input(password)
    try {
      return await bcryptHash(input, { cost: this.#cost, version: '2b' })
    } catch (error) {
      throw cryptoFailure('bcrypt', error)
    }
  }

  async verify(password: Buffer, encoded: string): Promise<boolean> {
    bcryptCost(encoded)
    const input = this.#input(password)
    try {
      return await bcryptVerify(input, encoded)
    } catch (error) {
      throw cryptoFailure('bcrypt', error)
    }
  }

  needsRehash(encoded: string): boolean {
    return bcryptCost(encoded) !== this.#cost
  }
}
