/**
 * UTF-8 between Buffers and strings on the drivers' hot path. Two costs dominate for the short
 * values that make up most rows and messages: the JS→C++ transition of every native call, and
 * `toString`/`write` normalising their encoding argument on each call. Short ASCII strings are
 * therefore handled in JS, and longer ones go straight to Node's `utf8Slice`/`utf8Write` (present
 * on Buffer.prototype since Node 0.x, though not typed), falling back to the public methods.
 */

/**
 * Up to these lengths the JS loop beats the native call (measured on Node 20 with V8 flattening
 * the result: decoding builds the string by concatenation, which costs more per byte than
 * encoding's plain stores, hence the lower bound).
 */
const SHORT_DECODE = 8
const SHORT_ENCODE = 16

interface FastUtf8 {
  utf8Slice?: (this: Buffer, start: number, end: number) => string
  utf8Write?: (this: Buffer, s: string, offset: number, length?: number) => number
}
const proto = Buffer.prototype as unknown as FastUtf8
const nativeSlice = proto.utf8Slice
const nativeWrite = proto.utf8Write

/** Decodes `buf[start, end)` as UTF-8 (bounds are the caller's responsibility). */
export function decodeUtf8(buf: Buffer, start: number, end: number): string {
  if (end - start <= SHORT_DECODE) {
    let out = ''
    let i = start
    for (; i < end; i++) {
      const c = buf[i]!
      if (c >= 0x80) break
      out += String.fromCharCode(c)
    }
    if (i === end) return out
  }
  return nativeSlice === undefined ? buf.toString('utf8', start, end) : nativeSlice.call(buf, start, end)
}

/**
 * Encodes `s` as UTF-8 into `buf` at `offset` and returns the bytes written. The caller has
 * reserved room for the worst case (3 bytes per UTF-16 code unit).
 */
export function encodeUtf8Into(buf: Buffer, s: string, offset: number): number {
  const n = s.length
  if (n <= SHORT_ENCODE) {
    let i = 0
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c >= 0x80) break
      buf[offset + i] = c
    }
    if (i === n) return n
    // Non-ASCII from position i on: encode the rest natively after the ASCII prefix.
    return i + writeNative(buf, s.slice(i), offset + i)
  }
  return writeNative(buf, s, offset)
}

function writeNative(buf: Buffer, s: string, offset: number): number {
  return nativeWrite === undefined ? buf.write(s, offset, 'utf8') : nativeWrite.call(buf, s, offset)
}
