import { InvalidArgumentError, ProtocolError } from '../../errors/classes.js'
import type { ByteWriter } from '../../internal/byte-writer.js'
import { MAX_PACKET_PAYLOAD } from './constants.js'

/**
 * Packet framing ("0 - Packet"): every packet is `int<3> payload length, int<1> sequence id,
 * payload`. A payload of 2^24-1 bytes or more is sent as packets of exactly 0xFFFFFF bytes, each
 * with the next sequence id, ended by a shorter one — an empty packet when the payload is an exact
 * multiple of 0xFFFFFF ("Packet Splitting"). This file joins them on the way in and splits them on
 * the way out; it knows nothing of what payloads mean.
 */

export interface PacketReaderOptions {
  /** The largest logical payload accepted (after joining). Default 1 GiB, max_allowed_packet's maximum. */
  maxPayloadBytes?: number
}

const DEFAULT_MAX_PAYLOAD = 2 ** 30
const EMPTY = Buffer.alloc(0)

/**
 * Reads payloads from chunks in arrival order: `read()` returns the next complete (joined) payload
 * or `undefined` ("need more bytes"). A payload that fits one chunk is a subarray of it (no copy);
 * one split across chunks is copied once, when its last byte arrives. After a ProtocolError the
 * stream is out of sync and the reader stays failed.
 */
export class PacketReader {
  readonly maxPayloadBytes: number
  /** The sequence id of the last packet of the payload `read()` returned last. */
  sequenceId = 0
  #buf: Buffer = EMPTY
  #pos = 0
  #parts: Buffer[] = []
  #partsLength = 0
  /** Bytes the incomplete packet still needs beyond `#buf[#pos..]`. */
  #missing = 0
  /** Fragments of a payload of 0xFFFFFF-byte packets, waiting for the packet that ends it. */
  #fragments: Buffer[] = []
  #fragmentsLength = 0
  #failure: ProtocolError | undefined

  constructor(options: PacketReaderOptions = {}) {
    const max = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new InvalidArgumentError('maxPayloadBytes must be a positive integer')
    }
    this.maxPayloadBytes = max
  }

  /** Bytes received and not yet returned in a payload. */
  get bufferedBytes(): number {
    return this.#buf.length - this.#pos + this.#partsLength + this.#fragmentsLength
  }

  feed(chunk: Buffer): void {
    if (chunk.length === 0) return
    if (this.#pos >= this.#buf.length) {
      this.#buf = chunk
      this.#pos = 0
      return
    }
    this.#parts.push(chunk)
    this.#partsLength += chunk.length
  }

  read(): Buffer | undefined {
    if (this.#failure) throw this.#failure
    for (;;) {
      if (this.#partsLength > 0) {
        if (this.#partsLength < this.#missing) return undefined
        this.#join()
      }
      const buf = this.#buf
      const pos = this.#pos
      if (buf.length - pos < 4) {
        this.#missing = 4 - (buf.length - pos)
        return undefined
      }
      const length = buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16)
      const seq = buf[pos + 3]!
      if (this.#fragments.length > 0 && seq !== ((this.sequenceId + 1) & 0xff)) {
        this.#fail(`packet sequence id ${seq} does not follow ${this.sequenceId} inside a split payload`)
      }
      if (this.#fragmentsLength + length > this.maxPayloadBytes) {
        this.#fail(`a payload of more than ${this.maxPayloadBytes} bytes exceeds maxPayloadBytes`)
      }
      const end = pos + 4 + length
      if (end > buf.length) {
        this.#missing = end - buf.length
        return undefined
      }
      this.#pos = end
      this.sequenceId = seq
      const payload = buf.subarray(pos + 4, end)
      if (length === MAX_PACKET_PAYLOAD) {
        this.#fragments.push(payload)
        this.#fragmentsLength += length
        continue
      }
      if (this.#fragments.length === 0) return payload
      this.#fragments.push(payload)
      const joined = Buffer.concat(this.#fragments, this.#fragmentsLength + length)
      this.#fragments = []
      this.#fragmentsLength = 0
      return joined
    }
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

/** Reserves a packet header; write the payload after it, then call `endPacket`. */
export function beginPacket(w: ByteWriter): number {
  return w.reserveInt32()
}

/**
 * Fills in the header reserved at `start` with sequence id `seq` and returns the sequence id the
 * next packet of the exchange takes. A payload of 0xFFFFFF bytes or more is re-framed into several
 * packets (copying the part past the first packet once; only such payloads pay for it).
 */
export function endPacket(w: ByteWriter, start: number, seq: number): number {
  const length = w.length - start - 4
  if (length < MAX_PACKET_PAYLOAD) {
    w.patchUint32LE(start, (length | (seq << 24)) >>> 0)
    return (seq + 1) & 0xff
  }
  const firstEnd = start + 4 + MAX_PACKET_PAYLOAD
  const tail = Buffer.from(w.subarray(firstEnd, w.length))
  w.truncate(firstEnd)
  w.patchUint32LE(start, (MAX_PACKET_PAYLOAD | (seq << 24)) >>> 0)
  let next = (seq + 1) & 0xff
  for (let at = 0; ; at += MAX_PACKET_PAYLOAD) {
    const n = Math.min(MAX_PACKET_PAYLOAD, tail.length - at)
    const header = w.reserveInt32()
    w.bytes(tail.subarray(at, at + n))
    w.patchUint32LE(header, (n | (next << 24)) >>> 0)
    next = (next + 1) & 0xff
    // A last packet of exactly 0xFFFFFF bytes would say "more follows": end with an empty one.
    if (n < MAX_PACKET_PAYLOAD) return next
  }
}

/** Writes one whole packet whose payload is `payload`. */
export function writePacket(w: ByteWriter, seq: number, payload: Uint8Array): number {
  const start = beginPacket(w)
  w.bytes(payload)
  return endPacket(w, start, seq)
}
