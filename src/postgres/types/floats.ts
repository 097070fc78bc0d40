import { encodeError, type PgType } from './pg-type.js'

/**
 * float4 and float8 (float4send/float8send: IEEE 754 big-endian). Results are the numbers the
 * server prints (PostgreSQL 12+ prints the shortest decimal that reads back exactly, float.c with
 * Ryu), parameters the server's own: a string goes to float4in/float8in as text (registry), so
 * the strings parsed here are COPY binary's, and they are read as strtof/strtod read them.
 */

const F32 = new Float32Array(1)
const U32 = new Uint32Array(F32.buffer)
const F64 = new Float64Array(1)
const U64 = new Uint32Array(F64.buffer)
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

const float32 = (bits: number): number => {
  U32[0] = bits
  return F32[0]!
}

/** 10^k for the exponents float4 decimals have (float4 spans 1.4e-45 to 3.4e38). */
const POW10 = Array.from({ length: 120 }, (_, i) => Number(`1e${i - 60}`))

/** x = m · 2^e exactly, for a finite double x. */
function dyadic(x: number): [bigint, number] {
  F64[0] = x
  const hi = U64[LITTLE ? 1 : 0]!
  const lo = U64[LITTLE ? 0 : 1]!
  const exp = (hi >>> 20) & 0x7ff
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  if (exp !== 0) m |= 1n << 52n
  if (hi >>> 31 === 1) m = -m
  return [m, (exp === 0 ? 1 : exp) - 1075]
}

/** The sign of d · 10^k − x, exactly (x a finite double). */
function compareExact(d: bigint, k: number, x: number): number {
  let [m, e] = dyadic(x)
  let l = d
  if (k > 0) l *= 10n ** BigInt(k)
  else m *= 10n ** BigInt(-k)
  if (e > 0) m <<= BigInt(e)
  else l <<= BigInt(-e)
  return l < m ? -1 : l > m ? 1 : 0
}

/** The index of the last mantissa digit of toPrecision's text (before any exponent). */
function lastDigit(r: string): number {
  const e = r.indexOf('e')
  return (e < 0 ? r.length : e) - 1
}

/** n · 10^k for the decimal text Number#toPrecision writes ('305404.13', '1.2e+21', '0.00012'). */
function decimalOf(r: string): [number, number] {
  const e = r.indexOf('e')
  const mant = e < 0 ? r : r.slice(0, e)
  const exp = e < 0 ? 0 : Number(r.slice(e + 1))
  const dot = mant.indexOf('.')
  if (dot < 0) return [Number(mant), exp]
  return [Number(mant.slice(0, dot) + mant.slice(dot + 1)), exp - (mant.length - dot - 1)]
}

/**
 * The shortest decimal that reads back as the float4 with these bits, as float4out prints it
 * (src/common/f2s.c, Ryu with STRICTLY_SHORTEST 0): the fewest digits strictly inside the
 * rounding interval (never its ends, whose reading depends on round-half-even), the nearest such,
 * and the even one of two equally near (305404.125 prints as 305404.12). Returned as the double
 * of that decimal, so String() of it shows the digits psql shows. Exact comparisons run only
 * where the doubles cannot decide.
 */
export function shortestFloat4(bits: number): number {
  const f = float32(bits)
  if (!Number.isFinite(f) || (Number.isInteger(f) && Math.abs(f) < 16_777_216)) return f
  const mag = bits & 0x7fffffff
  const a = Math.abs(f)
  const below = float32(mag - 1)
  const above = float32(mag + 1)
  const lo = (a + below) / 2
  const hi = Number.isFinite(above) ? (a + above) / 2 : a + (a - below) / 2
  // Whether the decimal r (whose double is v) lies strictly inside; only when v is a bound itself
  // do the doubles not decide, and the exact decimal does.
  const inside = (v: number, r: string): boolean => {
    if (v > lo && v < hi) return true
    if (v !== lo && v !== hi) return false
    const [n, k] = decimalOf(r)
    const c = compareExact(BigInt(n), k, v)
    return v === lo ? c > 0 : c < 0
  }
  const signed = (v: number) => (f < 0 ? -v : v)
  for (let p = 1; p <= 9; p++) {
    const r = a.toPrecision(p)
    const v = Number(r)
    if (inside(v, r)) {
      // toPrecision breaks a tie away from zero; Ryu (and so psql) takes the even digit. A tie
      // needs an odd last digit and the value exactly halfway below it.
      if (v > a && (r.charCodeAt(lastDigit(r)) & 1) === 1) {
        const [n, k] = decimalOf(r)
        const half = 0.5 * POW10[k + 60]!
        if (Math.abs(v - a - half) <= half * 1e-6 && compareExact(BigInt(2 * n - 1), k, 2 * a) === 0) {
          const down = `${n - 1}e${k}`
          if (inside(Number(down), down)) return signed(Number(down))
        }
      }
      return signed(v)
    }
    // At a power of two the gap below is half the one above: the next p-digit decimal above the
    // nearest (which fell below) may still be inside.
    if (v < a && (mag & 0x7fffff) === 0) {
      const [n, k] = decimalOf(r)
      const up = `${n + 1}e${k}`
      if (inside(Number(up), up)) return signed(Number(up))
    }
  }
  return f
}

