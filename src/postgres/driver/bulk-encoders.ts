import type { ParamCodec } from '../codecs.js'

/**
 * Field encoders for COPY binary rows (PostgreSQL docs, COPY "Binary Format": each field is an
 * Int32 length, -1 for NULL, then the type's `*_send` bytes). The common scalar types are written
 * straight into the chunk, with no Buffer per value: that allocation is most of the cost of a
 * row. A value the fast path does not take exactly (wrong JS type, out of range) goes to the type
 * layer's encoder, which accepts or rejects it with its own rules, so results never differ.
 */

/** Writes one non-null field (length + bytes); throws when the value does not fit the column. */
export type FieldWriter = (out: ChunkWriter, value: unknown) => void

const INT2 = 21
const INT4 = 23
const INT8 = 20
const FLOAT4 = 700
const FLOAT8 = 701
const BOOL = 16
const TEXT = 25
const VARCHAR = 1043
const TIMESTAMPTZ = 1184
/** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix ms. */
const PG_EPOCH_MS = 946_684_800_000
const TWO_32 = 2 ** 32

export function fieldWriter(typeOid: number, codec: ParamCodec): FieldWriter {
  const general: FieldWriter = (out, value) => {
    const bytes = codec.encode(value)
    out.int32(bytes.length)
    out.bytes(bytes)
  }
  switch (typeOid) {
    case INT2:
      return (out, v) => {
        if (typeof v === 'number' && Number.isInteger(v) && v >= -32768 && v <= 32767) {
          out.int32(2)
          out.int16(v)
        } else general(out, v)
      }
    case INT4:
      return (out, v) => {
        if (typeof v === 'number' && (v | 0) === v && !Object.is(v, -0)) {
          out.int32(4)
          out.int32(v)
        } else general(out, v)
      }
    case INT8:
      return (out, v) => {
        if (typeof v === 'bigint' && v >= -(2n ** 63n) && v < 2n ** 63n) {
          out.int32(8)
          out.bigint64(v)
        } else general(out, v)
      }
    case FLOAT8:
      return (out, v) => {
        if (typeof v === 'number') {
          out.int32(8)
          out.double(v)
        } else general(out, v)
      }
    case FLOAT4:
      return general
    case BOOL:
      return (out, v) => {
        if (typeof v === 'boolean') {
          out.int32(1)
          out.uint8(v ? 1 : 0)
        } else general(out, v)
      }
    case TIMESTAMPTZ:
      // int8 microseconds since PG_EPOCH_MS (timestamptz_send); a Date has whole ms, so exact.
      return (out, v) => {
        const ms = v instanceof Date ? v.getTime() : Number.NaN
        if (Number.isFinite(ms)) {
          const us = (ms - PG_EPOCH_MS) * 1000
          const high = Math.floor(us / TWO_32)
          out.int32(8)
          out.int32(high)
          out.uint32(us - high * TWO_32)
        } else general(out, v)
      }
    case TEXT:
    case VARCHAR:
      return (out, v) => {
        if (typeof v === 'string') out.lengthPrefixedUtf8(v)
        else general(out, v)
      }
    default:
      return general
  }
}

/** A growable buffer handed out in chunks; a chunk is never written to after `take()`. */
export class ChunkWriter {
  #buf: Buffer
  #pos = 0
  constructor(readonly size: number) {
    this.#buf = Buffer.allocUnsafe(size + 1024)
  }

  get length(): number {
    return this.#pos
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + n))
    this.#buf.copy(next, 0, 0, this.#pos)
    this.#buf = next
  }

  uint8(v: number): void {
    this.#ensure(1)
    this.#buf[this.#pos++] = v
  }

  int16(v: number): void {
    this.#ensure(2)
    this.#pos = this.#buf.writeInt16BE(v, this.#pos)
  }

  int32(v: number): void {
    this.#ensure(4)
    this.#pos = this.#buf.writeInt32BE(v, this.#pos)
  }

  uint32(v: number): void {
    this.#ensure(4)
    this.#pos = this.#buf.writeUInt32BE(v, this.#pos)
  }

  bigint64(v: bigint): void {
    this.#ensure(8)
    this.#pos = this.#buf.writeBigInt64BE(v, this.#pos)
  }

  double(v: number): void {
    this.#ensure(8)
    this.#pos = this.#buf.writeDoubleBE(v, this.#pos)
  }

  bytes(v: Uint8Array): void {
    this.#ensure(v.length)
    this.#buf.set(v, this.#pos)
    this.#pos += v.length
  }

  /** Int32 byte length, then the UTF-8 of `v`, encoded in place (one UTF-16 unit ≤ 3 bytes). */
  lengthPrefixedUtf8(v: string): void {
    this.#ensure(4 + v.length * 3)
    const start = this.#pos + 4
    const written = this.#buf.write(v, start, 'utf8')
    this.#buf.writeInt32BE(written, this.#pos)
    this.#pos = start + written
  }

  take(): Buffer {
    const chunk = this.#buf.subarray(0, this.#pos)
    this.#buf = Buffer.allocUnsafe(this.size + 1024)
    this.#pos = 0
    return chunk
  }
}
