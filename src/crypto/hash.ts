import * as nodeCrypto from 'node:crypto'
import { createReadStream } from 'node:fs'
import { blake3 as napiBlake3 } from '@napi-rs/blake-hash'
import { InvalidArgumentError } from '../errors/classes.js'
import { type Blake3Options, blake3Length, createBlake3 } from './blake3.js'
import { type BinaryInput, checkOptions, cryptoFailure, toBuffer } from './bytes.js'

/** Hash algorithms a Hasher computes. The SHA families run in OpenSSL; BLAKE3 in Rust (N-API). */
export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512' | 'sha3-256' | 'blake3'

/** Options for `Hasher`; only BLAKE3 takes any (keyed, derive-key and extendable-output modes). */
export type HasherOptions = Blake3Options

const DIGEST_LENGTHS: Readonly<Record<HashAlgorithm, number>> = {
  sha256: 32,
  sha384: 48,
  sha512: 64,
  'sha3-256': 32,
  blake3: 32,
}

function checkHashAlgorithm(alg: unknown): HashAlgorithm {
  if (typeof alg !== 'string' || !Object.hasOwn(DIGEST_LENGTHS, alg)) {
    throw new InvalidArgumentError(`alg must be one of ${Object.keys(DIGEST_LENGTHS).join(', ')}`)
  }
  return alg as HashAlgorithm
}

function checkHasherOptions(alg: HashAlgorithm, options: HasherOptions | undefined): number {
  const opts = checkOptions(options, 'options', ['key', 'context', 'length'])
  if (alg === 'blake3') return blake3Length(opts)
  if (opts.key !== undefined || opts.context !== undefined || opts.length !== undefined) {
    throw new InvalidArgumentError(
      `options.key, options.context and options.length are for blake3, not ${alg}`,
    )
  }
  return DIGEST_LENGTHS[alg]
}

/** `crypto.hash` (Node ≥ 20.12) skips the Hash object for one-shot digests; older 20.x fall back. */
const oneShot: ((alg: string, data: Buffer | string) => Buffer) | undefined =
  typeof nodeCrypto.hash === 'function'
    ? (alg, data) => nodeCrypto.hash(alg, data, 'buffer') as unknown as Buffer
    : undefined

interface HashState {
  update(data: BinaryInput): void
  digest(): Buffer
}

function nodeState(alg: string): HashState {
  const hash = nodeCrypto.createHash(alg)
  return {
    update: (data) => void (typeof data === 'string' ? hash.update(data, 'utf8') : hash.update(data)),
    // copy() keeps the running state, so digest() can be called again and update() continue.
    digest: () => hash.copy().digest(),
  }
}

/**
 * A streaming hash: `new Hasher('blake3').update(a).update(b).hexdigest()`. `digest()` does not
 * end the stream: more data may follow and a later digest covers everything so far.
 */
export class Hasher {
  readonly algorithm: HashAlgorithm
  /** Output length in bytes. */
  readonly digestLength: number
  readonly #state: HashState

  constructor(alg: HashAlgorithm, options?: HasherOptions) {
    this.algorithm = checkHashAlgorithm(alg)
    this.digestLength = checkHasherOptions(this.algorithm, options)
    if (this.algorithm === 'blake3') {
      const engine = createBlake3(options ?? {}, this.digestLength)
      this.#state = {
        update: (data) => engine.update(toBuffer(data, 'data')),
        digest: () => engine.digest(),
      }
    } else {
      this.#state = nodeState(this.algorithm)
    }
  }

  /** Adds bytes (a string is hashed as its UTF-8 encoding). */
  update(data: BinaryInput): this {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new InvalidArgumentError('data must be a string or a Uint8Array')
    }
    this.#state.update(data)
    return this
  }

  /** The digest of everything added so far. */
  digest(): Buffer {
    return this.#state.digest()
  }

  /** The digest as lowercase hex. */
  hexdigest(): string {
    return this.#state.digest().toString('hex')
  }

  /** One-shot digest of `data`. */
  static hash(alg: HashAlgorithm, data: BinaryInput, options?: HasherOptions): Buffer {
    checkHashAlgorithm(alg)
    if (options === undefined) {
      if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
        throw new InvalidArgumentError('data must be a string or a Uint8Array')
      }
      if (alg === 'blake3') return napiBlake3(data)
      const bytes = typeof data === 'string' ? data : toBuffer(data, 'data')
      if (oneShot) return oneShot(alg, bytes)
    }
    return new Hasher(alg, options).update(data).digest()
  }
}

/** Large reads keep the per-chunk call overhead small next to the hash itself (~1 ms per MiB). */
const FILE_CHUNK_BYTES = 1 << 20

/**
 * Digest of everything a stream yields: a Node Readable, a web ReadableStream, or any async
 * iterable of strings (UTF-8) or bytes. Memory stays bounded by one chunk.
 */
export async function hashStream(
  alg: HashAlgorithm,
  source: AsyncIterable<string | Uint8Array>,
  options?: HasherOptions,
): Promise<Buffer> {
  const hasher = new Hasher(alg, options)
  if (source === null || typeof source !== 'object' || !(Symbol.asyncIterator in source)) {
    throw new InvalidArgumentError('source must be an async iterable (a Readable or ReadableStream)')
  }
  for await (const chunk of source) hasher.update(chunk)
  return hasher.digest()
}

/** Digest of a file's contents, read in 1 MiB chunks. */
export async function hashFile(
  alg: HashAlgorithm,
  path: string | URL,
  options?: HasherOptions,
): Promise<Buffer> {
  if (typeof path !== 'string' && !(path instanceof URL)) {
    throw new InvalidArgumentError('path must be a string or a file: URL')
  }
  const hasher = new Hasher(alg, options)
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: FILE_CHUNK_BYTES })) {
      hasher.update(chunk as Buffer)
    }
  } catch (error) {
    // fs errors (ENOENT, EACCES, EISDIR) stay reachable as `cause` with their errno code.
    throw cryptoFailure('Reading the file to hash', error)
  }
  return hasher.digest()
}
