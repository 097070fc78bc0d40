import assert from 'node:assert/strict'
import { createPublicKey, randomBytes, verify } from 'node:crypto'
import { describe, it } from 'node:test'
import { ed25519PublicKey } from '../../../../src/mysql/auth/ed25519.js'
import { AuthExchange } from '../../../../src/mysql/auth/exchange.js'
import { nativePasswordScramble } from '../../../../src/mysql/auth/scramble.js'
import {
  context,
  moreData,
  nonce20,
  PASSWORD,
  passwordNul,
  refused,
  switchRequest,
  UNVERIFIED_TLS,
  VERIFIED_TLS,
} from './context.js'

// Servers make scrambles of printable ASCII (MariaDB's create_random_string: 33..126), never a 0
// byte: a trailing 0 is the C-string terminator AuthSwitchRequest adds and covet strips.
const native = (nonce: Buffer, password = PASSWORD) => nativePasswordScramble(Buffer.from(password), nonce)

function ed25519Verifies(signature: Buffer, nonce: Buffer, password = PASSWORD): boolean {
  const x = ed25519PublicKey(Buffer.from(password)).toString('base64url')
  return verify(
    null,
    nonce,
    createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }),
    signature,
  )
}

describe('AuthExchange: mysql_native_password and the handshake plugin', () => {
  it('answers the handshake nonce under the handshake plugin name', () => {
    const nonce = nonce20()
    const exchange = new AuthExchange(context(), 'mysql_native_password', nonce)
    assert.equal(exchange.pluginName, 'mysql_native_password')
    assert.deepEqual(exchange.initialResponse(), native(nonce))
  })

  it('sends nothing for an absent or empty password', () => {
    for (const password of [undefined, '']) {
      const exchange = new AuthExchange(context({ password }), 'mysql_native_password', nonce20())
      assert.equal(exchange.initialResponse().length, 0)
    }
  })

  it('answers an unknown default plugin with mysql_native_password, then follows the switch', () => {
    const nonce = nonce20()
    const exchange = new AuthExchange(context(), 'authentication_kerberos_client', nonce)
    assert.equal(exchange.pluginName, 'mysql_native_password')
    assert.deepEqual(exchange.initialResponse(), native(nonce))
    const next = randomBytes(32)
    const signature = exchange.onPacket(switchRequest('client_ed25519', next))!
    assert.equal(exchange.pluginName, 'client_ed25519')
    assert.ok(ed25519Verifies(signature, next))
  })

  it('treats AuthMoreData after a one-shot plugin as a protocol error', () => {
    const exchange = new AuthExchange(context(), 'mysql_native_password', nonce20())
    exchange.initialResponse()
    refused(
      () => exchange.onPacket(moreData(0x03)),
      'ERR_PROTOCOL',
      /unexpected AuthMoreData during mysql_native_password/,
    )
  })

  it('refuses packets that are neither a switch nor AuthMoreData, and empty ones', () => {
    const exchange = new AuthExchange(context(), 'mysql_native_password', nonce20())
    refused(() => exchange.onPacket(Buffer.from([0x02, 1, 2])), 'ERR_PROTOCOL', /unexpected packet 0x2/)
    refused(() => exchange.onPacket(Buffer.alloc(0)), 'ERR_PROTOCOL', /empty packet/)
  })
})

