import { InvalidArgumentError } from '../errors/classes.js'

/**
 * The PHC string format (github.com/P-H-C/phc-string-format, "PHC string format"):
 *   $<id>[$v=<version>][$<param>=<value>(,<param>=<value>)*][$<salt>[$<hash>]]
 * salt and hash in "B64": standard base64 alphabet, no padding. covet always writes salt and hash
 * and reads only strings that carry both.
 */
export interface PhcString {
  id: string
  version: number | undefined
  params: ReadonlyMap<string, number>
  salt: Buffer
  hash: Buffer
}

function invalid(what: string): InvalidArgumentError {
  return new InvalidArgumentError(`hash is not a valid PHC string: ${what}`)
}

/** PHC B64 (base64 without padding), encoded. */
export function encodeB64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').replace(/=+$/, '')
}

/** PHC B64, decoded strictly: only the alphabet, and only the canonical encoding of its bytes. */
export function decodeB64(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*$/.test(text) || text.length % 4 === 1) throw invalid(`${what} is not B64`)
  const bytes = Buffer.from(text, 'base64')
  if (encodeB64(bytes) !== text) throw invalid(`${what} is not canonical B64`)
  return bytes
}

const PARAM = /^([a-z0-9-]{1,32})=(0|[1-9][0-9]{0,14})$/

export function parsePhc(encoded: string): PhcString {
  const fields = encoded.split('$')
  if (fields[0] !== '' || !/^[a-z0-9-]{1,32}$/.test(fields[1] ?? '')) throw invalid('bad identifier')
  let at = 2
  let version: number | undefined
  const versionMatch = /^v=(0|[1-9][0-9]{0,9})$/.exec(fields[at] ?? '')
  if (versionMatch) {
    version = Number(versionMatch[1])
    at++
  }
  const params = new Map<string, number>()
  if (fields[at]?.includes('=')) {
    for (const pair of fields[at]!.split(',')) {
      const match = PARAM.exec(pair)
      if (!match || params.has(match[1]!)) throw invalid(`bad parameter "${pair.slice(0, 40)}"`)
      params.set(match[1]!, Number(match[2]))
    }
    at++
  }
  if (fields.length !== at + 2) throw invalid('expected a salt and a hash')
  return {
    id: fields[1]!,
    version,
    params,
    salt: decodeB64(fields[at]!, 'salt'),
    hash: decodeB64(fields[at + 1]!, 'hash'),
  }
}

export function formatPhc(
  id: string,
  version: number | undefined,
  params: readonly (readonly [string, number])[],
  salt: Uint8Array,
  hash: Uint8Array,
): string {
  const v = version === undefined ? '' : `$v=${version}`
  const p = params.length === 0 ? '' : `$${params.map(([k, n]) => `${k}=${n}`).join(',')}`
  return `$${id}${v}${p}$${encodeB64(salt)}$${encodeB64(hash)}`
}

/** A required integer parameter of a parsed PHC string, checked against [min, max]. */
export function phcParam(phc: PhcString, name: string, min: number, max: number): number {
  const value = phc.params.get(name)
  if (value === undefined) throw invalid(`missing parameter ${name}`)
  if (value < min || value > max) throw invalid(`parameter ${name} is out of range ${min}..${max}`)
  return value
}

/** Rejects parameters this scheme does not know (a hash we would otherwise verify wrongly). */
export function onlyParams(phc: PhcString, names: readonly string[]): void {
  for (const name of phc.params.keys()) {
    if (!names.includes(name)) throw invalid(`unknown parameter ${name}`)
  }
}
