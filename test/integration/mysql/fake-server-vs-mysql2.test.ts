import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import mysql from 'mysql2/promise'
import {
  type FakeServer,
  type FakeServerOptions,
  type Fault,
  startFakeServer,
} from '../../support/mysql-fake-server.js'

/**
 * The fake MySQL 8 server (test/support/mysql-fake-server.ts) against a real client, mysql2: if
 * mysql2 authenticates through each path and fails on each fault, the fake server speaks the
 * protocol, and covet's tests against it (auth-fake-server.test.ts) mean something.
 */

const USERS: FakeServerOptions['users'] = [
  { name: 'sha2', password: 'sha2-pass ☃', plugin: 'caching_sha2_password' },
  { name: 'native', password: 'native-pass', plugin: 'mysql_native_password' },
  { name: 'sha256', password: 'sha256-pass', plugin: 'sha256_password' },
  { name: 'clear', password: 'clear-pass', plugin: 'mysql_clear_password' },
]
const passwordOf = (user: string) => USERS.find((u) => u.name === user)?.password ?? ''

describe('fake MySQL server, checked with mysql2', () => {
  const servers: FakeServer[] = []
  after(async () => {
    for (const s of servers) await s.close()
  })
  const start = async (options: Partial<FakeServerOptions> = {}) => {
    const server = await startFakeServer({ users: USERS, ...options })
    servers.push(server)
    return server
  }
  const login = async (server: FakeServer, user: string, extra: Partial<mysql.ConnectionOptions> = {}) => {
    const conn = await mysql.createConnection({
      host: server.host,
      port: server.port,
      user,
      password: passwordOf(user),
      connectTimeout: 5000,
      ...extra,
    })
    try {
      const [rows] = await conn.query('SELECT CURRENT_USER()')
      return (rows as Record<string, string>[])[0]!['CURRENT_USER()']
    } finally {
      await conn.end()
    }
  }
  const lastEvents = (server: FakeServer) => server.connections.at(-1)!.events

  it('caching_sha2_password: full authentication inside TLS, then fast authentication from the cache', async () => {
    const server = await start({ tls: true })
    const ssl = { ca: server.ca! }
    assert.equal(await login(server, 'sha2', { ssl }), 'sha2@%')
    assert.deepEqual(lastEvents(server), ['full-auth', 'ok'])
    assert.equal(server.connections.at(-1)!.tls, true)
    assert.equal(await login(server, 'sha2', { ssl }), 'sha2@%')
    assert.deepEqual(lastEvents(server), ['fast-auth', 'ok'])
  })

  it('caching_sha2_password without TLS: the public key request and RSA, the password never in clear', async () => {
    const server = await start()
    assert.equal(await login(server, 'sha2'), 'sha2@%')
    assert.deepEqual(lastEvents(server), ['full-auth', 'public-key', 'ok'])
    assert.ok(!server.connections.at(-1)!.plainBytes.includes(Buffer.from(passwordOf('sha2'))))
    assert.equal(await login(server, 'sha2'), 'sha2@%')
    assert.deepEqual(lastEvents(server), ['fast-auth', 'ok'])
  })

  it('a wrong password is ER_ACCESS_DENIED_ERROR, on the fast and the full path', async () => {
    const server = await start()
    server.cache.add('sha2')
    for (let i = 0; i < 2; i++) {
      await assert.rejects(login(server, 'sha2', { password: 'wrong' }), { errno: 1045 })
      assert.deepEqual(lastEvents(server), ['full-auth', 'public-key', 'denied'])
    }
    await assert.rejects(login(server, 'nobody', { password: 'x' }), { errno: 1045 })
  })

  it('switches a mysql_native_password account away from the default plugin', async () => {
    const server = await start()
    assert.equal(await login(server, 'native'), 'native@%')
    assert.deepEqual(lastEvents(server), ['switch:mysql_native_password', 'ok'])
    await assert.rejects(login(server, 'native', { password: 'wrong' }), { errno: 1045 })
  })

  it('sha256_password: switched to, then the public key request and RSA', async () => {
    const server = await start()
    assert.equal(await login(server, 'sha256'), 'sha256@%')
    assert.deepEqual(lastEvents(server), ['switch:sha256_password', 'public-key', 'ok'])
    await assert.rejects(login(server, 'sha256', { password: 'wrong' }), { errno: 1045 })
  })

  it('mysql_clear_password inside TLS', async () => {
    const server = await start({ tls: true, defaultPlugin: 'mysql_native_password' })
    assert.equal(
      await login(server, 'clear', { ssl: { ca: server.ca! }, enableCleartextPlugin: true }),
      'clear@%',
    )
    assert.deepEqual(lastEvents(server), ['switch:mysql_clear_password', 'ok'])
  })

  it('faults make mysql2 fail instead of connecting', async () => {
    const cases: Fault[] = [
      { kind: 'garbage', at: 'handshake' },
      { kind: 'close', at: 'handshake' },
      { kind: 'truncated-close', at: 'auth' },
      { kind: 'garbage', at: 'auth' },
      { kind: 'truncated', at: 'ok' },
      { kind: 'stall', at: 'handshake' },
      { kind: 'oversized', at: 'ok' },
    ]
    for (const fault of cases) {
      const server = await start({ fault })
      await assert.rejects(login(server, 'sha2', { connectTimeout: 1000 }), `${fault.kind} at ${fault.at}`)
    }
  })
})
