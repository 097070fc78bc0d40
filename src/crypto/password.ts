import { InvalidArgumentError } from '../errors/classes.js'
import { type BinaryInput, checkOptions, toBuffer } from './bytes.js'
import { type Argon2Params, Argon2Scheme } from './password-argon2.js'
import { type BcryptParams, BcryptScheme } from './password-bcrypt.js'
import { type Pbkdf2Params, Pbkdf2Scheme, type ScryptParams, ScryptScheme } from './password-node.js'
import type { PasswordScheme } from './password-scheme.js'

export type PasswordAlgorithm = 'argon2' | 'bcrypt' | 'scrypt' | 'pbkdf2'

interface PepperOption {
  /**
   * A server-side secret mixed into every hash this hasher makes or verifies (kept outside the
   * database). Argon2 takes it as its secret input K; bcrypt through its HMAC-SHA-384 pre-hash;
   * scrypt and PBKDF2 as HMAC-SHA-256(pepper, password).
   */
  pepper?: BinaryInput
}

export type PasswordHasherOptions<A extends PasswordAlgorithm> = PepperOption &
  (A extends 'argon2'
    ? Argon2Params
    : A extends 'bcrypt'
      ? BcryptParams
      : A extends 'scrypt'
        ? ScryptParams
        : Pbkdf2Params)

/** Which algorithm wrote a stored hash, read from its prefix. */
export function algorithmOfHash(encoded: string): PasswordAlgorithm {
  if (/^\$argon2(?:id|i|d)\$/.test(encoded)) return 'argon2'
  if (/^\$2[abxy]\$/.test(encoded)) return 'bcrypt'
  if (encoded.startsWith('$scrypt$')) return 'scrypt'
  if (/^\$pbkdf2-sha(?:256|384|512)\$/.test(encoded)) return 'pbkdf2'
  throw new InvalidArgumentError('hash is not an argon2, bcrypt, scrypt or pbkdf2 password hash')
}

function schemeFor(alg: PasswordAlgorithm, params: object, pepper: Buffer | undefined): PasswordScheme {
  if (alg === 'argon2') return new Argon2Scheme(params, pepper)
  if (alg === 'bcrypt') return new BcryptScheme(params, pepper)
  if (alg === 'scrypt') return new ScryptScheme(params, pepper)
  return new Pbkdf2Scheme(params, pepper)
}

const ALGORITHMS: readonly string[] = ['argon2', 'bcrypt', 'scrypt', 'pbkdf2']

/** The options each algorithm takes, besides `pepper`. */
const OPTION_NAMES: Readonly<Record<PasswordAlgorithm, readonly string[]>> = {
  argon2: ['memoryCost', 'timeCost', 'parallelism', 'hashLength', 'saltLength'],
  bcrypt: ['cost', 'prehash'],
  scrypt: ['cost', 'blockSize', 'parallelization', 'hashLength', 'saltLength'],
  pbkdf2: ['digest', 'iterations', 'hashLength', 'saltLength'],
}

/**
 * Password storage: `hashPassword` makes a self-describing string (PHC format, or bcrypt's own),
 * `verifyPassword` reads the algorithm and parameters back from it (so hashes made under older
 * settings, or by another of the four algorithms, still verify), `needsRehash` says when a stored
 * hash should be replaced after the next successful login. Everything runs off the event loop:
 * argon2 and bcrypt in N-API async tasks, scrypt and PBKDF2 in node:crypto's async forms.
 */
export class PasswordHasher<A extends PasswordAlgorithm = PasswordAlgorithm> {
  readonly algorithm: A
  readonly #scheme: PasswordScheme
  readonly #pepper: Buffer | undefined
  readonly #others = new Map<PasswordAlgorithm, PasswordScheme>()

  constructor(alg: A, options?: PasswordHasherOptions<A>) {
    if (typeof alg !== 'string' || !ALGORITHMS.includes(alg)) {
      throw new InvalidArgumentError(`alg must be one of ${ALGORITHMS.join(', ')}`)
    }
    const known = [...OPTION_NAMES[alg], 'pepper']
    const { pepper, ...params } = checkOptions(options, 'options', known) as PepperOption
    if (pepper !== undefined && toBuffer(pepper, 'pepper').byteLength === 0) {
      throw new InvalidArgumentError('pepper must not be empty')
    }
    this.algorithm = alg
    this.#pepper = pepper === undefined ? undefined : Buffer.from(toBuffer(pepper, 'pepper'))
    this.#scheme = schemeFor(alg, params, this.#pepper)
  }

  /** A new salted hash of `password` (a string is hashed as its UTF-8 bytes, not normalised). */
  async hashPassword(password: BinaryInput): Promise<string> {
    return this.#scheme.hash(toBuffer(password, 'password'))
  }

  /**
   * True when `password` matches `hash`. A hash that is not one of the four formats, or whose
   * parameters are out of range, is `ERR_INVALID_ARGUMENT` (a data problem, not a wrong password).
   */
  async verifyPassword(password: BinaryInput, hash: string): Promise<boolean> {
    const bytes = toBuffer(password, 'password')
    return this.#schemeOf(hash).verify(bytes, hash)
  }

  /** True when `hash` was made by another algorithm or with other parameters than this hasher's. */
  needsRehash(hash: string): boolean {
    const alg = this.#checkHash(hash)
    if (alg !== this.algorithm) return true
    return this.#scheme.needsRehash(hash)
  }

  #checkHash(hash: unknown): PasswordAlgorithm {
    if (typeof hash !== 'string') throw new InvalidArgumentError('hash must be a string')
    return algorithmOfHash(hash)
  }

  #schemeOf(hash: string): PasswordScheme {
    const alg = this.#checkHash(hash)
    if (alg === this.algorithm) return this.#scheme
    let scheme = this.#others.get(alg)
    if (!scheme) {
      // Parameters come from the stored hash; only the pepper carries over.
      scheme = schemeFor(alg, {}, this.#pepper)
      this.#others.set(alg, scheme)
    }
    return scheme
  }
}
