import type { Socket } from 'node:net'
import { InvalidArgumentError, QueryError } from '../errors/classes.js'
import { type CovetError, isCovetError } from '../errors/covet-error.js'
import { type MessageWriter, writeCopyDone, writeCopyFail } from './protocol/frontend.js'
import type { BackendMessage, ServerFields } from './protocol/messages.js'
import type { ResponseHandler } from './query-handlers.js'
import type { PendingQuery } from './query-types.js'

/**
 * COPY on one connection (§55.2.6 "COPY Operations"). A COPY is sent as a simple Query, so a
 * backend-detected error ends copy mode at once: "the rest of that message is discarded and
 * ReadyForQuery is issued", and any CopyData/CopyDone/CopyFail sent after it is dropped. The
 * pipeline treats a COPY as a barrier: nothing is written behind it until its ReadyForQuery, since
 * the server would read later messages as COPY input.
 */

/**
 * One CopyData frame ('d', Int32 length, data) written to the socket without copying `data` into
 * a batch buffer. Returns true when the socket wants a drain before more is written.
 */
export function writeCopyFrame(socket: Socket, data: Uint8Array): boolean {
  const header = Buffer.allocUnsafe(5)
  header[0] = 0x64 // 'd'
  header.writeInt32BE(data.length + 4, 1)
  socket.cork()
  socket.write(header)
  socket.write(data)
  socket.uncork()
  return socket.writableNeedDrain
}

/** Resolves on 'drain', or at once when nothing is buffered, or when the socket closes. */
export function drained(socket: Socket): Promise<void> {
  if (!socket.writableNeedDrain) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done)
      socket.off('close', done)
      resolve()
    }
    socket.on('drain', done)
    socket.on('close', done)
  })
}

/** What COPY FROM STDIN reads: chunks of the COPY format (text, CSV or binary). */
export type CopySource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>

/** The I/O a COPY needs from the connection, beyond the pipeline's batch writer. */
export interface CopyIo {
  write(write: (w: MessageWriter) => void): void
  flush(): void
  /** Writes one CopyData frame without copying `data`; true when the socket wants a drain first. */
  writeCopyData(data: Uint8Array): boolean
  /** Resolves on 'drain' or when the socket closes. */
  drain(): Promise<void>
}

export type CopyTransfer =
  | { direction: 'in'; source: CopySource }
  | { direction: 'out'; sink: { push(chunk: Buffer): void } }

/** Answers Query('COPY ...'): CopyIn/OutResponse, CopyData*, CopyDone, CommandComplete, ReadyForQuery. */
export class CopyHandler implements ResponseHandler {
  tag = ''
  error: ServerFields | undefined
  /** The source failed or a row could not be encoded: the COPY was aborted with CopyFail. */
  sourceError: CovetError | undefined
  /** The statement did not enter the COPY mode the caller asked for. */
  wrongMode = false
  #stopped = false

  constructor(
    readonly query: PendingQuery,
    readonly transfer: CopyTransfer,
    readonly io: CopyIo,
    readonly onDone: (handler: CopyHandler) => void,
  ) {}

  handle(msg: BackendMessage): boolean {
    switch (msg.type) {
      case 'CopyInResponse':
        if (this.transfer.direction === 'in') void this.#pump(this.transfer.source)
        else this.#refuse()
        break
      case 'CopyOutResponse':
      case 'CopyBothResponse':
        if (this.transfer.direction !== 'out' || msg.type === 'CopyBothResponse') this.wrongMode = true
        break
      case 'CopyData':
        if (this.transfer.direction === 'out' && !this.wrongMode && !this.query.settled) {
          this.transfer.sink.push(msg.data)
        }
        break
      case 'RowDescription':
        this.wrongMode = true
        break
      case 'CommandComplete':
        this.tag = msg.tag
        break
      case 'ErrorResponse':
        this.error = msg.fields
        this.#stopped = true
        break
      case 'ReadyForQuery':
        this.#stopped = true
        this.onDone(this)
        return true
    }
    return false
  }

  /** The error the caller sees, if any: the source's own error beats the server's 57014 echo. */
  failure(): CovetError | undefined {
    if (this.sourceError !== undefined) return this.sourceError
    if (this.wrongMode && this.error === undefined) {
      const expected = this.transfer.direction === 'in' ? 'COPY ... FROM STDIN' : 'COPY ... TO STDOUT'
      return new InvalidArgumentError(`the statement is not a ${expected}`)
    }
    return undefined
  }

  /** A COPY FROM STDIN given to copyTo: leave copy-in mode without sending any data. */
  #refuse(): void {
    this.wrongMode = true
    this.io.write((w) => writeCopyFail(w, 'copyTo() expects COPY ... TO STDOUT'))
    this.io.flush()
  }

  /**
   * Streams the source as CopyData, waiting for the socket to drain between chunks (the memory
   * held is one chunk plus the socket's buffer), then CopyDone. A failing source, or a query
   * settled meanwhile (cancel, timeout), ends the COPY with CopyFail: the server then rolls the
   * whole statement back, so nothing is inserted.
   */
  async #pump(source: CopySource): Promise<void> {
    const io = this.io
    const stop = () => this.#stopped || this.query.settled
    try {
      for await (const chunk of source) {
        if (stop()) break
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
        if (!(bytes instanceof Uint8Array)) {
          throw new InvalidArgumentError('a COPY source must yield Uint8Array or string chunks')
        }
        if (bytes.length !== 0 && io.writeCopyData(bytes)) await io.drain()
      }
    } catch (err) {
      this.sourceError = isCovetError(err)
        ? err
        : new QueryError('ERR_COPY_ABORTED', 'the COPY source failed; nothing was copied', { cause: err })
    }
    if (this.#stopped) return
    if (this.sourceError !== undefined || this.query.settled) {
      const reason = this.sourceError?.message ?? 'the COPY was cancelled'
      io.write((w) => writeCopyFail(w, `covet: ${reason}`))
    } else io.write(writeCopyDone)
    io.flush()
  }
}
