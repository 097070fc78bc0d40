import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AuthExchange, type MySqlAuthContext } from '../../../../src/mysql/auth/exchange.js'
import { cachingSha2Scramble, nativePasswordScramble } from '../../../../src/mysql/auth/scramble.js'
import {
  context,
  moreData,
  nonce20,
  PASSWORD,
  passwordNul,
  refused,
  rsa,
  switchRequest,
  UNVERIFIED_TLS,
  VERIFIED_TLS,
} from './context.js'

const FAST_AUTH_SUCCESS = 0x03
const FULL_AUTH = 0x04
const pem = Buffer.from(rsa.pem)

/** A caching_sha2_password exchange that has sent its scramble. */
function cachingSha2(overrides: Partial<MySqlAuthContext> = {}) {
  const nonce = nonce20()
  const exchange = new AuthExchange(context(overrides), 'caching_sha2_password', nonce)
  const token = exchange.initialResponse()
  return { exchange, nonce, token }
}

describe('AuthExchange: caching_sha2_password', () => {
  it('sends the SHA-256 scramble; fast-auth success needs no reply, and nothing may follow it', () => {
    const { exchange, nonce, token } = cachingSha2()
    assert.equal(exchange.pluginName, 'caching_sha2_password')
    assert.deepEqual(token, cachingSha2Scramble(Buffer.from(PASSWORD), nonce))
    assert.equal(exchange.onPacket(moreData(FAST_AUTH_SUCCESS)), undefined)
    refused(() => exchange.onPacket(moreData(FULL_AUTH)), 'ERR_PROTOCOL')
  })

  it('full authentication over verified TLS: the password and a NUL', () => {
    assert.deepEqual(cachingSha2(VERIFIED_TLS).exchange.onPacket(moreData(FULL_AUTH)), passwordNul())
  })

  it('full authentication over unverified TLS: refused unless allowCleartextPassword', () => {
    refused(
      () => cachingSha2(UNVERIFIED_TLS).exchange.onPacket(moreData(FULL_AUTH)),
      'ERR_AUTH',
      /certificate of this connection was not verified.*allowCleartextPassword/,
    )
    const allowed = cachingSha2({ ...UNVERIFIED_TLS, allowCleartextPassword: true })
    assert.deepEqual(allowed.exchange.onPacket(moreData(FULL_AUTH)), passwordNul())
  })

  it('full authentication without TLS: refused, saying how to opt in, even with allowCleartextPassword', () => {
    for (const allowCleartextPassword of [false, true]) {
      refused(
        () => cachingSha2({ allowCleartextPassword }).exchange.onPacket(moreData(FULL_AUTH)),
        'ERR_AUTH',
        /without TLS.*serverPublicKey.*allowPublicKeyRetrieval/,
      )
    }
  })

  it('full authentication with serverPublicKey: RSA with that key, with or without TLS', () => {
    for (const tls of [{}, UNVERIFIED_TLS]) {
      const { exchange, nonce } = cachingSha2({ ...tls, serverPublicKey: rsa.pem })
      assert.equal(rsa.decrypt(exchange.onPacket(moreData(FULL_AUTH))!, nonce), `${PASSWORD}\0`)
      refused(() => exchange.onPacket(moreData(pem)), 'ERR_PROTOCOL')
    }
  })

  it('prefers verified TLS to a given serverPublicKey', () => {
    const { exchange } = cachingSha2({ ...VERIFIED_TLS, serverPublicKey: rsa.pem })
    assert.deepEqual(exchange.onPacket(moreData(FULL_AUTH)), passwordNul())
  })

  it('full authentication with allowPublicKeyRetrieval: asks with 0x02, then encrypts with the key sent', () => {
    const { exchange, nonce } = cachingSha2({ allowPublicKeyRetrieval: true })
    assert.deepEqual(exchange.onPacket(moreData(FULL_AUTH)), Buffer.from([0x02]))
    assert.equal(rsa.decrypt(exchange.onPacket(moreData(pem))!, nonce), `${PASSWORD}\0`)
    refused(() => exchange.onPacket(moreData(pem)), 'ERR_PROTOCOL')
  })

  it('a public key response that is not a PEM RSA key is ERR_AUTH', () => {
    const { exchange } = cachingSha2({ allowPublicKeyRetrieval: true })
    exchange.onPacket(moreData(FULL_AUTH))
    refused(() => exchange.onPacket(moreData(Buffer.from('-----BEGIN nonsense'))), 'ERR_AUTH', /not a PEM/)
  })

  it('an empty password: an empty scramble, and a lone NUL for full authentication without TLS', () => {
    for (const password of [undefined, '']) {
      const { exchange, token } = cachingSha2({ password })
      assert.equal(token.length, 0)
      assert.deepEqual(exchange.onPacket(moreData(FULL_AUTH)), Buffer.alloc(1))
    }
  })

  it('unknown or misplaced AuthMoreData is a protocol error', () => {
    refused(() => cachingSha2().exchange.onPacket(moreData(0x07)), 'ERR_PROTOCOL', /caching_sha2_password/)
    refused(() => cachingSha2().exchange.onPacket(moreData(pem)), 'ERR_PROTOCOL')
    refused(() => cachingSha2().exchange.onPacket(moreData()), 'ERR_PROTOCOL')
  })

  it('switched to by the server (20-byte nonce + NUL): the scramble of the new nonce', () => {
    const exchange = new AuthExchange(context(), 'mysql_native_password', nonce20())
    exchange.initialResponse()
    const nonce = nonce20()
    const reply = exchange.onPacket(
      switchRequest('caching_sha2_password', Buffer.concat([nonce, Buffer.alloc(1)])),
    )
    assert.deepEqual(reply, cachingSha2Scramble(Buffer.from(PASSWORD), nonce))
    assert.equal(exchange.pluginName, 'caching_sha2_password')
  })
})

