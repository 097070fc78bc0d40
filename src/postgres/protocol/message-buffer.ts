import type { MessageWriter } from './frontend.js'

/**
 * A growable outgoing buffer implementing MessageWriter: the connection encodes a whole pipeline
 * of messages into it and hands one slice to the socket. `take()` returns the bytes written and
 * starts over on a fresh region, so a slice already handed to the socket is never overwritten.
 */
export class MessageBuffer implements MessageWriter {
  #buf: Buffer
  #start = 0
  #pos = 0

  constructor(initialSize = 16 * 1024) {
    this.#buf = Buffer.allocUnsafe(initialSize)
  }

  get length(): number {
    return this.#pos - this.#start
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return
    const used = this.#pos - this.#start
    const size = Math.max(this.#buf.length, (used + n) * 2)
    const next = Buffer.allocUnsafe(size)
    this.#buf.copy(next, 0, this.#start, this.#pos)
    this.#buf = next
    this.#start = 0
    this.#pos = used
  }

  writeUInt8(value: number): void {
    this.#ensure(1)
    this.#buf[this.#pos++] = value
  }

  writeInt16(value: number): void {
    this.#ensure(2)
    this.#pos = this.#buf.writeInt16BE(value, this.#pos)
  }

  writeUInt16(value: number): void {
    this.#ensure(2)
    this.#pos = this.#buf.writeUInt16BE(value, this.#pos)
  }

  writeInt32(value: number): void {
    this.#ensure(4)
    this.#pos = this.#buf.writeInt32BE(value, this.#pos)
  }

  writeCString(value: string): void {
    // One UTF-16 unit needs at most 3 UTF-8 bytes; skip measuring for the common short case.
    this.#ensure(value.length * 3 + 1)
    this.#pos += this.#buf.write(value, this.#pos, 'utf8')
    this.#buf[this.#pos++] = 0
  }

  writeBytes(value: Uint8Array): void {
    this.#ensure(value.length)
    this.#buf.set(value, this.#pos)
    this.#pos += value.length
  }

  setInt32(offset: number, value: number): void {
    this.#buf.writeInt32BE(value, this.#start + offset)
  }

  /** The bytes written since the last take(); the buffer continues after them. */
  take(): Buffer {
    const out = this.#buf.subarray(this.#start, this.#pos)
    this.#start = this.#pos
    // Once most of the buffer is handed out, start a new one instead of compacting (which would
    // overwrite bytes the socket may still be sending).
    if (this.#buf.length - this.#pos < 1024) {
      this.#buf = Buffer.allocUnsafe(this.#buf.length)
      this.#start = 0
      this.#pos = 0
    }
    return out
  }
}
