import { ProtocolError } from '../errors/classes.js'
import { decodeUtf8 } from './utf8.js'

const TWO_POW_32 = 2 ** 32

/**
 * A cursor over received bytes. Every read checks the bound first and throws a ProtocolError
 * (`ERR_PROTOCOL`) instead of reading past `end`: bytes come from the network and a lying length
 * must not turn into garbage values. Integers are assembled byte by byte and `bytes()` returns a
 * subarray, so reading a row allocates only the values it returns.
 */
export class ByteReader {
  /** Offset of the next byte to read. */
  offset: number
  readonly buffer: Buffer
  readonly end: number

  constructor(buffer: Buffer, start = 0, end = buffer.length) {
    if (start < 0 || end > buffer.length || start > end) {
      throw new ProtocolError(`ByteReader: range [${start}, ${end}) is outside the buffer`)
    }
    this.buffer = buffer
    this.offset = start
    this.end = end
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.offset
  }

  skip(n: number): this {
    this.need(n)
    this.offset += n
    return this
  }

  int8(): number {
    this.need(1)
    return (this.buffer[this.offset++]! << 24) >> 24
  }

  uint8(): number {
    this.need(1)
    return this.buffer[this.offset++]!
  }

  int16BE(): number {
    return (this.uint16BE() << 16) >> 16
  }

  uint16BE(): number {
    this.need(2)
    const b = this.buffer
    const o = this.offset
    this.offset = o + 2
    return (b[o]! << 8) | b[o + 1]!
  }

  int16LE(): number {
    return (this.uint16LE() << 16) >> 16
  }

  uint16LE(): number {
    this.need(2)
    const b = this.buffer
    const o = this.offset
    this.offset = o + 2
    return b[o]! | (b[o + 1]! << 8)
  }

