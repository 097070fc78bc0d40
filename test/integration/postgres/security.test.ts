import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { after, before, describe, it } from 'node:test'
import { inspect } from 'node:util'
import { parsePgUrl } from '../../../src/postgres/config.js'
import { PgConnection } from '../../../src/postgres/connection.js'
import { PostgresDriver } from '../../../src/postgres/driver.js'
import { PG_PASSWORDS, type PgServer, startPostgres } from '../../harness/index.js'

/**
 * Issue 14, security: the password was reachable through PgConnection.config, and a cleartext
 * password was sent over TLS that verified nothing under the default sslmode=prefer. Also libpq's
 * require_auth, against the harness's one role per authentication method.
 */
describe('PostgreSQL security', () => {
  let pg: PgServer
  before(async () => {
    pg = await startPostgres({ tls: true })
  })
  after(() => pg?.stop())

  /** Everything a value exposes, as deep as it goes, non-enumerable properties included. */
  const everything = (value: unknown) => inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true })

  describe('the password is not reachable', () => {
    const secret = PG_PASSWORDS.scram

    it('not through PgConnection: inspect, JSON, keys, structuredClone', async () => {
      for (const input of [pg.urls.scram, { ...parsePgUrl(pg.urls.scram) }]) {
        const conn = await PgConnection.connect(input)
        try {
          assert.ok(!everything(conn).includes(secret), 'util.inspect(connection)')
          assert.ok(!everything(conn.config).includes(secret), 'util.inspect(config)')
          assert.ok(!JSON.stringify(conn.config).includes(secret), 'JSON.stringify(config)')
          assert.ok(!Object.keys(conn.config).includes('password'), 'Object.keys(config)')
          assert.ok(!JSON.stringify(structuredClone(conn.config)).includes(secret), 'structuredClone(config)')
          assert.ok(!JSON.stringify(Object.values(conn.config)).includes(secret), 'Object.values(config)')
        } finally {
          await conn.close()
        }
      }
    })

    it('not through the driver, its metrics or any diagnostics_channel message', async () => {
      const seen: unknown[] = []
      const names = ['acquire', 'release', 'create', 'destroy', 'timeout', 'breaker'].map(
        (n) => `covet:pool:${n}`,
      )
      names.push('covet:postgres:notice')
      const record = (message: unknown) => seen.push(message)
      for (const name of names) subscribe(name, record)
      const db = new PostgresDriver(pg.urls.scram, { poolSize: 2 })
      try {
        await Promise.all([db.execute('select 1'), db.execute('select 2')])
        await db.execute("do $$ begin raise notice 'hello'; end $$")
        assert.ok(!everything(db).includes(secret), 'util.inspect(driver)')
        assert.ok(!JSON.stringify(db.metrics()).includes(secret), 'metrics')
      } finally {
        await db.close()
        for (const name of names) unsubscribe(name, record)
      }
      assert.ok(seen.length >= 4, `saw ${seen.length} diagnostics messages`)
      for (const message of seen)
        assert.ok(!everything(message).includes(secret), everything(message).slice(0, 200))
    })

    it('not in the errors of a wrong password, through a connection or the pool', async () => {
      const wrong = 'Wr0ng-s3cret-pw'
      const url = new URL(pg.urls.scram)
      url.password = wrong
      const direct = await PgConnection.connect(url.toString()).catch((e: unknown) => e)
      const pooled = await new PostgresDriver(url.toString()).execute('select 1').catch((e: unknown) => e)
      for (const error of [direct, pooled]) {
        assert.equal((error as { code: string }).code, 'ERR_AUTH')
        assert.ok(!everything(error).includes(wrong))
        assert.ok(!JSON.stringify(error).includes(wrong))
      }
    })
  })

  describe('a cleartext password goes only to a verified server', () => {
    const base = () => ({ ...parsePgUrl(pg.urls.password), host: pg.tls!.hostname })

    it('refused over TLS that verifies nothing (sslmode prefer, the default, and require)', async () => {
      for (const sslmode of [undefined, 'prefer', 'require'] as const) {
        const options = sslmode === undefined ? base() : { ...base(), sslmode }
        await assert.rejects(
          PgConnection.connect(options),
          { code: 'ERR_AUTH', message: /cleartext/ },
          sslmode,
        )
      }
      // The URL form, as most users write it.
      const url = new URL(pg.urls.password)
      url.hostname = pg.tls!.hostname
      await assert.rejects(new PostgresDriver(url.toString()).execute('select 1'), {
        code: 'ERR_AUTH',
        message: /cleartext/,
      })
    })

    it('sent when the certificate verified, or when allowCleartextPassword says so', async () => {
      const who = async (options: Parameters<typeof PgConnection.connect>[0]) => {
        const conn = await PgConnection.connect(options)
        try {
          return String((await conn.query('select current_user as u'))[0]!.u)
        } finally {
          await conn.close()
        }
      }
      const caFile = pg.tls!.caFile
      assert.equal(await who({ ...base(), sslmode: 'verify-full', sslrootcert: caFile }), 'covet_password')
      assert.equal(await who({ ...base(), sslmode: 'verify-ca', sslrootcert: caFile }), 'covet_password')
      assert.equal(await who({ ...base(), sslmode: 'require', sslrootcert: caFile }), 'covet_password')
      assert.equal(
        await who({ ...base(), sslmode: 'require', allowCleartextPassword: true }),
        'covet_password',
      )
    })
  })

  describe('require_auth', () => {
    const connectsAs = async (url: string, options: Parameters<typeof PgConnection.connect>[0] = {}) => {
      const conn = await PgConnection.connect({
        ...parsePgUrl(url),
        sslmode: 'disable',
        ...(options as object),
      })
      await conn.close()
    }

    it('accepts the servers that use a listed method, refuses the others before answering them', async () => {
      await connectsAs(pg.urls.scram, { requireAuth: 'scram-sha-256' })
      await connectsAs(pg.urls.md5, { requireAuth: 'md5,scram-sha-256' })
      await connectsAs(pg.urls.trust, { requireAuth: 'none' })
      await connectsAs(pg.urls.md5, { requireAuth: '!password' })
      for (const [url, requireAuth, message] of [
        [pg.urls.md5, 'scram-sha-256', /require_auth=scram-sha-256 but the server asks for md5/],
        [pg.urls.scram, 'md5', /asks for scram-sha-256/],
        [pg.urls.md5, '!md5', /asks for md5/],
        [pg.urls.password, '!password,!md5', /asks for password/],
        [pg.urls.trust, 'scram-sha-256', /did not ask the client to authenticate/],
        [pg.urls.trust, '!none', /did not ask the client to authenticate/],
        [pg.urls.scram, 'none', /asks for scram-sha-256/],
      ] as const) {
        await assert.rejects(connectsAs(url, { requireAuth, allowCleartextPassword: true }), {
          code: 'ERR_AUTH',
          message,
        })
      }
    })

    it('from the URL (require_auth) and PGREQUIREAUTH, through the driver too', async () => {
      const url = new URL(pg.urls.md5)
      url.searchParams.set('sslmode', 'disable')
      url.searchParams.set('require_auth', 'scram-sha-256')
      await assert.rejects(PgConnection.connect(url.toString()), {
        code: 'ERR_AUTH',
        message: /require_auth/,
      })
      const db = new PostgresDriver(url.toString())
      await assert.rejects(db.execute('select 1'), { code: 'ERR_AUTH', message: /require_auth/ })
      await db.close()
      const saved = process.env.PGREQUIREAUTH
      process.env.PGREQUIREAUTH = '!md5'
      try {
        await assert.rejects(connectsAs(pg.urls.md5), { code: 'ERR_AUTH', message: /require_auth=!md5/ })
        await connectsAs(pg.urls.scram)
      } finally {
        if (saved === undefined) delete process.env.PGREQUIREAUTH
        else process.env.PGREQUIREAUTH = saved
      }
      assert.throws(() => new PostgresDriver(pg.urls.md5, { requireAuth: 'kerberos' }), {
        code: 'ERR_INVALID_ARGUMENT',
        message: /requireAuth/,
      })
    })
  })
})