// float8in's input besides decimal numbers (float.c, float8in_internal, then strtod): Infinity,
// inf, NaN, each with a sign.
const FLOAT_TEXT = /^\s*([+-]?)(?:(\d+\.?\d*|\.\d+)(?:e([+-]?\d+))?|(infinity|inf)|(nan))\s*$/i

const FLOAT4_MAX_MIDPOINT = 2 ** 128 - 2 ** 103

/**
 * A decimal rounded once to the nearest float4, as strtof does: via its double, which decides
 * unless it lies exactly halfway between two float4s; then only the decimal's own digits
 * (`exact`: n · 10^k) say which way it rounds.
 */
function toFloat32(d: number, exact: () => [bigint, number]): number {
  const f = Math.fround(d)
  if (f === d) return f
  if (!Number.isFinite(f)) {
    if (Math.abs(d) !== FLOAT4_MAX_MIDPOINT) return f
    // Exactly 2^128 − 2^103 as a double: below it the decimal is FLT_MAX, at or above, overflow.
    const [n, k] = exact()
    return compareExact(n < 0n ? -n : n, k, FLOAT4_MAX_MIDPOINT) < 0 ? Math.sign(d) * float32(0x7f7fffff) : f
  }
  F32[0] = f
  U32[0] = U32[0]! + (Math.abs(d) > Math.abs(f) ? 1 : -1)
  const other = F32[0]!
  if (d !== (f + other) / 2) return f
  const [n, k] = exact()
  const c = compareExact(n, k, d)
  if (c === 0) return f
  return c < 0 ? Math.min(f, other) : Math.max(f, other)
}

/**
 * The float4 of a number as the server reads its text (node-postgres sends String(value)): the
 * nearest float4, or, for a double exactly halfway between two, the one its shortest decimal
 * is nearer to. So a float4 covet decoded (the double of its shortest decimal, which can be such
 * a halfway double: 7.038531e-26) encodes back to the same float4.
 */
function numberToFloat32(d: number): number {
  return toFloat32(d, () => {
    const [n, k] = decimalOf(String(Math.abs(d)))
    return [BigInt(d < 0 ? -n : n), k]
  })
}

/**
 * The float a string denotes, or refusal where float4in/float8in would refuse: a value beyond the
 * type's range (22003) does not become ±Infinity, and one that rounds to zero is not 0.
 */
function parseFloatText(value: string, float4: boolean, type: string): number {
  const m = FLOAT_TEXT.exec(value)
  if (m === null) throw encodeError(type, 'a number (or a decimal string, NaN, Infinity)')
  if (m[5] !== undefined) return Number.NaN
  if (m[4] !== undefined) return m[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  const text = m[2]!
  const d = Number(`${m[1]}${text}e${m[3] ?? '0'}`)
  let v = d
  if (float4) {
    v = toFloat32(d, () => {
      const dot = text.indexOf('.')
      const digits = BigInt(`${m[1]}${dot < 0 ? text : text.slice(0, dot) + text.slice(dot + 1)}`)
      return [digits, Number(m[3] ?? 0) - (dot < 0 ? 0 : text.length - dot - 1)]
    })
  }
  if (!Number.isFinite(v) || (v === 0 && /[1-9]/.test(text))) {
    throw encodeError(type, `a value within the range of ${type}`)
  }
  return v
}

function toFloat(value: unknown, float4: boolean): number {
  const type = float4 ? 'float4' : 'float8'
  if (typeof value === 'number') return float4 ? checkedFloat4(value) : value
  // A bigint is its decimal: rounded once to the type, as the server would read its text.
  if (typeof value === 'bigint') return parseFloatText(String(value), float4, type)
  if (typeof value === 'string') return parseFloatText(value, float4, type)
  throw encodeError(type, 'a number (or a decimal string, NaN, Infinity)')
}

/** A finite double beyond float4's range would silently become Infinity: refuse it instead. */
function checkedFloat4(value: number): number {
  if (!Number.isFinite(value)) return value
  const f = numberToFloat32(value)
  if (!Number.isFinite(f)) throw encodeError('float4', 'a number within ±3.4e38')
  return f
}

/** The text of a float as PostgreSQL 12+ prints it: shortest exact digits, NaN, Infinity, -0. */
function floatText(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Number.POSITIVE_INFINITY) return 'Infinity'
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity'
  return Object.is(v, -0) ? '-0' : String(v)
}

export const float4Type: PgType = {
  name: 'float4',
  decode: (b, o) => shortestFloat4(b.readUInt32BE(o)),
  encode: (v) => {
    const b = Buffer.allocUnsafe(4)
    b.writeFloatBE(toFloat(v, true), 0)
    return b
  },
  parse: Number,
  // The number's own text, for float4in to round once (the float4 would print more digits).
  serialize: (v) => {
    const f = toFloat(v, true)
    return floatText(typeof v === 'number' ? v : f)
  },
  stringsToServer: true,
}

export const float8Type: PgType = {
  name: 'float8',
  decode: (b, o) => b.readDoubleBE(o),
  encode: (v) => {
    const b = Buffer.allocUnsafe(8)
    b.writeDoubleBE(toFloat(v, false), 0)
    return b
  },
  parse: Number,
  serialize: (v) => floatText(toFloat(v, false)),
  stringsToServer: true,
}