  /** MySQL `int<3>`, little-endian. */
  uint24LE(): number {
    this.need(3)
    const b = this.buffer
    const o = this.offset
    this.offset = o + 3
    return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)
  }

  int32BE(): number {
    this.need(4)
    const b = this.buffer
    const o = this.offset
    this.offset = o + 4
    return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!
  }

  uint32BE(): number {
    return this.int32BE() >>> 0
  }

  int32LE(): number {
    this.need(4)
    const b = this.buffer
    const o = this.offset
    this.offset = o + 4
    return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)
  }

  uint32LE(): number {
    return this.int32LE() >>> 0
  }

  int64BE(): bigint {
    this.need(8)
    const v = this.buffer.readBigInt64BE(this.offset)
    this.offset += 8
    return v
  }

  uint64BE(): bigint {
    this.need(8)
    const v = this.buffer.readBigUInt64BE(this.offset)
    this.offset += 8
    return v
  }

  int64LE(): bigint {
    this.need(8)
    const v = this.buffer.readBigInt64LE(this.offset)
    this.offset += 8
    return v
  }

  uint64LE(): bigint {
    this.need(8)
    const v = this.buffer.readBigUInt64LE(this.offset)
    this.offset += 8
    return v
  }

  float32BE(): number {
    this.need(4)
    const v = this.buffer.readFloatBE(this.offset)
    this.offset += 4
    return v
  }

  float32LE(): number {
    this.need(4)
    const v = this.buffer.readFloatLE(this.offset)
    this.offset += 4
    return v
  }

  float64BE(): number {
    this.need(8)
    const v = this.buffer.readDoubleBE(this.offset)
    this.offset += 8
    return v
  }

  float64LE(): number {
    this.need(8)
    const v = this.buffer.readDoubleLE(this.offset)
    this.offset += 8
    return v
  }

  /** The next `n` bytes as a subarray of the same memory (no copy). */
  bytes(n: number): Buffer {
    this.need(n)
    const o = this.offset
    this.offset = o + n
    return this.buffer.subarray(o, o + n)
  }

  /** The rest of the bytes, without a copy (MySQL `string<EOF>`). */
  rest(): Buffer {
    const o = this.offset
    this.offset = this.end
    return this.buffer.subarray(o, this.end)
  }

  string(n: number, encoding: BufferEncoding = 'utf8'): string {
    this.need(n)
    const o = this.offset
    this.offset = o + n
    return encoding === 'utf8' ? decodeUtf8(this.buffer, o, o + n) : this.buffer.toString(encoding, o, o + n)
  }

  /** A NUL-terminated UTF-8 string; the NUL is consumed, not returned. */
  cstring(): string {
    const o = this.offset
    const nul = this.buffer.indexOf(0, o)
    if (nul === -1 || nul >= this.end) {
      throw new ProtocolError(`ByteReader: no NUL terminator after offset ${o}`)
    }
    this.offset = nul + 1
    return decodeUtf8(this.buffer, o, nul)
  }

  /**
   * MySQL `int<lenenc>` ("Protocol::LengthEncodedInteger"): null for the 0xFB NULL marker, a number
   * when it is a safe integer, a bigint above 2^53-1. 0xFF never starts an integer.
   */
  lengthEncodedInt(): number | bigint | null {
    this.need(1)
    const b = this.buffer
    const o = this.offset
    const first = b[o]!
    if (first < 0xfb) {
      this.offset = o + 1
      return first
    }
    switch (first) {
      case 0xfb:
        this.offset = o + 1
        return null
      case 0xfc:
        this.need(3)
        this.offset = o + 3
        return b[o + 1]! | (b[o + 2]! << 8)
      case 0xfd:
        this.need(4)
        this.offset = o + 4
        return b[o + 1]! | (b[o + 2]! << 8) | (b[o + 3]! << 16)
      case 0xfe: {
        this.need(9)
        this.offset = o + 9
        const lo = (b[o + 1]! | (b[o + 2]! << 8) | (b[o + 3]! << 16) | (b[o + 4]! << 24)) >>> 0
        const hi = (b[o + 5]! | (b[o + 6]! << 8) | (b[o + 7]! << 16) | (b[o + 8]! << 24)) >>> 0
        if (hi < 0x200000) return hi * TWO_POW_32 + lo
        return (BigInt(hi) << 32n) | BigInt(lo)
      }
      default:
        throw new ProtocolError(`ByteReader: 0x${first.toString(16)} does not start a length-encoded integer`)
    }
  }

  /** MySQL `string<lenenc>` as bytes (no copy); null for the 0xFB NULL marker. */
  lengthEncodedBytes(): Buffer | null {
    const o = this.offset
    const n = this.buffer[o]!
    // Fast path: a one-byte length that fits (most column values of a text-protocol row).
    if (n < 0xfb && o + 1 + n <= this.end) {
      this.offset = o + 1 + n
      return this.buffer.subarray(o + 1, o + 1 + n)
    }
    const len = this.lengthEncodedLength()
    if (len === null) return null
    const start = this.offset
    this.offset = start + len
    return this.buffer.subarray(start, start + len)
  }

  /** MySQL `string<lenenc>` decoded as UTF-8; null for the 0xFB NULL marker. */
  lengthEncodedString(): string | null {
    const o = this.offset
    const n = this.buffer[o]!
    if (n < 0xfb && o + 1 + n <= this.end) {
      this.offset = o + 1 + n
      return decodeUtf8(this.buffer, o + 1, o + 1 + n)
    }
    const len = this.lengthEncodedLength()
    if (len === null) return null
    const start = this.offset
    this.offset = start + len
    return decodeUtf8(this.buffer, start, start + len)
  }

  /** A length prefix that must fit the bytes left; on failure the offset is left unchanged. */
  private lengthEncodedLength(): number | null {
    const start = this.offset
    const n = this.lengthEncodedInt()
    if (n !== null && (typeof n === 'bigint' || n > this.end - this.offset)) {
      const left = this.end - this.offset
      this.offset = start
      throw new ProtocolError(`ByteReader: length-encoded length ${n} exceeds the ${left} bytes left`)
    }
    return n
  }

  private need(n: number): void {
    if (!(n >= 0 && this.offset + n <= this.end)) {
      throw new ProtocolError(
        `ByteReader: need ${n} bytes at offset ${this.offset}, only ${this.end - this.offset} left`,
      )
    }
  }
}
