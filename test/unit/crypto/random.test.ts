import assert from 'node:assert/strict'
import { randomFillSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { RANDOM_POOL_SIZE, RandomPool, SecureRandom } from '../../../src/crypto/random.js'

const random = new SecureRandom()

/** Pearson's chi-square statistic of observed counts against equal expected counts. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0)
  const expected = total / counts.length
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0)
}

describe('SecureRandom', () => {
  it('randomBytes gives n bytes and validates n', () => {
    assert.equal(random.randomBytes(0).length, 0)
    assert.equal(random.randomBytes(33).length, 33)
    assert.notDeepEqual(random.randomBytes(16), random.randomBytes(16))
    for (const n of [-1, 1.5, Number.NaN, '8']) {
      assert.throws(() => random.randomBytes(n as number), { code: 'ERR_INVALID_ARGUMENT', message: /\bn\b/ })
    }
  })

  it('generateToken: base64url by default (43 chars for 32 bytes), hex on request', () => {
    const tokens = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const token = random.generateToken()
      assert.match(token, /^[A-Za-z0-9_-]{43}$/)
      tokens.add(token)
    }
    assert.equal(tokens.size, 200)
    assert.match(random.generateToken(16, { urlsafe: true }), /^[A-Za-z0-9_-]{22}$/)
    assert.match(random.generateToken(16, { urlsafe: false }), /^[0-9a-f]{32}$/)
    // Over many tokens every base64url character shows up, and nothing else does.
    const seen = new Set(Array.from({ length: 100 }, () => random.generateToken(48)).join(''))
    assert.equal(seen.size, 64)
    assert.throws(() => random.generateToken(0), { code: 'ERR_INVALID_ARGUMENT', message: /nbytes/ })
    assert.throws(() => random.generateToken(8, { urlsafe: 1 as never }), { message: /urlsafe/ })
    assert.throws(() => random.generateToken(8, { urlSafe: false } as never), { message: /options.urlSafe/ })
  })

  it('generateUuid gives RFC 9562 version-4 UUIDs', () => {
    const uuid = random.generateUuid()
    assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.notEqual(uuid, random.generateUuid())
  })

  it('generateUuidV7: version 7, variant 10, the clock in ms, strictly increasing across instances', (t) => {
    // A frozen clock, a second ahead of the real one so it is past any id made before in this
    // process; ids made here borrow ms into the future, which the real clock catches up with.
    const start = Date.now() + 1000
    t.mock.timers.enable({ apis: ['Date'], now: start })
    const ms = (id: string) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)
    const other = new SecureRandom()
    const ids = Array.from({ length: 20_000 }, (_, i) => (i % 2 ? other : random).generateUuidV7())
    for (const id of ids) {
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    }
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1]! < ids[i]!, `id ${i} sorts after id ${i - 1}`)
    assert.equal(ms(ids[0]!), start)
    // The 12-bit counter starts below 2048 in each new ms and wraps into the next ms (RFC 9562
    // §6.2): 20,000 ids in one frozen ms span 5 or 6 ms.
    assert.ok([start + 4, start + 5].includes(ms(ids.at(-1)!)), `last id at +${ms(ids.at(-1)!) - start} ms`)
    t.mock.timers.tick(10)
    const later = random.generateUuidV7()
    assert.equal(ms(later), start + 10, 'a clock past the borrowed ms is used as it is')
    t.mock.timers.setTime(start) // the clock goes back
    const afterStep = random.generateUuidV7()
    assert.ok(afterStep > later && ms(afterStep) === start + 10, 'a clock going back keeps the order')
  })

  it('randomInt stays in [min, max) and validates its range', () => {
    for (let i = 0; i < 1000; i++) {
      const n = random.randomInt(-3, 4)
      assert.ok(Number.isInteger(n) && n >= -3 && n < 4)
    }
    assert.equal(random.randomInt(5, 6), 5)
    assert.throws(() => random.randomInt(2, 2), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => random.randomInt(0, 2 ** 48), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => random.randomInt(0.5, 2), { code: 'ERR_INVALID_ARGUMENT', message: /min/ })
    assert.throws(() => random.randomInt(0, Number.POSITIVE_INFINITY), { message: /max/ })
  })

  it('randomInt is uniform over a small range (chi-square, 9 df, fixed bound)', () => {
    const counts = new Array<number>(10).fill(0)
    for (let i = 0; i < 100_000; i++) counts[random.randomInt(0, 10)]!++
    // 9 degrees of freedom: P(chi2 > 50) is about 1e-7, so this fails only for a real bias.
    assert.ok(chiSquare(counts) < 50, `chi-square ${chiSquare(counts)}`)
  })

  it('randomInt has no modulo bias near its 2^48 limit (chi-square, 2 df, fixed bound)', () => {
    // A 48-bit draw reduced modulo 3 * 2^46 would land in the first third twice as often.
    const third = 2 ** 46
    const counts = [0, 0, 0]
    for (let i = 0; i < 30_000; i++) counts[Math.floor(random.randomInt(0, 3 * third) / third)]!++
    // 2 degrees of freedom: P(chi2 > 32) is about 1e-7; modulo bias would score in the thousands.
    assert.ok(chiSquare(counts) < 32, `chi-square ${chiSquare(counts)}`)
  })
})

describe('RandomPool (AEAD nonces)', () => {
  /** A refill that writes a known, never-repeating byte stream and keeps a copy of all of it. */
  function countingRefill() {
    const stream: Buffer[] = []
    let counter = 0
    const refill = (pool: Buffer) => {
      for (let at = 0; at + 4 <= pool.length; at += 4) pool.writeUInt32BE(counter++, at)
      stream.push(Buffer.from(pool))
    }
    return { stream, refill }
  }

  it('serves every refilled byte exactly once, in order, across refill boundaries', () => {
    const { stream, refill } = countingRefill()
    const pool = new RandomPool(64, refill)
    const drawn: Buffer[] = []
    // 12-byte nonces straddle the 64-byte boundary (64 is not a multiple of 12); odd lengths and a
    // request longer than the pool itself cross it at every offset.
    const lengths = [...Array.from({ length: 50 }, () => 12), 1, 5, 63, 64, 65, 200, 7, 12, 12]
    for (const length of lengths) {
      const out = Buffer.alloc(length + 2, 0xee)
      pool.fill(out, 1, length)
      assert.equal(out[0], 0xee, 'nothing written before offset')
      assert.equal(out[length + 1], 0xee, 'nothing written past offset + length')
      drawn.push(out.subarray(1, length + 1))
    }
    const served = Buffer.concat(drawn)
    const total = lengths.reduce((a, b) => a + b, 0)
    assert.equal(served.length, total)
    assert.equal(stream.length, Math.ceil(total / 64), 'one refill per 64 bytes served, none early')
    // What was served is exactly the refill stream from its first byte: no byte skipped or repeated.
    assert.deepEqual(served, Buffer.concat(stream).subarray(0, total))
  })

  it('never serves a byte twice when a refill fails mid-request', () => {
    const { stream, refill } = countingRefill()
    let failNext = false
    const pool = new RandomPool(16, (buffer) => {
      if (failNext) throw new Error('CSPRNG failure')
      refill(buffer)
    })
    const first = Buffer.alloc(12)
    pool.fill(first, 0, 12)
    failNext = true
    assert.throws(() => pool.fill(Buffer.alloc(12), 0, 12), /CSPRNG failure/) // took bytes 12..15 first
    failNext = false
    const next = Buffer.alloc(12)
    pool.fill(next, 0, 12)
    assert.deepEqual(next, stream[1]!.subarray(0, 12), 'continues with a fresh fill, not bytes 12..15')
  })

  it('draws 30,000 distinct 12-byte nonces over many 4 KiB CSPRNG refills', () => {
    let refills = 0
    const pool = new RandomPool(RANDOM_POOL_SIZE, (buffer) => {
      refills++
      randomFillSync(buffer)
    })
    const seen = new Set<string>()
    const nonce = Buffer.alloc(12)
    for (let i = 0; i < 30_000; i++) {
      pool.fill(nonce, 0, 12)
      seen.add(nonce.toString('hex'))
    }
    assert.equal(seen.size, 30_000)
    assert.equal(refills, Math.ceil((30_000 * 12) / RANDOM_POOL_SIZE))
  })
})
