import { QueryError } from '../../errors/classes.js'
import type { BigIntMode, DecimalMode } from './options.js'

/**
 * Numeric column values. A text-protocol value is the decimal text (`string<lenenc>`); a
 * binary-protocol one is a little-endian integer of the column's width, or IEEE 754 for
 * FLOAT/DOUBLE ("Binary Protocol Result Set Row"). Decoders take `(buffer, start, length)`.
 */
export type ValueDecoder = (b: Buffer, start: number, len: number) => unknown

export function decodeError(type: string, why: string): QueryError {
  return new QueryError('ERR_TYPE_DECODE', `cannot decode a ${type} value: ${why}`)
}

/** Decimal integer text of at most 15 digits (always exact in a double), without allocating a string. */
function smallInt(b: Buffer, start: number, len: number, type: string): number {
  let i = start
  const end = start + len
  let negative = false
  if (b[i] === 0x2d /* '-' */) {
    negative = true
    i++
  }
  if (i === end) throw decodeError(type, 'empty number')
  let n = 0
  for (; i < end; i++) {
    const d = b[i]! - 0x30
    if (d < 0 || d > 9) throw decodeError(type, `"${b.toString('latin1', start, end)}" is not an integer`)
    n = n * 10 + d
  }
  return negative ? -n : n
}

/** TINYINT..INT, YEAR, as text: always a safe integer. */
export const textInt: ValueDecoder = (b, s, n) => smallInt(b, s, n, 'integer')

/** BIGINT as text, in the chosen mode. */
export function textBigInt(mode: BigIntMode): ValueDecoder {
  switch (mode) {
    case 'bigint':
      return (b, s, n) => (n <= 15 ? BigInt(smallInt(b, s, n, 'BIGINT')) : BigInt(digits(b, s, n)))
    case 'string':
      return (b, s, n) => digits(b, s, n)
    case 'lossy-number':
      return (b, s, n) => (n <= 15 ? smallInt(b, s, n, 'BIGINT') : Number(digits(b, s, n)))
    case 'number':
      return (b, s, n) => {
        if (n <= 15) return smallInt(b, s, n, 'BIGINT')
        return safeNumber(BigInt(digits(b, s, n)))
      }
  }
}

function digits(b: Buffer, s: number, n: number): string {
  const text = b.toString('latin1', s, s + n)
  if (!/^-?\d+$/.test(text)) throw decodeError('BIGINT', `"${text}" is not an integer`)
  return text
}

function safeNumber(v: bigint): number {
  const n = Number(v)
  if (!Number.isSafeInteger(n)) {
    throw decodeError('BIGINT', `${v} is beyond 2^53; use types.bigint 'bigint', 'string' or 'lossy-number'`)
  }
  return n
}

/** BIGINT in binary: 8 bytes little-endian, signed or unsigned by the column's UNSIGNED flag. */
export function binaryBigInt(mode: BigIntMode, unsigned: boolean): ValueDecoder {
  const read = unsigned
    ? (b: Buffer, s: number) => b.readBigUInt64LE(s)
    : (b: Buffer, s: number) => b.readBigInt64LE(s)
  switch (mode) {
    case 'bigint':
      return (b, s) => read(b, s)
    case 'string':
      return (b, s) => String(read(b, s))
    case 'lossy-number':
      return (b, s) => Number(read(b, s))
    case 'number':
      return (b, s) => {
        // The high word decides: within ±2^53 the double is exact, beyond it the mode refuses.
        const hi = unsigned ? b.readUInt32LE(s + 4) : b.readInt32LE(s + 4)
        if (hi > -0x200000 && hi < 0x200000) return hi * 0x100000000 + b.readUInt32LE(s)
        return safeNumber(read(b, s))
      }
  }
}

/** Fixed-width binary integers below 64 bits (TINY 1, SHORT/YEAR 2, INT24/LONG 4 bytes). */
export function binaryInt(width: 1 | 2 | 4, unsigned: boolean): ValueDecoder {
  if (width === 1) return unsigned ? (b, s) => b[s]! : (b, s) => (b[s]! << 24) >> 24
  if (width === 2) return unsigned ? (b, s) => b[s]! | (b[s + 1]! << 8) : (b, s) => b.readInt16LE(s)
  return unsigned ? (b, s) => b.readUInt32LE(s) : (b, s) => b.readInt32LE(s)
}

/** FLOAT/DOUBLE as text: the server's shortest round-trip digits. */
export const textFloat: ValueDecoder = (b, s, n) => {
  const v = Number(b.toString('latin1', s, s + n))
  if (Number.isNaN(v)) throw decodeError('FLOAT', `"${b.toString('latin1', s, s + n)}" is not a number`)
  return v
}

export const binaryDouble: ValueDecoder = (b, s) => b.readDoubleLE(s)

/**
 * FLOAT in binary is an IEEE single: 1.1 arrives as 1.100000023841858. The text protocol and the
 * mariadb CLI show the shortest decimal that reads back as the same single ("1.1"); return that
 * value, so a FLOAT reads the same through execute() and query().
 */
export const binaryFloat: ValueDecoder = (b, s) => {
  const single = b.readFloatLE(s)
  if (!Number.isFinite(single) || single === 0) return single
  for (let digits = 1; digits < 9; digits++) {
    const shortest = Number(single.toPrecision(digits))
    if (Math.fround(shortest) === single) return shortest
  }
  return single
}

/** DECIMAL (text in both protocols): the exact decimal string, or a (lossy) number. */
export function decimal(mode: DecimalMode): ValueDecoder {
  return mode === 'string' ? (b, s, n) => b.toString('latin1', s, s + n) : textFloat
}
