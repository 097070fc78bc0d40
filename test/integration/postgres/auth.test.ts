import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parsePgUrl } from '../../../src/postgres/config.js'
import { PgConnection } from '../../../src/postgres/connection.js'
import { getPostgres, startPostgres } from '../../harness/index.js'

type Server = Awaited<ReturnType<typeof getPostgres>>

async function whoami(options: Parameters<typeof PgConnection.connect>[0]): Promise<string> {
  const conn = await PgConnection.connect(options)
  try {
    return String((await conn.query('select current_user as u'))[0]!.u)
  } finally {
    await conn.close()
  }
}

function withPassword(url: string, password: string): string {
  const u = new URL(url)
  u.password = password
  return u.toString()
}

describe('authentication (plain TCP)', () => {
  let pg: Server
  before(async () => {
    pg = await getPostgres()
  })

  it('trust', async () => {
    assert.equal(
      await whoami({ ...parsePgUrl(pg.urls.trust), sslmode: 'disable' }),
      parsePgUrl(pg.urls.trust).user,
    )
  })

  it('SCRAM-SHA-256 and MD5', async () => {
    for (const url of [pg.urls.scram, pg.urls.md5]) {
      assert.equal(await whoami({ ...parsePgUrl(url), sslmode: 'disable' }), parsePgUrl(url).user)
    }
  })

  it('a wrong password gives ERR_AUTH without the password in the message', async () => {
    for (const url of [pg.urls.scram, pg.urls.md5, pg.urls.password]) {
      const secret = 'Wr0ng-s3cret-pw'
      const err = await PgConnection.connect({
        ...parsePgUrl(withPassword(url, secret)),
        sslmode: 'disable',
        allowCleartextPassword: true,
      }).catch((e) => e)
      assert.equal(err.code, 'ERR_AUTH', url)
      assert.ok(!JSON.stringify({ m: err.message, c: String(err.cause) }).includes(secret))
    }
  })

  it('refuses a cleartext password without TLS unless allowed', async () => {
    const options = { ...parsePgUrl(pg.urls.password), sslmode: 'disable' as const }
    await assert.rejects(PgConnection.connect(options), { code: 'ERR_AUTH', message: /cleartext/ })
    assert.equal(await whoami({ ...options, allowCleartextPassword: true }), options.user)
  })

  it('SASLprep: the server and the client agree on a non-ASCII password (RFC 4013)', async () => {
    const admin = await PgConnection.connect({ ...parsePgUrl(pg.superuserUrl), sslmode: 'disable' })
    const { user, password: original } = parsePgUrl(pg.urls.scram)
    const setPassword = (pw: string) =>
      admin.query(`alter role "${user}" password '${pw.replaceAll("'", "''")}'`, [], { simple: true })
    // Soft hyphen (mapped to nothing), U+2168 ROMAN NUMERAL NINE (NFKC: "IX"), a no-break space
    // (mapped to a space) and composed letters.
    const raw = 'I\u00ADX\u2168\u00A0p\u00E4ssw\u00F6rd'
    try {
      await admin.query("set password_encryption = 'scram-sha-256'", [], { simple: true })
      await setPassword(raw)
      const base = { ...parsePgUrl(pg.urls.scram), sslmode: 'disable' as const }
      assert.equal(await whoami({ ...base, password: raw }), user)
      // The prepared form is the same password.
      assert.equal(await whoami({ ...base, password: 'IXIX p\u00E4ssw\u00F6rd' }), user)
      await assert.rejects(PgConnection.connect({ ...base, password: 'IXIX passwort' }), { code: 'ERR_AUTH' })
    } finally {
      await setPassword(String(original))
      await admin.close()
    }
  })

  it('takes the password from a function', async () => {
    const { password, ...rest } = parsePgUrl(pg.urls.scram)
    assert.equal(
      await whoami({ ...rest, sslmode: 'disable', password: async () => String(password) }),
      rest.user,
    )
  })

  it('fails with ERR_AUTH when a password is needed and none is given', async () => {
    const { password: _, ...rest } = parsePgUrl(pg.urls.scram)
    const saved = process.env.PGPASSWORD
    delete process.env.PGPASSWORD
    try {
      await assert.rejects(PgConnection.connect({ ...rest, sslmode: 'disable' }), { code: 'ERR_AUTH' })
    } finally {
      if (saved !== undefined) process.env.PGPASSWORD = saved
    }
  })
})

