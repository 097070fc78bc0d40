import { InvalidArgumentError, ProtocolError } from '../../errors/classes.js'
import { decodeBody, isBackendCode, typeName } from './backend-decode.js'
import { BackendCode } from './codes.js'
import type { BackendMessage } from './messages.js'

export interface BackendParserOptions {
  /**
   * The largest message (type byte excluded) the parser will buffer. A length above it is treated
   * as garbage (ERR_PROTOCOL) instead of growing memory without bound. Default 1 GiB + 1 MiB: one
   * field can be up to PostgreSQL's 1 GiB MaxAllocSize, plus room for the rest of the row.
   */
  maxMessageBytes?: number
}

const DEFAULT_MAX_MESSAGE_BYTES = 2 ** 30 + 2 ** 20
const EMPTY = Buffer.alloc(0)

/**
 * A streaming parser for backend messages of protocol 3.0 (§55.7). Feed it chunks in arrival
 * order, then call `read()` until it returns `undefined` ("need more bytes").
 *
 * Every message is `Byte1 type, Int32 length (self-inclusive), body`. Messages are decoded
 * straight out of the chunk they arrived in; only a message split across chunks is copied, once,
 * when its last byte arrives (so a 100 MB row arriving in 64 KB chunks costs one copy, not n²).
 * A buffer handed out inside a message (DataRow, CopyData) is never written again.
 *
 * A DataRow that does not fit in the chunk at hand can be refused at its header (`refuseDataRow`):
 * its bytes are then dropped as they arrive, never buffered, and parsing resumes after it — the
 * length word frames it exactly, so the stream stays in step (issue 14: maxResultBytes must bound
 * the memory of one huge row, not only of many rows).
 *
 * After a ProtocolError the stream is out of sync and the parser stays failed: the connection
 * must be closed.
 */
export class BackendParser {
  readonly maxMessageBytes: number
  #buf: Buffer = EMPTY
  #pos = 0
  /** Chunks that arrived while a message was incomplete, not yet joined to `#buf`. */
  #parts: Buffer[] = []
  #partsLength = 0
  /** How many bytes beyond `#buf[#pos..]` the incomplete message still needs. */
  #missing = 0
  /** Bytes of a refused DataRow still to drop as they arrive. */
  #skip = 0
  #failure: ProtocolError | undefined
  /**
   * Asked when a DataRow of `byteLength` wire bytes (type byte included) starts that is not
   * complete in the buffered bytes: true drops it unbuffered. Asked again if the row is still
   * incomplete after more bytes arrive, so the answer must not change meanwhile.
   */
  refuseDataRow: ((byteLength: number) => boolean) | undefined

  constructor(options: BackendParserOptions = {}) {
    const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    if (!Number.isInteger(max) || max < 4 || max > 2 ** 31 - 1) {
      throw new InvalidArgumentError('maxMessageBytes must be an integer from 4 to 2^31-1')
    }
    this.maxMessageBytes = max
  }

  /** Bytes received but not yet returned as messages. */
  get bufferedBytes(): number {
    return this.#buf.length - this.#pos + this.#partsLength
  }

  /** Bytes of a refused DataRow still to be dropped. */
  get skipping(): number {
    return this.#skip
  }

  feed(chunk: Buffer): void {
    if (this.#skip > 0) {
      if (chunk.length <= this.#skip) {
        this.#skip -= chunk.length
        return
      }
      chunk = chunk.subarray(this.#skip)
      this.#skip = 0
    }
    if (chunk.length === 0) return
    if (this.#pos >= this.#buf.length) {
      this.#buf = chunk
      this.#pos = 0
      return
    }
    this.#parts.push(chunk)
    this.#partsLength += chunk.length
  }

  /** The next complete message, or `undefined` when more bytes are needed. */
  read(): BackendMessage | undefined {
    if (this.#failure) throw this.#failure
    if (this.#partsLength > 0) {
      if (this.#partsLength < this.#missing) return undefined
      this.#join()
    }
    const buf = this.#buf
    const pos = this.#pos
    const available = buf.length - pos
    if (available < 5) {
      if (available > 0) this.#checkType(buf[pos]!)
      this.#missing = 5 - available
      return undefined
    }
    const code = buf[pos]!
    const length = buf.readInt32BE(pos + 1)
    if (!isBackendCode(code)) this.#checkType(code)
    if (length < 4) this.#fail(`${typeName(code)} message with impossible length ${length}`)
    if (length > this.maxMessageBytes) {
      this.#fail(
        `${typeName(code)} message of ${length} bytes exceeds maxMessageBytes (${this.maxMessageBytes})`,
      )
    }
    const end = pos + 1 + length
    if (end > buf.length) {
      // #parts is empty here (joined above), so everything buffered is in `buf`.
      if (code === BackendCode.DataRow && this.refuseDataRow?.(1 + length) === true) {
        this.#skip = end - buf.length
        this.#buf = EMPTY
        this.#pos = 0
        this.#missing = 0
        return undefined
      }
      this.#missing = end - buf.length
      return undefined
    }
    this.#pos = end
    try {
      return decodeBody(code, buf, pos + 5, end)
    } catch (err) {
      this.#failure = err as ProtocolError
      throw err
    }
  }

  #checkType(code: number): void {
    if (!isBackendCode(code))
      this.#fail(`unknown backend message type 0x${code.toString(16).padStart(2, '0')}`)
  }

  #fail(message: string): never {
    this.#failure = new ProtocolError(message)
    throw this.#failure
  }

  #join(): void {
    const rest = this.#buf.subarray(this.#pos)
    this.#buf = Buffer.concat([rest, ...this.#parts], rest.length + this.#partsLength)
    this.#pos = 0
    this.#parts = []
    this.#partsLength = 0
  }
}
