import { InvalidArgumentError } from '../errors/classes.js'
import { encodeUtf8Into } from './utf8.js'

const TWO_POW_32 = 2 ** 32
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

function badInteger(kind: string, value: unknown): never {
  throw new InvalidArgumentError(`ByteWriter.${kind}: ${String(value)} is not a valid ${kind} value`)
}

/**
 * A growable output buffer for wire-protocol messages. It sits on the hot path of both drivers, so
 * integers are stored byte by byte (no per-call DataView or Buffer method overhead) and strings are
 * encoded straight into the backing memory. Every append returns `this` so writers chain.
 *
 * The memory is reused across `reset()`; `view()`/`subarray()` hand out that memory without a copy
 * and stay valid only until the next write or reset.
 */
export class ByteWriter {
  private buf: Buffer
  private pos = 0
  private readonly initialCapacity: number

  constructor(initialCapacity = 256) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new InvalidArgumentError(`ByteWriter: initialCapacity must be a positive integer`)
    }
    this.initialCapacity = initialCapacity
    this.buf = Buffer.allocUnsafe(initialCapacity)
  }

  /** Bytes written so far (also the offset the next write lands at). */
  get length(): number {
    return this.pos
  }

  get offset(): number {
    return this.pos
  }

  get capacity(): number {
    return this.buf.length
  }

  /** Makes room for `n` more bytes, doubling so that appends stay amortised O(1). */
  ensureCapacity(n: number): this {
    const needed = this.pos + n
    if (needed > this.buf.length) {
      let size = this.buf.length * 2
      while (size < needed) size *= 2
      const next = Buffer.allocUnsafe(size)
      this.buf.copy(next, 0, 0, this.pos)
      this.buf = next
    }
    return this
  }

  /** Forgets the content but keeps the memory for the next message. */
  reset(): this {
    this.pos = 0
    return this
  }

  int8(v: number): this {
    if ((v << 24) >> 24 !== v) badInteger('int8', v)
    if (this.pos + 1 > this.buf.length) this.ensureCapacity(1)
    this.buf[this.pos++] = v & 0xff
    return this
  }

  uint8(v: number): this {
    if ((v & 0xff) !== v) badInteger('uint8', v)
    if (this.pos + 1 > this.buf.length) this.ensureCapacity(1)
    this.buf[this.pos++] = v
    return this
  }

  int16BE(v: number): this {
    if ((v << 16) >> 16 !== v) badInteger('int16', v)
    return this.put16BE(v)
  }

  uint16BE(v: number): this {
    if ((v & 0xffff) !== v) badInteger('uint16', v)
    return this.put16BE(v)
  }

  int16LE(v: number): this {
    if ((v << 16) >> 16 !== v) badInteger('int16', v)
    return this.put16LE(v)
  }

  uint16LE(v: number): this {
    if ((v & 0xffff) !== v) badInteger('uint16', v)
    return this.put16LE(v)
  }

  int32BE(v: number): this {
    if ((v | 0) !== v) badInteger('int32', v)
    return this.put32BE(v)
  }

  uint32BE(v: number): this {
    if (v >>> 0 !== v) badInteger('uint32', v)
    return this.put32BE(v)
  }

  int32LE(v: number): this {
    if ((v | 0) !== v) badInteger('int32', v)
    return this.put32LE(v)
  }

  uint32LE(v: number): this {
    if (v >>> 0 !== v) badInteger('uint32', v)
    return this.put32LE(v)
  }

  /** A signed 64-bit integer, from a bigint or a safe-integer number. */
  int64BE(v: bigint | number): this {
    const [hi, lo] = split64(v, INT64_MIN, INT64_MAX, 'int64')
    return this.put32BE(hi).put32BE(lo)
  }

  int64LE(v: bigint | number): this {
    const [hi, lo] = split64(v, INT64_MIN, INT64_MAX, 'int64')
    return this.put32LE(lo).put32LE(hi)
  }

  uint64BE(v: bigint | number): this {
    const [hi, lo] = split64(v, 0n, UINT64_MAX, 'uint64')
    return this.put32BE(hi).put32BE(lo)
  }

  uint64LE(v: bigint | number): this {
    const [hi, lo] = split64(v, 0n, UINT64_MAX, 'uint64')
    return this.put32LE(lo).put32LE(hi)
  }

  float32BE(v: number): this {
    this.ensureCapacity(4)
    this.pos = this.buf.writeFloatBE(v, this.pos)
    return this
  }

  float32LE(v: number): this {
    this.ensureCapacity(4)
    this.pos = this.buf.writeFloatLE(v, this.pos)
    return this
  }

  float64BE(v: number): this {
    this.ensureCapacity(8)
    this.pos = this.buf.writeDoubleBE(v, this.pos)
    return this
  }

  float64LE(v: number): this {
    this.ensureCapacity(8)
    this.pos = this.buf.writeDoubleLE(v, this.pos)
    return this
  }

  bytes(src: Uint8Array): this {
    const n = src.length
    if (this.pos + n > this.buf.length) this.ensureCapacity(n)
    this.buf.set(src, this.pos)
    this.pos += n
    return this
  }

  /**
   * Encodes `s` directly into the buffer. A UTF-16 code unit never takes more than 3 UTF-8 bytes,
   * so reserving `3 * length` avoids measuring the string first (`Buffer.byteLength` is a full
   * pass); only long strings are measured, so that a 100 MB text does not reserve 300 MB.
   */
  string(s: string, encoding: BufferEncoding = 'utf8'): this {
    if (encoding === 'utf8' || encoding === 'utf-8') {
      const max = s.length > 0x10000 ? Buffer.byteLength(s, 'utf8') : s.length * 3
      if (this.pos + max > this.buf.length) this.ensureCapacity(max)
      this.pos += encodeUtf8Into(this.buf, s, this.pos)
      return this
    }
    const n = Buffer.byteLength(s, encoding)
    if (this.pos + n > this.buf.length) this.ensureCapacity(n)
    this.pos += this.buf.write(s, this.pos, encoding)
    return this
  }

  /** A NUL-terminated UTF-8 string (PostgreSQL `String`, MySQL `string<NUL>`). */
  cstring(s: string): this {
    if (s.indexOf('\0') !== -1) {
      throw new InvalidArgumentError('ByteWriter.cstring: the string contains a NUL character')
    }
    this.string(s)
    if (this.pos + 1 > this.buf.length) this.ensureCapacity(1)
    this.buf[this.pos++] = 0
    return this
  }

  /**
   * MySQL `int<lenenc>` (Client/Server Protocol, "Protocol::LengthEncodedInteger"): below 251 one
   * byte; 0xFC + 2 bytes; 0xFD + 3 bytes; 0xFE + 8 bytes, all little-endian. 0xFB is NULL, 0xFF an
   * error header, so neither starts an integer.
   */
  lengthEncodedInt(v: bigint | number): this {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v) || v < 0) badInteger('lengthEncodedInt', v)
      if (v < 0xfb) return this.uint8(v)
      if (v <= 0xffff) return this.uint8(0xfc).put16LE(v)
      if (v <= 0xffffff) {
        this.ensureCapacity(4)
        const b = this.buf
        b[this.pos] = 0xfd
        b[this.pos + 1] = v & 0xff
        b[this.pos + 2] = (v >>> 8) & 0xff
        b[this.pos + 3] = v >>> 16
        this.pos += 4
        return this
      }
      return this.uint8(0xfe).uint64LE(v)
    }
    if (v < 0n || v > UINT64_MAX) badInteger('lengthEncodedInt', v)
    if (v <= 0xffffffn) return this.lengthEncodedInt(Number(v))
    return this.uint8(0xfe).uint64LE(v)
  }

  /** MySQL `string<lenenc>`: the UTF-8 byte length as `int<lenenc>`, then the bytes. */
  lengthEncodedString(s: string): this {
    // Short strings (the common case) fit a one-byte prefix whatever their content: write the body
    // first and patch the prefix, instead of measuring the string twice.
    if (s.length * 3 < 0xfb) {
      this.ensureCapacity(1 + s.length * 3)
      const at = this.pos
      this.pos = at + 1
      const n = encodeUtf8Into(this.buf, s, this.pos)
      this.buf[at] = n
      this.pos += n
      return this
    }
    return this.lengthEncodedInt(Buffer.byteLength(s, 'utf8')).string(s)
  }

  /** Reserves an Int32 (a PostgreSQL message length) to fill in later; returns its offset. */
  reserveInt32(): number {
    const at = this.pos
    this.ensureCapacity(4)
    this.pos += 4
    return at
  }

  /** Writes a big-endian Int32 at an offset returned by `reserveInt32()`. */
  patchInt32(offset: number, v: number): this {
    if ((v | 0) !== v) badInteger('int32', v)
    if (!Number.isInteger(offset) || offset < 0 || offset + 4 > this.pos) {
      throw new InvalidArgumentError(`ByteWriter.patchInt32: offset ${offset} is outside the written bytes`)
    }
    const b = this.buf
    b[offset] = v >>> 24
    b[offset + 1] = (v >>> 16) & 0xff
    b[offset + 2] = (v >>> 8) & 0xff
    b[offset + 3] = v & 0xff
    return this
  }

  /** Writes a little-endian UInt32 over bytes already written (a MySQL packet header: int<3> + int<1>). */
  patchUint32LE(offset: number, v: number): this {
    if (v >>> 0 !== v) badInteger('uint32', v)
    if (!Number.isInteger(offset) || offset < 0 || offset + 4 > this.pos) {
      throw new InvalidArgumentError(
        `ByteWriter.patchUint32LE: offset ${offset} is outside the written bytes`,
      )
    }
    const b = this.buf
    b[offset] = v & 0xff
    b[offset + 1] = (v >>> 8) & 0xff
    b[offset + 2] = (v >>> 16) & 0xff
    b[offset + 3] = v >>> 24
    return this
  }

  /** Forgets the bytes written after `length` (a message that must be re-framed or dropped). */
  truncate(length: number): this {
    if (!Number.isInteger(length) || length < 0 || length > this.pos) {
      throw new InvalidArgumentError(`ByteWriter.truncate: ${length} is outside [0, ${this.pos}]`)
    }
    this.pos = length
    return this
  }

  /**
   * Hands out the written bytes without a copy and starts over on memory they do not share: the
   * rest of the buffer when enough is left, else a fresh one. For a socket, which may keep the
   * Buffer it was given until the bytes are sent, so reusing that memory would corrupt them.
   */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos)
    const left = this.buf.length - this.pos
    this.buf = left >= 1024 ? this.buf.subarray(this.pos) : Buffer.allocUnsafe(this.initialCapacity)
    this.pos = 0
    return out
  }

  /** A copy of the written bytes, safe to keep after further writes. */
  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.pos)
    this.buf.copy(out, 0, 0, this.pos)
    return out
  }

  /** The written bytes without a copy; valid until the next write or reset. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos)
  }

  /** A slice of the written bytes without a copy; valid until the next write or reset. */
  subarray(start = 0, end = this.pos): Buffer {
    if (start < 0 || end > this.pos || start > end) {
      throw new InvalidArgumentError(`ByteWriter.subarray: [${start}, ${end}) is outside [0, ${this.pos})`)
    }
    return this.buf.subarray(start, end)
  }

  private put16BE(v: number): this {
    if (this.pos + 2 > this.buf.length) this.ensureCapacity(2)
    const b = this.buf
    b[this.pos] = (v >>> 8) & 0xff
    b[this.pos + 1] = v & 0xff
    this.pos += 2
    return this
  }

  private put16LE(v: number): this {
    if (this.pos + 2 > this.buf.length) this.ensureCapacity(2)
    const b = this.buf
    b[this.pos] = v & 0xff
    b[this.pos + 1] = (v >>> 8) & 0xff
    this.pos += 2
    return this
  }

  private put32BE(v: number): this {
    if (this.pos + 4 > this.buf.length) this.ensureCapacity(4)
    const b = this.buf
    b[this.pos] = v >>> 24
    b[this.pos + 1] = (v >>> 16) & 0xff
    b[this.pos + 2] = (v >>> 8) & 0xff
    b[this.pos + 3] = v & 0xff
    this.pos += 4
    return this
  }

  private put32LE(v: number): this {
    if (this.pos + 4 > this.buf.length) this.ensureCapacity(4)
    const b = this.buf
    b[this.pos] = v & 0xff
    b[this.pos + 1] = (v >>> 8) & 0xff
    b[this.pos + 2] = (v >>> 16) & 0xff
    b[this.pos + 3] = v >>> 24
    this.pos += 4
    return this
  }
}

/** Splits a 64-bit integer into its high and low 32-bit halves (bit patterns, as numbers). */
function split64(v: bigint | number, min: bigint, max: bigint, kind: string): [number, number] {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || (min === 0n && v < 0)) badInteger(kind, v)
    // Floor division keeps the two's-complement pattern for negatives: -1 → hi -1, lo 0xFFFFFFFF.
    const hi = Math.floor(v / TWO_POW_32)
    return [hi | 0, (v - hi * TWO_POW_32) >>> 0]
  }
  if (typeof v !== 'bigint' || v < min || v > max) badInteger(kind, v)
  return [Number(BigInt.asIntN(32, v >> 32n)), Number(BigInt.asUintN(32, v))]
}
