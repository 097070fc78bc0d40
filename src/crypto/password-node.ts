import { pbkdf2 as nodePbkdf2, scrypt as nodeScrypt } from 'node:crypto'
import { InvalidArgumentError } from '../errors/classes.js'
import { checkInteger, cryptoFailure } from './bytes.js'
import { hashesEqual, newSalt, type PasswordScheme, pepperWithHmac } from './password-scheme.js'
import { formatPhc, onlyParams, parsePhc, phcParam } from './phc.js'

/** scrypt (RFC 7914). Defaults: OWASP Password Storage Cheat Sheet, N=2^17, r=8, p=1 (128 MiB). */
export interface ScryptParams {
  /** N, a power of two. Default 2^17. */
  cost?: number
  /** r. Default 8. */
  blockSize?: number
  /** p. Default 1. */
  parallelization?: number
  hashLength?: number
  saltLength?: number
}

/** PBKDF2 (RFC 8018 §5.2). Default: OWASP's HMAC-SHA-256 at 600,000 iterations. */
export interface Pbkdf2Params {
  digest?: 'sha256' | 'sha384' | 'sha512'
  iterations?: number
  hashLength?: number
  saltLength?: number
}

const PBKDF2_DIGESTS: readonly string[] = ['sha256', 'sha384', 'sha512']

/** Verification refuses scrypt hashes asking for more than 1 GiB (a corrupt or hostile row). */
const MAX_SCRYPT_BYTES = 2 ** 30

function scryptBytes(n: number, r: number, p: number): number {
  // RFC 7914 §5: V is N blocks of 128r bytes; B is p blocks of 128r bytes.
  return 128 * r * (n + p)
}

function runScrypt(password: Buffer, salt: Buffer, n: number, r: number, p: number, length: number) {
  // node:crypto refuses work above maxmem (32 MiB by default); allow what N, r, p need plus slack.
  const maxmem = scryptBytes(n, r, p) + (1 << 20)
  return new Promise<Buffer>((resolve, reject) => {
    nodeScrypt(password, salt, length, { N: n, r, p, maxmem }, (error, key) => {
      if (error) reject(cryptoFailure('scrypt', error))
      else resolve(key)
    })
  })
}

function runPbkdf2(password: Buffer, salt: Buffer, iterations: number, length: number, digest: string) {
  return new Promise<Buffer>((resolve, reject) => {
    nodePbkdf2(password, salt, iterations, length, digest, (error, key) => {
      if (error) reject(cryptoFailure('PBKDF2', error))
      else resolve(key)
    })
  })
}

/** `$scrypt$ln=17,r=8,p=1$salt$hash` (the PHC/passlib layout); the pepper goes in by HMAC-SHA-256. */
export class ScryptScheme implements PasswordScheme {
  readonly #logN: number
  readonly #r: number
  readonly #p: number
  readonly #hashLength: number
  readonly #saltLength: number
  readonly #pepper: Buffer | undefined

