import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { type HashAlgorithm, Hasher, hashFile, hashStream } from '../../../src/crypto/hash.js'
import { Hmac } from '../../../src/crypto/hmac.js'
import { hkdf, hkdfSync, pbkdf2 } from '../../../src/crypto/kdf.js'

// Digests of "abc": FIPS 180-4 / FIPS 202 examples and the BLAKE3 reference implementation.
const ABC: Record<HashAlgorithm, string> = {
  sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  sha384: 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
  sha512:
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd' +
    '454d4423643ce80e2a9ac94fa54ca49f',
  'sha3-256': '3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532',
  blake3: '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85',
}

describe('Hasher', () => {
  for (const [alg, expected] of Object.entries(ABC) as [HashAlgorithm, string][]) {
    it(`${alg}: one-shot, streamed, string and bytes agree; digest does not end the stream`, () => {
      assert.equal(Hasher.hash(alg, 'abc').toString('hex'), expected)
      assert.equal(Hasher.hash(alg, new Uint8Array([0x61, 0x62, 0x63])).toString('hex'), expected)
      const hasher = new Hasher(alg).update('a').update(Buffer.from('b'))
      assert.equal(hasher.digestLength, expected.length / 2)
      assert.equal(hasher.hexdigest(), Hasher.hash(alg, 'ab').toString('hex'))
      assert.equal(hasher.update(new Uint8Array([0x63])).hexdigest(), expected)
      assert.equal(hasher.digest().toString('hex'), expected)
    })
  }

  it('hashes strings as UTF-8', () => {
    assert.deepEqual(Hasher.hash('sha256', 'é€𝄞'), Hasher.hash('sha256', Buffer.from('é€𝄞', 'utf8')))
    assert.deepEqual(Hasher.hash('blake3', 'é€𝄞'), Hasher.hash('blake3', Buffer.from('é€𝄞', 'utf8')))
  })

  it('validates algorithm, data and options, naming what is wrong', () => {
    assert.throws(() => new Hasher('md5' as never), { code: 'ERR_INVALID_ARGUMENT', message: /alg/ })
    assert.throws(() => Hasher.hash('sha1' as never, 'x'), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => new Hasher('sha256').update(42 as never), { message: /data/ })
    assert.throws(() => Hasher.hash('blake3', null as never), { message: /data/ })
    assert.throws(() => new Hasher('sha256', { length: 16 }), { message: /blake3/ })
    const key = Buffer.alloc(32, 1)
    assert.throws(() => new Hasher('blake3', { key, context: 'c' }), { message: /key and options.context/ })
    assert.throws(() => new Hasher('blake3', { key: Buffer.alloc(31) }), { message: /options.key/ })
    assert.throws(() => new Hasher('blake3', { length: 0 }), { message: /options.length/ })
    assert.throws(() => new Hasher('blake3', { context: 7 as never }), { message: /options.context/ })
    assert.throws(() => new Hasher('blake3', { lenght: 64 } as never), { message: /options.lenght/ })
  })

  it('BLAKE3 modes differ from each other and XOF output extends the default digest', () => {
    const plain = Hasher.hash('blake3', 'data')
    const keyed = Hasher.hash('blake3', 'data', { key: Buffer.alloc(32, 7) })
    const derived = Hasher.hash('blake3', 'data', { context: 'covet test 2026 keys' })
    assert.equal(new Set([plain, keyed, derived].map((b) => b.toString('hex'))).size, 3)
    const long = new Hasher('blake3', { length: 100 }).update('data').digest()
    assert.equal(long.length, 100)
    assert.deepEqual(long.subarray(0, 32), plain)
  })
})

