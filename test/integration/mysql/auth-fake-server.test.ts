import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { type RawClientOptions, RawServerError, rawConnect } from '../../support/mysql-auth-client.js'
import { type FakeServer, type FakeServerOptions, startFakeServer } from '../../support/mysql-fake-server.js'

/**
 * covet's AuthExchange (through the raw client of test/support) against the fake MySQL 8 server,
 * for what MariaDB 10.11 cannot do: caching_sha2_password and sha256_password. The fake server
 * itself is checked against mysql2 in fake-server-vs-mysql2.test.ts.
 */

const USERS: FakeServerOptions['users'] = [
  { name: 'sha2', password: 'Sha2-s3cret ☃', plugin: 'caching_sha2_password' },
  { name: 'empty', password: '', plugin: 'caching_sha2_password' },
  { name: 'native', password: 'Native-s3cret', plugin: 'mysql_native_password' },
  { name: 'sha256', password: 'Sha256-s3cret', plugin: 'sha256_password' },
  { name: 'clear', password: 'Clear-s3cret', plugin: 'mysql_clear_password' },
]
const passwordOf = (user: string) => USERS.find((u) => u.name === user)!.password

describe('AuthExchange against the fake MySQL 8 server', () => {
  const servers: FakeServer[] = []
  after(async () => {
    for (const s of servers) await s.close()
  })
  const start = async (options: Partial<FakeServerOptions> = {}) => {
    const server = await startFakeServer({ users: USERS, ...options })
    servers.push(server)
    return server
  }
  const tls = (server: FakeServer, verify = true) => ({ ca: server.ca!, servername: 'localhost', verify })
  const login = async (server: FakeServer, user: string, options: Partial<RawClientOptions> = {}) => {
    const session = await rawConnect({
      host: server.host,
      port: server.port,
      user,
      password: passwordOf(user),
      ...options,
    })
    try {
      return { user: (await session.query('SELECT CURRENT_USER()'))[0]![0], plugin: session.pluginName }
    } finally {
      session.close()
    }
  }
  const last = (server: FakeServer) => server.connections.at(-1)!
  /** The password never crossed the network outside TLS. */
  const notInClear = (server: FakeServer, user: string) =>
    assert.ok(!last(server).plainBytes.includes(Buffer.from(passwordOf(user))), 'password sent in clear')

  it('caching_sha2_password over verified TLS: full authentication, then fast from the cache', async () => {
    const server = await start({ tls: true })
    assert.deepEqual(await login(server, 'sha2', { tls: tls(server) }), {
      user: 'sha2@%',
      plugin: 'caching_sha2_password',
    })
    assert.deepEqual(last(server).events, ['full-auth', 'ok'])
    assert.deepEqual(await login(server, 'sha2', { tls: tls(server) }), {
      user: 'sha2@%',
      plugin: 'caching_sha2_password',
    })
    assert.deepEqual(last(server).events, ['fast-auth', 'ok'])
    notInClear(server, 'sha2')
  })

  it('caching_sha2_password fast authentication needs no TLS and no option', async () => {
    const server = await start()
    server.cache.add('sha2')
    assert.equal((await login(server, 'sha2')).user, 'sha2@%')
    assert.deepEqual(last(server).events, ['fast-auth', 'ok'])
    notInClear(server, 'sha2')
  })

  it('caching_sha2_password full authentication without TLS: refused unless a key is allowed', async () => {
    const server = await start()
    await assert.rejects(login(server, 'sha2'), { code: 'ERR_AUTH', message: /allowPublicKeyRetrieval/ })
    assert.deepEqual(last(server).events, ['full-auth'])
    notInClear(server, 'sha2')
    await assert.rejects(login(server, 'sha2', { allowCleartextPassword: true }), { code: 'ERR_AUTH' })
    notInClear(server, 'sha2')
  })

  it('caching_sha2_password with allowPublicKeyRetrieval: the key request and RSA', async () => {
    const server = await start()
    assert.equal((await login(server, 'sha2', { allowPublicKeyRetrieval: true })).user, 'sha2@%')
    assert.deepEqual(last(server).events, ['full-auth', 'public-key', 'ok'])
    notInClear(server, 'sha2')
  })

  it('caching_sha2_password with serverPublicKey: RSA at once, no key request', async () => {
    const server = await start()
    assert.equal((await login(server, 'sha2', { serverPublicKey: server.publicKey })).user, 'sha2@%')
    assert.deepEqual(last(server).events, ['full-auth', 'ok'])
    notInClear(server, 'sha2')
  })

  it('caching_sha2_password over unverified TLS: refused, or sent with allowCleartextPassword', async () => {
    const server = await start({ tls: true })
    await assert.rejects(login(server, 'sha2', { tls: tls(server, false) }), {
      code: 'ERR_AUTH',
      message: /not verified/,
    })
    assert.deepEqual(last(server).events, ['full-auth'])
    const ok = await login(server, 'sha2', { tls: tls(server, false), allowCleartextPassword: true })
    assert.equal(ok.user, 'sha2@%')
  })

  it('a wrong password is the server ERR 1045, and an empty password connects without TLS', async () => {
    const server = await start({ tls: true })
    await assert.rejects(login(server, 'sha2', { tls: tls(server), password: 'wrong' }), (e: unknown) => {
      assert.ok(e instanceof RawServerError && e.errno === 1045)
      return true
    })
    assert.equal((await login(server, 'empty')).user, 'empty@%')
  })

  it('the switch to mysql_native_password, also from a sha256_password default that refused', async () => {
    for (const defaultPlugin of ['caching_sha2_password', 'sha256_password'] as const) {
      const server = await start({ defaultPlugin })
      assert.deepEqual(await login(server, 'native'), { user: 'native@%', plugin: 'mysql_native_password' })
      assert.deepEqual(last(server).events, ['switch:mysql_native_password', 'ok'])
      notInClear(server, 'native')
    }
  })

  it('sha256_password: over verified TLS, with key retrieval, and refused without either', async () => {
    const server = await start({ tls: true })
    assert.equal((await login(server, 'sha256', { tls: tls(server) })).plugin, 'sha256_password')
    assert.deepEqual(last(server).events, ['switch:sha256_password', 'ok'])
    assert.equal((await login(server, 'sha256', { allowPublicKeyRetrieval: true })).user, 'sha256@%')
    assert.deepEqual(last(server).events, ['switch:sha256_password', 'public-key', 'ok'])
    notInClear(server, 'sha256')
    await assert.rejects(login(server, 'sha256'), { code: 'ERR_AUTH', message: /sha256_password needs/ })
    assert.deepEqual(last(server).events, ['switch:sha256_password', 'public-key'])
    notInClear(server, 'sha256')
  })

  it('mysql_clear_password: only over TLS with allowCleartextPassword', async () => {
    const server = await start({ tls: true })
    await assert.rejects(login(server, 'clear', { tls: tls(server) }), { code: 'ERR_AUTH' })
    await assert.rejects(login(server, 'clear', { allowCleartextPassword: true }), { code: 'ERR_AUTH' })
    notInClear(server, 'clear')
    assert.equal(
      (await login(server, 'clear', { tls: tls(server), allowCleartextPassword: true })).user,
      'clear@%',
    )
  })

  it('garbage where the first auth packet belongs is ERR_PROTOCOL', async () => {
    const server = await start({ fault: { kind: 'garbage', at: 'auth' } })
    await assert.rejects(login(server, 'sha2'), { code: 'ERR_PROTOCOL' })
  })
})