/** A sha256_password exchange, switched to with a fresh nonce; returns its first reply. */
function sha256(overrides: Partial<MySqlAuthContext> = {}) {
  const exchange = new AuthExchange(context(overrides), 'mysql_native_password', nonce20())
  exchange.initialResponse()
  const nonce = nonce20()
  const first = exchange.onPacket(switchRequest('sha256_password', Buffer.concat([nonce, Buffer.alloc(1)])))!
  return { exchange, nonce, first }
}

describe('AuthExchange: sha256_password', () => {
  it('over verified TLS: the password and a NUL at once', () => {
    assert.deepEqual(sha256(VERIFIED_TLS).first, passwordNul())
  })

  it('over unverified TLS with allowCleartextPassword: the password and a NUL', () => {
    assert.deepEqual(sha256({ ...UNVERIFIED_TLS, allowCleartextPassword: true }).first, passwordNul())
  })

  it('with serverPublicKey: RSA at once', () => {
    const { first, nonce, exchange } = sha256({ serverPublicKey: rsa.pem })
    assert.equal(rsa.decrypt(first, nonce), `${PASSWORD}\0`)
    refused(() => exchange.onPacket(moreData(pem)), 'ERR_PROTOCOL', /sha256_password/)
  })

  it('with allowPublicKeyRetrieval: asks with 0x01, then encrypts with the key sent', () => {
    const { first, nonce, exchange } = sha256({ allowPublicKeyRetrieval: true })
    assert.deepEqual(first, Buffer.from([0x01]))
    assert.equal(rsa.decrypt(exchange.onPacket(moreData(pem))!, nonce), `${PASSWORD}\0`)
  })

  it('with no way to protect the password: asks for the key, and refuses when it arrives', () => {
    for (const tls of [{}, UNVERIFIED_TLS]) {
      const { first, exchange } = sha256(tls)
      assert.deepEqual(first, Buffer.from([0x01]))
      refused(() => exchange.onPacket(moreData(pem)), 'ERR_AUTH', /sha256_password needs the password itself/)
    }
  })

  it('as the default plugin that refuses, still lets the server switch the account to another plugin', () => {
    const exchange = new AuthExchange(context(), 'sha256_password', nonce20())
    assert.deepEqual(exchange.initialResponse(), Buffer.from([0x01]))
    const nonce = nonce20()
    // As a server sends it: the 20 bytes and a NUL (a random nonce may itself end in 0).
    const reply = exchange.onPacket(
      switchRequest('mysql_native_password', Buffer.concat([nonce, Buffer.alloc(1)])),
    )
    assert.deepEqual(reply, nativePasswordScramble(Buffer.from(PASSWORD), nonce))
  })

  it('an empty password: a lone NUL whatever the channel', () => {
    assert.deepEqual(sha256({ password: '' }).first, Buffer.alloc(1))
  })

  it('a bad serverPublicKey surfaces as ERR_INVALID_ARGUMENT naming the option', () => {
    refused(() => sha256({ serverPublicKey: 'nope' }), 'ERR_INVALID_ARGUMENT', /serverPublicKey/)
  })
})
