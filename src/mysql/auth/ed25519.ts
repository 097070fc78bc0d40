import { createHash } from 'node:crypto'

/**
 * The signature MariaDB's `client_ed25519` plugin sends (auth_ed25519, MDEV-12160): Ed25519 of
 * RFC 8032 §5.1.6, except that the 32-byte secret key of §5.1.5 is replaced by the password, of
 * any length. The server's `crypto_sign()` (plugin/auth_ed25519/ref10/sign.c) hashes the password
 * with SHA-512, clamps the first half into the scalar s and takes the second half as the nonce
 * prefix, exactly as RFC 8032 does with the key. node:crypto only accepts a 32-byte key, so the
 * group arithmetic is written out here (RFC 8032 §5.1.4 formulas); for a 32-byte password the
 * result is plain Ed25519, which the tests check against node:crypto and the RFC's vectors.
 *
 * Cost: one fixed-base scalar multiplication for R, of 64 mixed additions and 16 additions (the
 * bucket method over a table of 16^i·B built once, 252 doublings), and one field inversion; the
 * public key A costs the same once per password (cached).
 * BigInt arithmetic is not constant-time: an observer who can time this process finely could
 * learn about the password-derived scalar. MariaDB's own clients are C and constant-time.
 */

/** p = 2^255 - 19 and the group order L (RFC 8032 §5.1). */
const P = (1n << 255n) - 19n
const L = (1n << 252n) + 27742317777372353535851937790883648493n
const MASK_255 = (1n << 255n) - 1n
const TWO_P = 2n * P

/**
 * Field elements are kept below 2^256 + 2^18, not fully reduced: each product is folded twice with
 * 2^255 = 19 (mod p), which is cheaper than `%`. Only encode() reduces to [0, p). Every value that
 * is subtracted is a product (below 2p), so `a + 2p - b` is never negative.
 */
function mul(a: bigint, b: bigint): bigint {
  const x = a * b
  const y = (x & MASK_255) + (x >> 255n) * 19n
  return (y & MASK_255) + (y >> 255n) * 19n
}

const sub = (a: bigint, b: bigint): bigint => a + TWO_P - b

function square(a: bigint, times: number): bigint {
  for (let i = 0; i < times; i++) a = mul(a, a)
  return a
}

/** a^(p-2) = 1/a by the addition chain of ref10's fe_invert (254 squarings, 11 products). */
function invert(z: bigint): bigint {
  const z2 = mul(z, z)
  const z9 = mul(square(z2, 2), z)
  const z11 = mul(z9, z2)
  const z5 = mul(mul(z11, z11), z9) // z^(2^5 - 1)
  const z10 = mul(square(z5, 5), z5)
  const z20 = mul(square(z10, 10), z10)
  const z40 = mul(square(z20, 20), z20)
  const z50 = mul(square(z40, 10), z10)
  const z100 = mul(square(z50, 50), z50)
  const z200 = mul(square(z100, 100), z100)
  const z250 = mul(square(z200, 50), z50)
  return mul(square(z250, 5), z11) // z^(2^255 - 21) = z^(p - 2)
}

/** d = -121665/121666 and 2d (RFC 8032 §5.1). */
const D2 = (2n * (P - (mul(121665n, invert(121666n)) % P))) % P

/** Extended homogeneous coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z (RFC 8032 §5.1.4). */
type Point = readonly [bigint, bigint, bigint, bigint]
/** An affine point as (y+x, y-x, 2d·x·y), ready for a mixed addition. */
type Niels = readonly [bigint, bigint, bigint]

const IDENTITY: Point = [0n, 1n, 1n, 0n]
const BASE_X = 15112221349535400772501151409588531511454012693041857206046113283949847762202n
const BASE_Y = 46316835694926478169428394003475163141307993866256225615783033603165251855960n

/** Point addition of RFC 8032 §5.1.4 (complete: valid for any two points, equal or not). */
function add(p: Point, q: Point): Point {
  const a = mul(sub(p[1], p[0]), sub(q[1], q[0]))
  const b = mul(p[1] + p[0], q[1] + q[0])
  const c = mul(mul(p[3], D2), q[3])
  const d = mul(p[2] * 2n, q[2])
  return finish(sub(b, a), sub(d, c), d + c, b + a)
}

/** The same addition with q affine (Z = 1) and precomputed: three products fewer. */
function addNiels(p: Point, q: Niels): Point {
  const a = mul(sub(p[1], p[0]), q[1])
  const b = mul(p[1] + p[0], q[0])
  const c = mul(p[3], q[2])
  const d = p[2] * 2n
  return finish(sub(b, a), sub(d, c), d + c, b + a)
}

/** Doubling of RFC 8032 §5.1.4. */
function double(p: Point): Point {
  const a = mul(p[0], p[0])
  const b = mul(p[1], p[1])
  const c = 2n * mul(p[2], p[2])
  const h = a + b
  const s = p[0] + p[1]
  const g = sub(a, b)
  return finish(sub(h, mul(s, s)), c + g, g, h)
}

const finish = (e: bigint, f: bigint, g: bigint, h: bigint): Point => [
  mul(e, f),
  mul(g, h),
  mul(f, g),
  mul(e, h),
]

