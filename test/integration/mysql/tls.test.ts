import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { getMariaDb, type MariaDbServer, startMariaDb } from '../../harness/index.js'
import { makeCertificates } from '../../harness/tls.js'

/** TLS with the PostgreSQL side's sslmode semantics, against a MariaDB started with a CA made at run time. */
let server: MariaDbServer
let plain: MariaDbServer
let otherCa: string

before(async () => {
  server = await startMariaDb({ tls: true })
  plain = await getMariaDb()
  otherCa = (await makeCertificates(mkdtempSync(join(tmpdir(), 'covet-other-ca-')))).caFile
  await server.mariadb(
    "CREATE USER 'tls_only'@'%' IDENTIFIED BY 'tls-only-pass' REQUIRE SSL; GRANT ALL ON covet.* TO 'tls_only'@'%'",
  )
})
after(async () => {
  await server?.stop()
})

function url(s: MariaDbServer, host: string, query: string): string {
  const u = new URL(s.url)
  return `mysql://covet:${u.password}@${host}:${u.port}/covet?${query}`
}

async function tlsOf(c: MySqlConnection): Promise<string> {
  try {
    const [row] = await c.query<{ Value: string }>("SHOW SESSION STATUS LIKE 'Ssl_version'")
    return row?.Value ?? ''
  } finally {
    await c.close()
  }
}

describe('TLS (sslmode)', () => {
  it('verify-full with the CA and the certificate host name connects over TLS', async () => {
    const c = await MySqlConnection.connect(
      url(server, 'localhost', `sslmode=verify-full&sslrootcert=${server.tls!.caFile}`),
    )
    assert.equal(c.tls, true)
    assert.match(await tlsOf(c), /^TLSv1\.[23]$/)
  })

  it("MySQL's spellings work too: ssl-mode=VERIFY_IDENTITY&ssl-ca=", async () => {
    const c = await MySqlConnection.connect(
      url(server, 'localhost', `ssl-mode=VERIFY_IDENTITY&ssl-ca=${server.tls!.caFile}`),
    )
    assert.equal(c.tls, true)
    await c.close()
  })

  it('verify-full refuses a certificate from another CA, and a host name the certificate lacks', async () => {
    await assert.rejects(
      MySqlConnection.connect(url(server, 'localhost', `sslmode=verify-full&sslrootcert=${otherCa}`)),
      { code: 'ERR_TLS' },
    )
    // The certificate names localhost and 127.0.0.1. "127.1" is 127.0.0.1 to the resolver (inet_aton's
    // short form) but, not being an IP literal to Node, a host name the certificate does not carry.
    await assert.rejects(
      MySqlConnection.connect(url(server, '127.1', `sslmode=verify-full&sslrootcert=${server.tls!.caFile}`)),
      { code: 'ERR_TLS' },
    )
  })

  it('verify-ca checks the chain but not the name; require with a CA file verifies like libpq', async () => {
    const c = await MySqlConnection.connect(
      url(server, '127.1', `sslmode=verify-ca&sslrootcert=${server.tls!.caFile}`),
    )
    assert.equal(c.tls, true)
    await c.close()
    await assert.rejects(
      MySqlConnection.connect(url(server, '127.0.0.1', `sslmode=verify-ca&sslrootcert=${otherCa}`)),
      { code: 'ERR_TLS' },
    )
    await assert.rejects(
      MySqlConnection.connect(url(server, '127.0.0.1', `sslmode=require&sslrootcert=${otherCa}`)),
      { code: 'ERR_TLS' },
    )
  })

  it('require and prefer use TLS without checking; disable does not use it', async () => {
    for (const [mode, expected] of [
      ['require', true],
      ['prefer', true],
      ['disable', false],
      ['allow', false],
    ] as const) {
      const c = await MySqlConnection.connect(url(server, '127.0.0.1', `sslmode=${mode}`))
      assert.equal(c.tls, expected, mode)
      assert.equal((await tlsOf(c)) !== '', expected, mode)
    }
  })

  it('a server without TLS: prefer connects in clear, require fails with ERR_TLS', async () => {
    const c = await MySqlConnection.connect(url(plain, '127.0.0.1', 'sslmode=prefer'))
    assert.equal(c.tls, false)
    await c.close()
    await assert.rejects(MySqlConnection.connect(url(plain, '127.0.0.1', 'sslmode=require')), {
      code: 'ERR_TLS',
      message: /does not support TLS/,
    })
  })

  it('rejects sslrootcert=system below verify-full at construction', async () => {
    await assert.rejects(
      MySqlConnection.connect(url(server, 'localhost', 'sslmode=require&sslrootcert=system')),
      {
        code: 'ERR_INVALID_ARGUMENT',
      },
    )
  })

  it('sslmode=allow: in clear first, then with TLS when the account refuses the session without it', async () => {
    const u = new URL(server.url)
    const account = `mysql://tls_only:tls-only-pass@127.0.0.1:${u.port}/covet`
    await assert.rejects(MySqlConnection.connect(`${account}?sslmode=disable`), { code: 'ERR_AUTH' })
    const c = await MySqlConnection.connect(`${account}?sslmode=allow`)
    assert.equal(c.tls, true)
    await c.close()
    const open = await MySqlConnection.connect(url(server, '127.0.0.1', 'sslmode=allow'))
    assert.equal(open.tls, false) // an account without REQUIRE SSL stays in clear
    await open.close()
  })
})
