// PENDING: rename to auth.test.ts once the mysql-proto branch (src/mysql/connection.ts) is merged;
// it cannot typecheck before. Run on a tree of this branch plus mysql-proto (02bd6f8 and its working
// files as of this commit): 6 tests, 6 passed.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { type MariaDbServer, startMariaDb } from '../../harness/index.js'
import { type FakeServer, type FakeServerOptions, startFakeServer } from '../../support/mysql-fake-server.js'

/**
 * Authentication through MySqlConnection: the harness MariaDB for what it has (native, ed25519,
 * REQUIRE SSL), the fake MySQL 8 server for caching_sha2_password (checked against mysql2 in
 * fake-server-vs-mysql2.test.ts). The exchange itself is also tested without the connection
 * (auth-exchange-mariadb.test.ts, auth-fake-server.test.ts, test/unit/mysql/auth/).
 */

async function currentUser(input: Parameters<typeof MySqlConnection.connect>[0]): Promise<string> {
  const conn = await MySqlConnection.connect(input)
  try {
    const [row] = await conn.query<{ u: string }>('SELECT CURRENT_USER() AS u')
    return String(row?.u ?? Object.values(row ?? {})[0])
  } finally {
    await conn.close()
  }
}

const withPassword = (url: string, password: string) => {
  const u = new URL(url)
  u.password = password
  return u.toString()
}

/** Rejects with ERR_AUTH, and the password is nowhere in the error or its cause. */
async function refusedAuth(promise: Promise<unknown>, password: string, message?: RegExp): Promise<void> {
  const err = await promise.then(
    () => assert.fail('connected'),
    (e: Error & { code?: string; cause?: unknown }) => e,
  )
  assert.equal(err.code, 'ERR_AUTH', err.message)
  if (message) assert.match(err.message, message)
  assert.ok(!`${err.message}\n${err.stack}\n${String(err.cause)}`.includes(password), 'password in the error')
}

describe('MySqlConnection authentication against MariaDB', () => {
  let my: MariaDbServer
  before(async () => {
    my = await startMariaDb({ tls: true })
  })
  after(async () => {
    await my?.stop()
  })
  const plain = (url: string) => `${url}?sslmode=disable`
  const verified = (url: string) =>
    `${url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(my.tls!.caFile)}`

  it('mysql_native_password and client_ed25519, with and without TLS', async () => {
    assert.equal(await currentUser(plain(my.urls.native)), 'covet_native@%')
    assert.equal(await currentUser(plain(my.urls.ed25519)), 'covet_ed25519@%')
    assert.equal(await currentUser(verified(my.urls.ed25519)), 'covet_ed25519@%')
  })

  it('a wrong password is ERR_AUTH without the password', async () => {
    for (const url of [my.urls.native, my.urls.ed25519]) {
      const secret = 'Wr0ng-s3cret-pw'
      await refusedAuth(MySqlConnection.connect(plain(withPassword(url, secret))), secret)
    }
  })

  it('REQUIRE SSL: refused without TLS, accepted with verify-full', async () => {
    await refusedAuth(MySqlConnection.connect(plain(my.urls.tls)), 'tls-pass')
    assert.equal(await currentUser(verified(my.urls.tls)), 'covet_tls@%')
  })
})

describe('MySqlConnection authentication against the fake MySQL 8 server (caching_sha2_password)', () => {
  const PASSWORD = 'Sha2-s3cret-pw'
  const users: FakeServerOptions['users'] = [
    { name: 'sha2', password: PASSWORD, plugin: 'caching_sha2_password' },
  ]
  const servers: FakeServer[] = []
  after(async () => {
    for (const s of servers) await s.close()
  })
  const start = async (tls: boolean) => {
    const server = await startFakeServer({ users, tls })
    servers.push(server)
    return server
  }
  const options = (server: FakeServer, extra: Record<string, unknown> = {}) => ({
    host: server.host,
    port: server.port,
    user: 'sha2',
    password: PASSWORD,
    ...extra,
  })
  const inClear = (server: FakeServer) =>
    server.connections.some((c) => c.plainBytes.includes(Buffer.from(PASSWORD)))

  it('verify-full: full authentication inside TLS, then fast authentication', async () => {
    const server = await start(true)
    const tls = { sslmode: 'verify-full', sslrootcert: server.caFile! }
    assert.equal(await currentUser(options(server, tls)), 'sha2@%')
    assert.deepEqual(server.connections.at(-1)!.events, ['full-auth', 'ok'])
    assert.equal(await currentUser(options(server, tls)), 'sha2@%')
    assert.deepEqual(server.connections.at(-1)!.events, ['fast-auth', 'ok'])
    assert.ok(!inClear(server))
  })

  it('sslmode=prefer (unverified TLS): refused, unless allowCleartextPassword', async () => {
    const server = await start(true)
    await refusedAuth(MySqlConnection.connect(options(server)), PASSWORD, /not verified/)
    assert.equal(await currentUser(options(server, { allowCleartextPassword: true })), 'sha2@%')
  })

  it('no TLS: refused, or RSA with allowPublicKeyRetrieval or serverPublicKey; never in clear', async () => {
    const server = await start(false)
    await refusedAuth(
      MySqlConnection.connect(options(server, { sslmode: 'disable' })),
      PASSWORD,
      /serverPublicKey/,
    )
    assert.equal(
      await currentUser(options(server, { sslmode: 'disable', allowPublicKeyRetrieval: true })),
      'sha2@%',
    )
    assert.deepEqual(server.connections.at(-1)!.events, ['full-auth', 'public-key', 'ok'])
    server.cache.clear()
    const pinned = { sslmode: 'disable', serverPublicKey: server.publicKey }
    assert.equal(await currentUser(options(server, pinned)), 'sha2@%')
    assert.deepEqual(server.connections.at(-1)!.events, ['full-auth', 'ok'])
    assert.ok(!inClear(server))
  })
})