  constructor(params: ScryptParams, pepper: Buffer | undefined) {
    const n = checkInteger(params.cost ?? 2 ** 17, 'cost', 2, 2 ** 30)
    if ((n & (n - 1)) !== 0) throw new InvalidArgumentError('cost must be a power of two')
    this.#logN = Math.log2(n)
    this.#r = checkInteger(params.blockSize ?? 8, 'blockSize', 1, 64)
    this.#p = checkInteger(params.parallelization ?? 1, 'parallelization', 1, 64)
    if (scryptBytes(n, this.#r, this.#p) > MAX_SCRYPT_BYTES) {
      throw new InvalidArgumentError('cost and blockSize ask for more than 1 GiB of memory')
    }
    this.#hashLength = checkInteger(params.hashLength ?? 32, 'hashLength', 16, 1024)
    this.#saltLength = checkInteger(params.saltLength ?? 16, 'saltLength', 8, 1024)
    this.#pepper = pepper
  }

  async hash(password: Buffer): Promise<string> {
    const salt = newSalt(this.#saltLength)
    const input = pepperWithHmac(password, this.#pepper)
    const key = await runScrypt(input, salt, 2 ** this.#logN, this.#r, this.#p, this.#hashLength)
    return formatPhc(
      'scrypt',
      undefined,
      [
        ['ln', this.#logN],
        ['r', this.#r],
        ['p', this.#p],
      ],
      salt,
      key,
    )
  }

  async verify(password: Buffer, encoded: string): Promise<boolean> {
    const { phc, logN, r, p } = parseScrypt(encoded)
    const input = pepperWithHmac(password, this.#pepper)
    const key = await runScrypt(input, phc.salt, 2 ** logN, r, p, phc.hash.byteLength)
    return hashesEqual(key, phc.hash)
  }

  needsRehash(encoded: string): boolean {
    const { phc, logN, r, p } = parseScrypt(encoded)
    return (
      logN !== this.#logN ||
      r !== this.#r ||
      p !== this.#p ||
      phc.hash.byteLength !== this.#hashLength ||
      phc.salt.byteLength < this.#saltLength
    )
  }
}

function parseScrypt(encoded: string) {
  const phc = parsePhc(encoded)
  if (phc.id !== 'scrypt' || phc.version !== undefined)
    throw new InvalidArgumentError('hash is not a scrypt hash')
  onlyParams(phc, ['ln', 'r', 'p'])
  const logN = phcParam(phc, 'ln', 1, 30)
  const r = phcParam(phc, 'r', 1, 64)
  const p = phcParam(phc, 'p', 1, 64)
  if (scryptBytes(2 ** logN, r, p) > MAX_SCRYPT_BYTES || phc.hash.byteLength < 16) {
    throw new InvalidArgumentError('hash has scrypt parameters out of range')
  }
  return { phc, logN, r, p }
}

/** `$pbkdf2-sha256$i=600000$salt$hash`; the pepper goes in by HMAC-SHA-256. */
export class Pbkdf2Scheme implements PasswordScheme {
  readonly #digest: 'sha256' | 'sha384' | 'sha512'
  readonly #iterations: number
  readonly #hashLength: number
  readonly #saltLength: number
  readonly #pepper: Buffer | undefined

  constructor(params: Pbkdf2Params, pepper: Buffer | undefined) {
    const digest = params.digest ?? 'sha256'
    if (!PBKDF2_DIGESTS.includes(digest)) {
      throw new InvalidArgumentError(`digest must be one of ${PBKDF2_DIGESTS.join(', ')}`)
    }
    this.#digest = digest
    this.#iterations = checkInteger(params.iterations ?? 600_000, 'iterations', 1000, 2 ** 31 - 1)
    this.#hashLength = checkInteger(params.hashLength ?? 32, 'hashLength', 16, 1024)
    this.#saltLength = checkInteger(params.saltLength ?? 16, 'saltLength', 8, 1024)
    this.#pepper = pepper
  }

  async hash(password: Buffer): Promise<string> {
    const salt = newSalt(this.#saltLength)
    const input = pepperWithHmac(password, this.#pepper)
    const key = await runPbkdf2(input, salt, this.#iterations, this.#hashLength, this.#digest)
    return formatPhc(`pbkdf2-${this.#digest}`, undefined, [['i', this.#iterations]], salt, key)
  }

  async verify(password: Buffer, encoded: string): Promise<boolean> {
    const { phc, digest, iterations } = parsePbkdf2(encoded)
    const input = pepperWithHmac(password, this.#pepper)
    const key = await runPbkdf2(input, phc.salt, iterations, phc.hash.byteLength, digest)
    return hashesEqual(key, phc.hash)
  }

  needsRehash(encoded: string): boolean {
    const { phc, digest, iterations } = parsePbkdf2(encoded)
    return (
      digest !== this.#digest ||
      iterations !== this.#iterations ||
      phc.hash.byteLength !== this.#hashLength ||
      phc.salt.byteLength < this.#saltLength
    )
  }
}

function parsePbkdf2(encoded: string) {
  const phc = parsePhc(encoded)
  const digest = phc.id.startsWith('pbkdf2-') ? phc.id.slice('pbkdf2-'.length) : ''
  if (!PBKDF2_DIGESTS.includes(digest) || phc.version !== undefined) {
    throw new InvalidArgumentError('hash is not a PBKDF2 hash')
  }
  onlyParams(phc, ['i'])
  const iterations = phcParam(phc, 'i', 1, 2 ** 31 - 1)
  if (phc.hash.byteLength < 16) throw new InvalidArgumentError('hash has a PBKDF2 output that is too short')
  return { phc, digest: digest as 'sha256' | 'sha384' | 'sha512', iterations }
}
