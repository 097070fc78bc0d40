import { InvalidArgumentError } from '../errors/classes.js'
import { type Argon2Type, argon2Raw } from './argon2-engine.js'
import { checkInteger } from './bytes.js'
import { hashesEqual, newSalt, type PasswordScheme } from './password-scheme.js'
import { formatPhc, onlyParams, type PhcString, parsePhc, phcParam } from './phc.js'

/** Argon2id parameters. Defaults: OWASP Password Storage Cheat Sheet (m=19 MiB, t=2, p=1). */
export interface Argon2Params {
  /** m, memory in KiB. Default 19456. */
  memoryCost?: number
  /** t, passes. Default 2. */
  timeCost?: number
  /** p, lanes. Default 1. */
  parallelism?: number
  /** Tag length in bytes. Default 32. */
  hashLength?: number
  /** Salt length in bytes. Default 16 (RFC 9106 §3.1). */
  saltLength?: number
}

/** Verification refuses hashes asking for more than 4 GiB (a corrupt or hostile row). */
const MAX_MEMORY_KIB = 4 * 1024 * 1024
const TYPES: readonly string[] = ['argon2id', 'argon2i', 'argon2d']

function argon2Defaults(params: Argon2Params): Required<Argon2Params> {
  const parallelism = checkInteger(params.parallelism ?? 1, 'parallelism', 1, 255)
  return {
    // RFC 9106 §3.1: m >= 8p KiB.
    memoryCost: checkInteger(params.memoryCost ?? 19456, 'memoryCost', 8 * parallelism, MAX_MEMORY_KIB),
    timeCost: checkInteger(params.timeCost ?? 2, 'timeCost', 1, 2 ** 32 - 1),
    parallelism,
    hashLength: checkInteger(params.hashLength ?? 32, 'hashLength', 16, 1024),
    saltLength: checkInteger(params.saltLength ?? 16, 'saltLength', 8, 1024),
  }
}

interface Argon2Hash {
  phc: PhcString
  type: Argon2Type
  version: 0x10 | 0x13
  memoryCost: number
  timeCost: number
  parallelism: number
}

/** `$argon2id$v=19$m=…,t=…,p=…$salt$hash`; a missing `v=` means version 0x10 (reference encoder). */
function parseArgon2(encoded: string): Argon2Hash {
  const phc = parsePhc(encoded)
  if (!TYPES.includes(phc.id)) throw new InvalidArgumentError('hash is not an Argon2 hash')
  const version = phc.version ?? 0x10
  if (version !== 0x10 && version !== 0x13)
    throw new InvalidArgumentError('hash has an unknown Argon2 version')
  onlyParams(phc, ['m', 't', 'p'])
  const parallelism = phcParam(phc, 'p', 1, 255)
  if (phc.salt.byteLength < 8 || phc.hash.byteLength < 4) {
    throw new InvalidArgumentError('hash has an Argon2 salt or tag that is too short')
  }
  return {
    phc,
    type: phc.id as Argon2Type,
    version,
    memoryCost: phcParam(phc, 'm', 8 * parallelism, MAX_MEMORY_KIB),
    timeCost: phcParam(phc, 't', 1, 2 ** 32 - 1),
    parallelism,
  }
}

/** Argon2id (RFC 9106) with the pepper as Argon2's secret input K (RFC 9106 §3.1). */
export class Argon2Scheme implements PasswordScheme {
  readonly #params: Required<Argon2Params>
  readonly #pepper: Buffer | undefined

  constructor(params: Argon2Params, pepper: Buffer | undefined) {
    this.#params = argon2Defaults(params)
    this.#pepper = pepper
  }

  async hash(password: Buffer): Promise<string> {
    const { memoryCost, timeCost, parallelism, hashLength, saltLength } = this.#params
    const salt = newSalt(saltLength)
    const tag = await argon2Raw({
      type: 'argon2id',
      version: 0x13,
      memoryCost,
      timeCost,
      parallelism,
      password,
      salt,
      ...(this.#pepper === undefined ? {} : { secret: this.#pepper }),
      length: hashLength,
    })
    const params = [
      ['m', memoryCost],
      ['t', timeCost],
      ['p', parallelism],
    ] as const
    return formatPhc('argon2id', 0x13, params, salt, tag)
  }

  async verify(password: Buffer, encoded: string): Promise<boolean> {
    const parsed = parseArgon2(encoded)
    const tag = await argon2Raw({
      type: parsed.type,
      version: parsed.version,
      memoryCost: parsed.memoryCost,
      timeCost: parsed.timeCost,
      parallelism: parsed.parallelism,
      password,
      salt: parsed.phc.salt,
      ...(this.#pepper === undefined ? {} : { secret: this.#pepper }),
      length: parsed.phc.hash.byteLength,
    })
    return hashesEqual(tag, parsed.phc.hash)
  }

  needsRehash(encoded: string): boolean {
    const parsed = parseArgon2(encoded)
    const p = this.#params
    return (
      parsed.type !== 'argon2id' ||
      parsed.version !== 0x13 ||
      parsed.memoryCost !== p.memoryCost ||
      parsed.timeCost !== p.timeCost ||
      parsed.parallelism !== p.parallelism ||
      parsed.phc.hash.byteLength !== p.hashLength ||
      parsed.phc.salt.byteLength < p.saltLength
    )
  }
}