describe('TLS and channel binding', () => {
  let pg: Server
  let caFile: string
  let hostname: string
  before(async () => {
    pg = await startPostgres({ tls: true })
    assert.ok(pg.tls, 'the TLS server reports its CA')
    caFile = pg.tls.caFile
    hostname = pg.tls.hostname
  })
  after(() => pg?.stop())

  const tlsOf = async (options: Parameters<typeof PgConnection.connect>[0]) => {
    const conn = await PgConnection.connect(options)
    try {
      const row = (await conn.query('select ssl from pg_stat_ssl where pid = pg_backend_pid()'))[0]!
      return row.ssl as boolean
    } finally {
      await conn.close()
    }
  }

  it('verify-full passes with the right host name and the CA', async () => {
    const options = {
      ...parsePgUrl(pg.urls.scram),
      host: hostname,
      sslmode: 'verify-full' as const,
      sslrootcert: caFile,
    }
    assert.equal(await tlsOf(options), true)
  })

  it('verify-full fails with a host name the certificate does not name', async () => {
    // hostaddr reaches the real server while host is a name the certificate does not list.
    const { host } = parsePgUrl(pg.urls.scram)
    const options = {
      ...parsePgUrl(pg.urls.scram),
      host: 'wrong-name.invalid',
      hostaddr: host ?? '127.0.0.1',
      sslmode: 'verify-full' as const,
      sslrootcert: caFile,
    }
    await assert.rejects(PgConnection.connect(options), { code: 'ERR_TLS' })
    // verify-ca checks the chain only, so the same connection is accepted.
    assert.equal(await tlsOf({ ...options, sslmode: 'verify-ca' }), true)
  })

  it('verify-ca fails without the right CA', async () => {
    const options = { ...parsePgUrl(pg.urls.scram), host: hostname, sslmode: 'verify-ca' as const }
    await assert.rejects(PgConnection.connect(options), { code: 'ERR_TLS' })
  })

  it('require encrypts without verifying; disable and prefer behave as in libpq', async () => {
    const base = parsePgUrl(pg.urls.scram)
    assert.equal(await tlsOf({ ...base, sslmode: 'require' }), true)
    assert.equal(await tlsOf({ ...base, sslmode: 'prefer' }), true)
    assert.equal(await tlsOf({ ...base, sslmode: 'disable' }), false)
  })

  it('SCRAM-SHA-256-PLUS with channel_binding=require; MD5 is refused under require', async () => {
    assert.equal(
      await tlsOf({ ...parsePgUrl(pg.urls.scram), sslmode: 'require', channelBinding: 'require' }),
      true,
    )
    await assert.rejects(
      PgConnection.connect({ ...parsePgUrl(pg.urls.md5), sslmode: 'require', channelBinding: 'require' }),
      { code: 'ERR_AUTH', message: /channel_binding=require/ },
    )
    await assert.rejects(
      PgConnection.connect({ ...parsePgUrl(pg.urls.scram), sslmode: 'disable', channelBinding: 'require' }),
      { code: 'ERR_AUTH' },
    )
  })

  it('sends a cleartext password over TLS only to a verified server, or when allowed by name', async () => {
    const base = { ...parsePgUrl(pg.urls.password), host: hostname }
    assert.equal(await tlsOf({ ...base, sslmode: 'verify-full', sslrootcert: caFile }), true)
    await assert.rejects(PgConnection.connect({ ...base, sslmode: 'require' }), {
      code: 'ERR_AUTH',
      message: /cleartext/,
    })
    assert.equal(await tlsOf({ ...base, sslmode: 'require', allowCleartextPassword: true }), true)
  })
})
