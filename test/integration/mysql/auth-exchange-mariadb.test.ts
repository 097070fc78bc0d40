import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { ed25519PublicKey } from '../../../src/mysql/auth/ed25519.js'
import { type MariaDbServer, startMariaDb } from '../../harness/index.js'
import { MARIADB_PASSWORDS } from '../../harness/mariadb.js'
import { type RawClientOptions, RawServerError, rawConnect } from '../../support/mysql-auth-client.js'

/**
 * covet's AuthExchange against the harness MariaDB 10.11, through the raw client of test/support
 * (its own framing), before and apart from MySqlConnection: mysql_native_password, MariaDB's
 * client_ed25519 (the server checks the signature, and its stored public keys are compared with
 * covet's), auth switches including an `IDENTIFIED VIA ... OR ...` chain, and REQUIRE SSL.
 */

describe('AuthExchange against MariaDB', () => {
  let my: MariaDbServer
  let ca: string
  before(async () => {
    my = await startMariaDb({ tls: true })
    ca = readFileSync(my.tls!.caFile, 'utf8')
  })
  after(async () => {
    await my?.stop()
  })

  const userOf = (url: string) => {
    const u = new URL(url)
    return { user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) }
  }
  const login = async (options: Omit<RawClientOptions, 'host' | 'port'>) => {
    const session = await rawConnect({ host: '127.0.0.1', port: my.port, ...options })
    try {
      const [[user]] = (await session.query('SELECT CURRENT_USER()')) as [[string]]
      return { user, plugin: session.pluginName, tlsVerified: session.tlsVerified }
    } finally {
      session.close()
    }
  }
  const denied = (e: unknown) => e instanceof RawServerError && e.errno === 1045
  const tls = () => ({ ca, servername: my.tls!.hostname, verify: true })

  it('mysql_native_password: the default plugin, no switch', async () => {
    assert.deepEqual(await login(userOf(my.urls.native)), {
      user: 'covet_native@%',
      plugin: 'mysql_native_password',
      tlsVerified: false,
    })
    await assert.rejects(login({ ...userOf(my.urls.native), password: 'wrong' }), denied)
  })

  it('client_ed25519 after the switch; a wrong password is refused by the server', async () => {
    assert.deepEqual(await login(userOf(my.urls.ed25519)), {
      user: 'covet_ed25519@%',
      plugin: 'client_ed25519',
      tlsVerified: false,
    })
    await assert.rejects(
      login({ ...userOf(my.urls.ed25519), password: `${MARIADB_PASSWORDS.ed25519}x` }),
      denied,
    )
  })

  it("client_ed25519 with passwords of many lengths and scripts; the server's stored keys are covet's", async () => {
    // No empty password: PASSWORD('') stores no key, and MariaDB's own client is refused too.
    const passwords = ['a', 'ünïcödé ☃ 🔑 пароль', 'p'.repeat(32), `long-${'0123456789'.repeat(20)}`]
    for (const [i, password] of passwords.entries()) {
      const user = `ed_${i}`
      await my.mariadb(
        `SET NAMES utf8mb4; CREATE USER '${user}'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('${password}')`,
      )
      const stored = await my.mariadb(
        `SELECT JSON_VALUE(Priv, '$.authentication_string') FROM mysql.global_priv WHERE User = '${user}'`,
        { database: 'mysql' },
      )
      const expected = ed25519PublicKey(Buffer.from(password)).toString('base64').replace(/=$/, '')
      assert.equal(stored.trim(), expected, `stored key for password #${i}`)
      assert.deepEqual(await login({ user, password }), {
        user: `${user}@%`,
        plugin: 'client_ed25519',
        tlsVerified: false,
      })
    }
  })

  it('client_ed25519 named in the handshake response: the server switches with its nonce', async () => {
    const result = await login({ ...userOf(my.urls.ed25519), handshakePlugin: 'client_ed25519' })
    assert.equal(result.user, 'covet_ed25519@%')
  })

  it('an unknown default plugin is answered as mysql_native_password, and the server switches', async () => {
    const result = await login({ ...userOf(my.urls.ed25519), handshakePlugin: 'some_future_plugin' })
    assert.deepEqual(result, { user: 'covet_ed25519@%', plugin: 'client_ed25519', tlsVerified: false })
  })

  it('IDENTIFIED VIA ed25519 OR mysql_native_password: the second method after a second switch', async () => {
    await my.mariadb(
      "CREATE USER 'chain'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('first-pass') " +
        "OR mysql_native_password USING PASSWORD('second-pass')",
    )
    assert.equal((await login({ user: 'chain', password: 'first-pass' })).plugin, 'client_ed25519')
    assert.equal((await login({ user: 'chain', password: 'second-pass' })).plugin, 'mysql_native_password')
    await assert.rejects(login({ user: 'chain', password: 'neither' }), denied)
  })

  it('REQUIRE SSL: refused without TLS, accepted over verified TLS; ed25519 works inside TLS', async () => {
    await assert.rejects(login(userOf(my.urls.tls)), denied)
    assert.deepEqual(await login({ ...userOf(my.urls.tls), tls: tls() }), {
      user: 'covet_tls@%',
      plugin: 'mysql_native_password',
      tlsVerified: true,
    })
    assert.equal((await login({ ...userOf(my.urls.ed25519), tls: tls() })).plugin, 'client_ed25519')
  })
})
