import { CryptoError, InvalidArgumentError } from '../errors/classes.js'

/** Data a crypto function accepts: bytes as given, or a string taken as its UTF-8 encoding. */
export type BinaryInput = string | Uint8Array

/** Bytes as a Buffer view (no copy for Buffers and Uint8Arrays; UTF-8 for strings). */
export function toBuffer(data: BinaryInput, name: string): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8')
  if (data instanceof Uint8Array) {
    return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  }
  throw new InvalidArgumentError(`${name} must be a string or a Uint8Array`)
}

/** Checks that `value` is an integer in [min, max], naming the argument when it is not. */
export function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`)
  }
  return value
}

/** Checks that `value` is exactly `length` bytes long. */
export function checkKey(value: unknown, name: string, length: number): Buffer {
  if (!(value instanceof Uint8Array) || value.byteLength !== length) {
    throw new InvalidArgumentError(`${name} must be a Uint8Array of ${length} bytes`)
  }
  return toBuffer(value, name)
}

/**
 * Rejects an option object that is not a plain object, or that names an option not in `known`
 * (a misspelt option would otherwise be ignored silently: DESIGN §4).
 */
export function checkOptions<T extends object>(
  value: T | undefined,
  name: string,
  known: readonly string[],
): Partial<T> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${name} must be an object`)
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new InvalidArgumentError(`${name}.${key} is not a known option`)
  }
  return value
}

/** Wraps an engine failure (OpenSSL, N-API) in a CovetError with a stable code. */
export function cryptoFailure(what: string, cause: unknown): CryptoError {
  return new CryptoError('ERR_CRYPTO', `${what} failed`, { cause })
}