describe('hashStream and hashFile', () => {
  it('hash a web ReadableStream, a file, and fail cleanly on a missing file', async () => {
    const data = Buffer.alloc(3 << 20, 'covet')
    const web = new Blob([data]).stream()
    assert.deepEqual(
      await hashStream('sha256', web as AsyncIterable<Uint8Array>),
      Hasher.hash('sha256', data),
    )
    const dir = mkdtempSync(join(tmpdir(), 'covet-hash-'))
    try {
      const path = join(dir, 'data.bin')
      writeFileSync(path, data)
      assert.deepEqual(await hashFile('blake3', path), Hasher.hash('blake3', data))
      assert.deepEqual(await hashFile('sha512', new URL(`file://${path}`)), Hasher.hash('sha512', data))
      await assert.rejects(hashFile('sha256', join(dir, 'missing')), (error: Error & { code: string }) => {
        assert.equal(error.code, 'ERR_CRYPTO')
        assert.equal((error.cause as { code: string }).code, 'ENOENT')
        return true
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    await assert.rejects(hashStream('sha256', 'text' as never), { code: 'ERR_INVALID_ARGUMENT' })
  })
})

describe('Hmac', () => {
  // RFC 4231 §4.3, test case 2.
  const key = 'Jefe'
  const data = 'what do ya want for nothing?'
  const tag = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'

  it('computes RFC 4231 test case 2, streamed and one-shot', () => {
    assert.equal(new Hmac('sha256', key).update('what do ya ').update('want for nothing?').hexdigest(), tag)
    assert.equal(Hmac.digest('sha256', Buffer.from(key), data).toString('hex'), tag)
  })

  it('verifies in constant time: right tag true; wrong, truncated or extended tags false', () => {
    const good = Buffer.from(tag, 'hex')
    assert.equal(Hmac.verify('sha256', key, data, good), true)
    const bad = Buffer.from(good)
    bad[31]! ^= 1
    assert.equal(Hmac.verify('sha256', key, data, bad), false)
    assert.equal(Hmac.verify('sha256', key, data, good.subarray(0, 16)), false)
    assert.equal(Hmac.verify('sha256', key, data, Buffer.concat([good, Buffer.alloc(1)])), false)
    assert.equal(new Hmac('sha256', key).update(data).verify(good), true)
  })

  it('refuses reuse after digest and bad arguments', () => {
    const hmac = new Hmac('sha384', 'k')
    hmac.digest()
    assert.throws(() => hmac.update('x'), { code: 'ERR_CRYPTO' })
    assert.throws(() => hmac.digest(), { code: 'ERR_CRYPTO' })
    assert.throws(() => new Hmac('md5' as never, 'k'), { code: 'ERR_INVALID_ARGUMENT', message: /alg/ })
    assert.throws(() => new Hmac('sha256', 5 as never), { message: /key/ })
    assert.throws(() => new Hmac('sha256', 'k').verify('00' as never), { message: /expected/ })
  })
})

describe('hkdf and pbkdf2', () => {
  it('hkdf and hkdfSync agree and validate their arguments', async () => {
    const okm = hkdfSync('sha256', 'ikm', 'salt', 'info', 42)
    assert.deepEqual(await hkdf('sha256', 'ikm', 'salt', 'info', 42), okm)
    assert.throws(() => hkdfSync('sha256', 'ikm', '', 'x'.repeat(1025), 32), { message: /info/ })
    assert.throws(() => hkdfSync('sha1' as never, 'ikm', '', '', 32), { message: /alg/ })
    assert.throws(() => hkdfSync('sha256', 'ikm', '', '', 0), { message: /length/ })
    assert.throws(() => hkdfSync('sha256', 'ikm', '', '', 255 * 32 + 1), { message: /length/ })
  })

  it('pbkdf2 matches RFC 6070 test case 2 (HMAC-SHA-1) and validates its arguments', async () => {
    const dk = await pbkdf2('sha1', 'password', 'salt', 2, 20)
    assert.equal(dk.toString('hex'), 'ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957')
    await assert.rejects(async () => pbkdf2('sha256', 'p', 's', 0, 32), { message: /iterations/ })
    await assert.rejects(async () => pbkdf2('md5' as never, 'p', 's', 1, 32), { message: /alg/ })
  })
})