describe('AuthExchange: AuthSwitchRequest', () => {
  it('switches to mysql_native_password with the new nonce, without its trailing NUL', () => {
    const exchange = new AuthExchange(context(), 'caching_sha2_password', nonce20())
    exchange.initialResponse()
    const nonce = nonce20()
    const reply = exchange.onPacket(
      switchRequest('mysql_native_password', Buffer.concat([nonce, Buffer.alloc(1)])),
    )
    assert.equal(exchange.pluginName, 'mysql_native_password')
    assert.deepEqual(reply, native(nonce))
  })

  it('names an unknown plugin in ERR_AUTH, quoted and cut short', () => {
    const exchange = new AuthExchange(context(), 'mysql_native_password', nonce20())
    refused(
      () => exchange.onPacket(switchRequest('dialog', Buffer.from('Password: '))),
      'ERR_AUTH',
      /authentication plugin "dialog", which covet does not support/,
    )
    const long = `evil\n${'x'.repeat(100)}`
    const err = refused(() => exchange.onPacket(switchRequest(long, Buffer.alloc(0))), 'ERR_AUTH')
    assert.ok(err.message.includes('"evil\\nxxx') && err.message.includes('..."'), err.message)
    assert.ok(!err.message.includes('x'.repeat(65)))
  })

  it('refuses the pre-4.1 OldAuthSwitchRequest (a lone 0xFE)', () => {
    const exchange = new AuthExchange(context(), 'mysql_native_password', nonce20())
    refused(() => exchange.onPacket(Buffer.from([0xfe])), 'ERR_AUTH', /mysql_old_password/)
  })

  it('refuses a switch whose plugin name has no NUL', () => {
    const exchange = new AuthExchange(context(), 'mysql_native_password', nonce20())
    refused(
      () => exchange.onPacket(Buffer.from('\xfemysql_native_password', 'latin1')),
      'ERR_PROTOCOL',
      /NUL/,
    )
  })

  it('follows up to 8 switches (MariaDB tries each method of IDENTIFIED VIA a OR b), not a 9th', () => {
    const exchange = new AuthExchange(context(), 'mysql_native_password', nonce20())
    for (let i = 0; i < 8; i++) {
      const nonce = nonce20()
      assert.deepEqual(exchange.onPacket(switchRequest('mysql_native_password', nonce)), native(nonce))
    }
    refused(
      () => exchange.onPacket(switchRequest('mysql_native_password', nonce20())),
      'ERR_PROTOCOL',
      /more than 8/,
    )
  })
})

describe('AuthExchange: client_ed25519', () => {
  it('signs the 32-byte nonce of the switch, including a nonce that ends in 0', () => {
    for (const password of [PASSWORD, '', 'ünïcode ☃ password']) {
      const exchange = new AuthExchange(context({ password }), 'mysql_native_password', nonce20())
      exchange.initialResponse()
      const nonce = Buffer.concat([randomBytes(31), Buffer.alloc(1)])
      const signature = exchange.onPacket(switchRequest('client_ed25519', nonce))!
      assert.equal(signature.length, 64)
      assert.ok(ed25519Verifies(signature, nonce, password), password)
    }
  })

  it('refuses a switch nonce that is not 32 bytes', () => {
    const exchange = new AuthExchange(context(), 'mysql_native_password', nonce20())
    refused(
      () => exchange.onPacket(switchRequest('client_ed25519', randomBytes(31))),
      'ERR_PROTOCOL',
      /32-byte/,
    )
  })

  it('as the handshake plugin, answers the 20-byte handshake nonce with nothing and waits for the switch', () => {
    const exchange = new AuthExchange(context(), 'client_ed25519', nonce20())
    assert.equal(exchange.pluginName, 'client_ed25519')
    assert.equal(exchange.initialResponse().length, 0)
    const nonce = randomBytes(32)
    assert.ok(ed25519Verifies(exchange.onPacket(switchRequest('client_ed25519', nonce))!, nonce))
    refused(() => exchange.onPacket(moreData(randomBytes(32))), 'ERR_PROTOCOL', /during client_ed25519/)
  })
})

describe('AuthExchange: mysql_clear_password', () => {
  const clear = switchRequest('mysql_clear_password', Buffer.alloc(0))
  const start = (overrides: Parameters<typeof context>[0]) =>
    new AuthExchange(context(overrides), 'mysql_native_password', nonce20())

  it('is refused without TLS, even with allowCleartextPassword', () => {
    for (const allowCleartextPassword of [false, true]) {
      refused(() => start({ allowCleartextPassword }).onPacket(clear), 'ERR_AUTH', /never uses without TLS/)
    }
  })

  it('needs allowCleartextPassword even over verified TLS', () => {
    refused(() => start(VERIFIED_TLS).onPacket(clear), 'ERR_AUTH', /set allowCleartextPassword/)
  })

  it('sends the password and a NUL over TLS with allowCleartextPassword, verified or not', () => {
    for (const tls of [VERIFIED_TLS, UNVERIFIED_TLS]) {
      assert.deepEqual(start({ ...tls, allowCleartextPassword: true }).onPacket(clear), passwordNul())
    }
  })

  it('as the handshake plugin, refuses before anything is sent', () => {
    const exchange = new AuthExchange(context(), 'mysql_clear_password', nonce20())
    refused(() => exchange.initialResponse(), 'ERR_AUTH')
  })
})
