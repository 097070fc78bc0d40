import { ProtocolError, QueryError } from '../errors/classes.js'
import { CovetError } from '../errors/covet-error.js'
import type { ByteWriter } from '../internal/byte-writer.js'
import type { InfileSource, PendingCommand } from './pending.js'
import { writePacket } from './protocol/packets.js'

/**
 * LOAD DATA LOCAL INFILE ("LOCAL INFILE Packet"): the server names a file and the client answers
 * with its content in packets, an empty packet ending it. A server may ask for any file at any
 * time (the classic rogue-server attack reads /etc/passwd), so covet never opens files: data comes
 * only from the `infile` stream given to that query(), and every other request is refused with an
 * empty packet. CLIENT_LOCAL_FILES is asked for only with the `localInfile` option.
 */

export interface InfileIo {
  /** The sequence id of the LOCAL INFILE request packet (the data continues from it). */
  sequenceId(): number
  /** Writes packets and flushes them; false when the socket asks to wait for 'drain'. */
  send(write: (w: ByteWriter) => void): boolean
  drained(): Promise<void>
  /** Ends the connection: the only way to abort a LOAD DATA whose source failed. */
  destroy(error: CovetError): void
}

export interface InfileRequest extends InfileIo {
  source: InfileSource | undefined
  filename: string
  command: PendingCommand
  /** Nothing else is in flight or queued: the server will read only our packets. */
  alone: boolean
}

/** Data packets stay far below 0xFFFFFF bytes, so none is ever read as a split payload's part. */
const CHUNK = 64 * 1024

export function refuseOrSendInfile(req: InfileRequest): void {
  if (!req.alone) {
    // The server would read the commands pipelined behind as file content: the stream is lost.
    req.destroy(
      new ProtocolError(`the server asked for LOCAL INFILE "${req.filename}" with other commands in flight`),
    )
    return
  }
  let seq = (req.sequenceId() + 1) & 0xff
  if (req.source === undefined) {
    req.send((w) => writePacket(w, seq, EMPTY))
    req.command.fail(
      new CovetError(
        'ERR_UNSUPPORTED',
        `the server asked for the local file "${req.filename}": covet sends LOAD DATA LOCAL INFILE data only from the infile stream given to query()`,
      ),
    )
    return
  }
  const source = req.source
  void (async () => {
    try {
      for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
        // An aborted query stops reading its source; the empty packet still ends the data.
        if (req.command.settled) break
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
        if (!(bytes instanceof Uint8Array))
          throw new TypeError('infile chunks must be Buffers, Uint8Arrays or strings')
        for (let at = 0; at < bytes.length; at += CHUNK) {
          const part = bytes.subarray(at, at + CHUNK)
          if (!req.send((w) => (seq = writePacket(w, seq, part)))) await req.drained()
        }
      }
      req.send((w) => writePacket(w, seq, EMPTY))
    } catch (cause) {
      const error = new QueryError(
        'ERR_COPY_ABORTED',
        'the LOCAL INFILE source failed: the connection was closed so the server aborts the statement',
        { cause },
      )
      req.command.fail(error)
      req.destroy(error)
    }
  })()
}

const EMPTY = Buffer.alloc(0)