/** 16^i·B for i = 0..63 in Niels form, built on first use (one batched inversion). */
let powersOf16: Niels[] | undefined

function basePowers(): Niels[] {
  if (powersOf16 !== undefined) return powersOf16
  const points: Point[] = [[BASE_X, BASE_Y, 1n, mul(BASE_X, BASE_Y)]]
  for (let i = 1; i < 64; i++) points.push(double(double(double(double(points[i - 1]!)))))
  // Montgomery's trick: one inversion for all 64 Z coordinates.
  const prefix: bigint[] = []
  let acc = 1n
  for (const p of points) {
    prefix.push(acc)
    acc = mul(acc, p[2])
  }
  let inverse = invert(acc)
  const table: Niels[] = new Array(64)
  for (let i = 63; i >= 0; i--) {
    const p = points[i]!
    const zInv = mul(inverse, prefix[i]!)
    inverse = mul(inverse, p[2])
    const x = mul(p[0], zInv) % P
    const y = mul(p[1], zInv) % P
    table[i] = [(y + x) % P, (y + P - x) % P, mul(mul(x, y), D2) % P]
  }
  powersOf16 = table
  return table
}

/** k·B for 0 <= k < 2^255, k given as 32 little-endian bytes. */
function multiplyBase(k: Buffer): Point {
  const table = basePowers()
  // Signed radix-16 digits in [-8, 8] (k = sum of e_i·16^i); the top digit absorbs the carry.
  const digits = new Int8Array(64)
  for (let i = 0; i < 32; i++) {
    digits[2 * i] = k[i]! & 15
    digits[2 * i + 1] = k[i]! >> 4
  }
  for (let i = 0; i < 63; i++) {
    const carry = (digits[i]! + 8) >> 4
    digits[i] = digits[i]! - (carry << 4)
    digits[i + 1] = digits[i + 1]! + carry
  }
  // Bucket j holds the sum of ±16^i·B over the digits with |e_i| = j; then k·B = sum of j·bucket_j.
  const buckets: Point[] = new Array(9).fill(IDENTITY)
  for (let i = 0; i < 64; i++) {
    const e = digits[i]!
    if (e === 0) continue
    const q = table[i]!
    const j = Math.abs(e)
    buckets[j] = addNiels(buckets[j]!, e > 0 ? q : [q[1], q[0], P - q[2]])
  }
  let running = IDENTITY
  let total = IDENTITY
  for (let j = 8; j >= 1; j--) {
    running = add(running, buckets[j]!)
    total = add(total, running)
  }
  return total
}

/** RFC 8032 §5.1.2 encoding, given 1/Z: y in little-endian with the low bit of x on top. */
function encode(p: Point, zInv: bigint): Buffer {
  const x = mul(p[0], zInv) % P
  const y = mul(p[1], zInv) % P
  return bigintToBytes(y | ((x & 1n) << 255n))
}

function bigintToBytes(v: bigint): Buffer {
  return Buffer.from(v.toString(16).padStart(64, '0'), 'hex').reverse()
}

function bytesToBigint(b: Buffer): bigint {
  return BigInt(`0x${Buffer.from(b).reverse().toString('hex')}`)
}

const sha512 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha512')
  for (const part of parts) h.update(part)
  return h.digest()
}

/** SHA-512(password) split as RFC 8032 §5.1.5 splits SHA-512(key): clamped scalar, nonce prefix. */
function expandPassword(password: Buffer): { scalar: Buffer; prefix: Buffer } {
  const az = sha512(password)
  az[0] &= 248
  az[31] &= 63
  az[31] |= 64
  return { scalar: az.subarray(0, 32), prefix: az.subarray(32) }
}

/**
 * Public keys by a SHA-256 of the password, so that a pool opening many connections pays the
 * scalar multiplication for A once (as scram.ts caches salted passwords). A is what the server
 * stores; the key is a hash, not the password.
 */
const publicKeys = new Map<string, Buffer>()
const PUBLIC_KEY_CACHE_SIZE = 16

/** The public key MariaDB stores for `password` (`ed25519_password()`, base64 without padding). */
export function ed25519PublicKey(password: Buffer): Buffer {
  const cacheKey = createHash('sha256').update('client_ed25519\0').update(password).digest('base64')
  const hit = publicKeys.get(cacheKey)
  if (hit !== undefined) return hit
  const point = multiplyBase(expandPassword(password).scalar)
  const encoded = encode(point, invert(point[2]))
  if (publicKeys.size >= PUBLIC_KEY_CACHE_SIZE) publicKeys.delete(publicKeys.keys().next().value!)
  publicKeys.set(cacheKey, encoded)
  return encoded
}

/** The 64-byte signature R || S of `message` under the key derived from `password` (see top). */
export function ed25519Sign(password: Buffer, message: Buffer): Buffer {
  const { scalar, prefix } = expandPassword(password)
  const encodedA = ed25519PublicKey(password)
  const r = bytesToBigint(sha512(prefix, message)) % L
  const pointR = multiplyBase(bigintToBytes(r))
  const encodedR = encode(pointR, invert(pointR[2]))
  const k = bytesToBigint(sha512(encodedR, encodedA, message)) % L
  const s = (r + k * bytesToBigint(scalar)) % L
  return Buffer.concat([encodedR, bigintToBytes(s)])
}
