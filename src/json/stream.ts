import { Readable } from 'node:stream'
import { InvalidArgumentError, JsonError } from '../errors/classes.js'
import type { ErrorCode } from '../errors/codes.js'
import { FastJsonDecoder, type JsonDecoderOptions } from './decode.js'
import { FastJsonEncoder, type JsonEncoderOptions } from './encode.js'
import { ItemScanner } from './stream-scanner.js'

export interface DecodeStreamOptions extends JsonDecoderOptions {
  /**
   * 'ndjson': one value per line (blank lines ignored). 'array': the elements of one top-level
   * array, one at a time. 'auto' (default): 'array' when the first non-blank byte is `[`, else
   * 'ndjson' — pass 'ndjson' explicitly for NDJSON whose lines are arrays.
   */
  format?: 'ndjson' | 'array' | 'auto'
  /** Skip items that fail to decode instead of failing the stream (each is passed to onInvalid). */
  skipInvalid?: boolean
  /** Called with each skipped item's error when skipInvalid is set. */
  onInvalid?: (error: JsonStreamItemError) => void
  /** Largest item accepted, in bytes; bounds memory. Default 64 MiB. */
  maxItemBytes?: number
}

/** An item of a stream failed to decode or encode; says which one and where. */
export class JsonStreamItemError extends JsonError {
  static override readonly kind: string = 'JsonStreamItemError'
  /** 0-based position of the item in the stream. */
  readonly index: number
  /** 1-based NDJSON line, when decoding NDJSON. */
  readonly line: number | undefined
  /** Byte offset of the item in the decoded stream, when decoding. */
  readonly offset: number | undefined

  constructor(code: ErrorCode, where: string, index: number, cause: unknown, line?: number, offset?: number) {
    super(code, `${where}: ${(cause as Error).message}`, { cause })
    this.index = index
    this.line = line
    this.offset = offset
  }
}

const DEFAULT_MAX_ITEM_BYTES = 64 * 1024 * 1024

type ByteSource = AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>

function toBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8')
  if (Buffer.isBuffer(chunk)) return chunk
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  throw new InvalidArgumentError('decodeStream: chunks must be Buffers, Uint8Arrays or strings')
}

/**
 * Decodes NDJSON or a top-level JSON array from a stream, yielding one value at a time. It pulls
 * the next chunk only when the consumer asks for more (backpressure) and holds at most one item's
 * bytes plus one chunk. Each item goes through FastJsonDecoder (same safety defaults).
 */
