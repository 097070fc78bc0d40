import assert from 'node:assert/strict'
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto'
import { describe, it } from 'node:test'
import { ed25519PublicKey, ed25519Sign } from '../../../../src/mysql/auth/ed25519.js'

const hex = (s: string) => Buffer.from(s, 'hex')

// RFC 8032 §7.1, TEST 1, 2, 3 and SHA(abc): with a 32-byte secret, MariaDB's transform is Ed25519.
const RFC8032 = [
  {
    name: 'TEST 1',
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2',
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3',
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    name: 'TEST SHA(abc)',
    secret: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    public: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    message:
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    signature:
      'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
  },
]

// MariaDB's own expectations for ed25519_password() (mysql-test/suite/plugins/r/auth_ed25519.result):
// passwords of 3 to 7 bytes, where node:crypto cannot help.
const MARIADB_PUBLIC_KEYS: Record<string, string> = {
  foo: 'vubFBzIrapbfHct1/J72dnUryz5VS7lA6XHH8sIx4TI',
  foobar: 'qv2mG6HWCuy32Slb5xhV4THStewNz2VINVPbgk+XAJ8',
  'foo bar': 'Y5fV74JAVRMOK2cdnUsYS+WW9sXaaL/o+6WGKOgqnzc',
  bar: 'pfzkeWMzkTefY1oshXS+/kATeN51M+4jxi3/cbyTd10',
  secret: 'ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY',
}

// The seed as PKCS#8 (RFC 8410 §7): a JWK would need its public half too, which Node 24 checks.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const nodeKey = (seed: Buffer) =>
  createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' })
const nodePublicKey = (raw: Buffer) =>
  createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })

describe('client_ed25519 signature', () => {
  for (const v of RFC8032) {
    it(`RFC 8032 §7.1 ${v.name}: public key and signature`, () => {
      assert.equal(ed25519PublicKey(hex(v.secret)).toString('hex'), v.public)
      assert.equal(ed25519Sign(hex(v.secret), hex(v.message)).toString('hex'), v.signature)
    })
  }

  it("MariaDB's ed25519_password() values for short passwords", () => {
    for (const [password, expected] of Object.entries(MARIADB_PUBLIC_KEYS)) {
      assert.equal(
        ed25519PublicKey(Buffer.from(password)).toString('base64').replace(/=$/, ''),
        expected,
        password,
      )
    }
  })

  it('equals node:crypto Ed25519 for random 32-byte secrets and messages of 0..95 bytes', () => {
    for (let i = 0; i < 96; i++) {
      const seed = randomBytes(32)
      const message = randomBytes(i)
      assert.deepEqual(
        ed25519Sign(seed, message),
        sign(null, message, nodeKey(seed)),
        `seed ${seed.toString('hex')}`,
      )
    }
  })

  it('signs with passwords of any length so that node:crypto verifies under the derived key', () => {
    for (const length of [0, 1, 7, 31, 33, 64, 200, 1000]) {
      const password = randomBytes(length)
      const nonce = randomBytes(32)
      const signature = ed25519Sign(password, nonce)
      assert.equal(signature.length, 64)
      assert.ok(verify(null, nonce, nodePublicKey(ed25519PublicKey(password)), signature), `length ${length}`)
      // A different nonce, or a different password, does not verify.
      assert.ok(!verify(null, randomBytes(32), nodePublicKey(ed25519PublicKey(password)), signature))
      const other = ed25519PublicKey(Buffer.concat([password, Buffer.from('x')]))
      assert.ok(!verify(null, nonce, nodePublicKey(other), signature))
    }
  })

  it('gives the same public key from the cache as computed fresh, per password', () => {
    const a = Buffer.from('cache-check-a')
    const b = Buffer.from('cache-check-b')
    const first = ed25519PublicKey(a)
    assert.deepEqual(ed25519PublicKey(b), ed25519PublicKey(Buffer.from('cache-check-b')))
    assert.deepEqual(ed25519PublicKey(a), first)
    assert.notDeepEqual(first, ed25519PublicKey(b))
    // More passwords than the cache holds: evicted entries are recomputed to the same value.
    for (let i = 0; i < 20; i++) ed25519PublicKey(Buffer.from(`filler-${i}`))
    assert.deepEqual(ed25519PublicKey(a), first)
    assert.ok(verify(null, Buffer.alloc(32, 7), nodePublicKey(first), ed25519Sign(a, Buffer.alloc(32, 7))))
  })
})