export async function* decodeStream<T = unknown>(
  source: ByteSource,
  options: DecodeStreamOptions = {},
): AsyncGenerator<T, void, undefined> {
  const {
    format = 'auto',
    skipInvalid = false,
    onInvalid,
    maxItemBytes = DEFAULT_MAX_ITEM_BYTES,
    ...decoding
  } = options
  if (format !== 'auto' && format !== 'ndjson' && format !== 'array') {
    throw new InvalidArgumentError("decodeStream: option \"format\" must be 'ndjson', 'array' or 'auto'")
  }
  if (!Number.isInteger(maxItemBytes) || maxItemBytes < 1) {
    throw new InvalidArgumentError('decodeStream: option "maxItemBytes" must be a positive integer')
  }
  if (
    source === null ||
    typeof source !== 'object' ||
    !(Symbol.asyncIterator in source || Symbol.iterator in source)
  ) {
    throw new InvalidArgumentError('decodeStream: source must be a readable stream or an (async) iterable')
  }
  const decoder = new FastJsonDecoder(decoding)
  let scanner: ItemScanner | undefined = format === 'auto' ? undefined : new ItemScanner(format, maxItemBytes)
  // 'auto' holds leading blank chunks until the first non-blank byte decides the format.
  const blank: Buffer[] = []
  for await (const raw of source) {
    let chunk = toBuffer(raw)
    if (scanner === undefined) {
      const first = chunk.findIndex((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)
      if (first === -1) {
        blank.push(chunk)
        continue
      }
      scanner = new ItemScanner(chunk[first] === 0x5b ? 'array' : 'ndjson', maxItemBytes)
      if (blank.length > 0) chunk = Buffer.concat([...blank, chunk])
    }
    for (const item of scanner.push(chunk)) {
      const value = decodeItem<T>(decoder, item, scanner.isNdjson, skipInvalid, onInvalid)
      if (value !== SKIPPED) yield value
    }
  }
  for (const item of scanner?.end() ?? []) {
    const value = decodeItem<T>(decoder, item, scanner!.isNdjson, skipInvalid, onInvalid)
    if (value !== SKIPPED) yield value
  }
}

const SKIPPED: unique symbol = Symbol('skipped')

function decodeItem<T>(
  decoder: FastJsonDecoder,
  item: { bytes: Buffer; index: number; offset: number; line: number },
  ndjson: boolean,
  skipInvalid: boolean,
  onInvalid: ((error: JsonStreamItemError) => void) | undefined,
): T | typeof SKIPPED {
  try {
    return decoder.decode<T>(item.bytes)
  } catch (cause) {
    const where = ndjson
      ? `NDJSON line ${item.line} (item ${item.index})`
      : `Array element ${item.index} at byte ${item.offset}`
    const code = cause instanceof JsonError ? cause.code : 'ERR_JSON_PARSE'
    const error = new JsonStreamItemError(
      code,
      where,
      item.index,
      cause,
      ndjson ? item.line : undefined,
      item.offset,
    )
    if (!skipInvalid) throw error
    onInvalid?.(error)
    return SKIPPED
  }
}

export interface EncodeStreamOptions extends JsonEncoderOptions {
  /** 'ndjson' (default): one value per line; 'array': a single JSON array. */
  format?: 'ndjson' | 'array'
  /** Leave out values that cannot be encoded (each is passed to onInvalid) instead of failing. */
  skipInvalid?: boolean
  onInvalid?: (error: JsonStreamItemError) => void
}

/**
 * Encodes values from an (async) iterable into a byte stream of NDJSON or one JSON array. The
 * Readable pulls the next value only when its consumer reads (backpressure).
 */
export function encodeStream(
  source: AsyncIterable<unknown> | Iterable<unknown>,
  options: EncodeStreamOptions = {},
): Readable {
  const { format = 'ndjson', skipInvalid = false, onInvalid, ...encoding } = options
  if (format !== 'ndjson' && format !== 'array') {
    throw new InvalidArgumentError("encodeStream: option \"format\" must be 'ndjson' or 'array'")
  }
  if (encoding.pretty && format === 'ndjson') {
    throw new InvalidArgumentError(
      'encodeStream: option "pretty" cannot be used with NDJSON (one value per line)',
    )
  }
  if (
    source === null ||
    typeof source !== 'object' ||
    !(Symbol.asyncIterator in source || Symbol.iterator in source)
  ) {
    throw new InvalidArgumentError('encodeStream: source must be an (async) iterable')
  }
  const encoder = new FastJsonEncoder(encoding)
  async function* generate(): AsyncGenerator<string, void, undefined> {
    let index = 0
    let written = 0
    if (format === 'array') yield '['
    for await (const value of source) {
      let text: string
      try {
        text = encoder.encode(value)
      } catch (cause) {
        const code = cause instanceof JsonError ? cause.code : 'ERR_JSON_ENCODE'
        const error = new JsonStreamItemError(code, `Item ${index}`, index, cause)
        index++
        if (!skipInvalid) throw error
        onInvalid?.(error)
        continue
      }
      index++
      if (format === 'ndjson') yield `${text}\n`
      else yield written++ === 0 ? text : `,${text}`
    }
    if (format === 'array') yield ']'
  }
  return Readable.from(generate(), { objectMode: false })
}
