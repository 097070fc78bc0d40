import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { PostgresDriver } from '../../../../src/postgres/driver.js'
import { type PgServer, startPostgres } from '../../../harness/index.js'

/**
 * Issue 14: a wrong password through the pool made 5 attempts in 46 ms and surfaced as
 * ERR_CIRCUIT_OPEN. Errors that retrying cannot fix reach the caller at once with their own code,
 * one attempt per call, and leave the breaker closed; a server that is down still trips it.
 */
describe('PostgresDriver: connect errors that retrying would not fix', () => {
  let pg: PgServer
  before(async () => {
    pg = await startPostgres({ tls: true })
    // A role pg_hba.conf has no line for: the server refuses it with 28000 before any password.
    await pg.psql('create role covet_nohba login')
  })
  after(() => pg?.stop())

  const url = (base: string, change: (u: URL) => void) => {
    const u = new URL(base)
    change(u)
    return u.toString()
  }

  /** Runs `calls` statements one after another; returns their errors and the driver's metrics. */
  async function attempts(
    target: string,
    options: ConstructorParameters<typeof PostgresDriver>[1],
    calls = 3,
  ) {
    const db = new PostgresDriver(target, { poolSize: 4, ...options })
    const errors: Record<string, unknown>[] = []
    for (let i = 0; i < calls; i++) {
      errors.push(
        await db.execute('select 1').then(
          () => ({}),
          (e: Record<string, unknown>) => e,
        ),
      )
    }
    const metrics = db.metrics()
    await db.close()
    return { errors, metrics }
  }

  const cases: [string, () => string, Record<string, unknown>, object][] = [
    [
      'a wrong SCRAM password',
      () =>
        url(pg.urls.scram, (u) => {
          u.password = 'wrong'
        }),
      { code: 'ERR_AUTH' },
      { sslmode: 'disable' },
    ],
    [
      'a wrong MD5 password',
      () =>
        url(pg.urls.md5, (u) => {
          u.password = 'wrong'
        }),
      { code: 'ERR_AUTH' },
      { sslmode: 'disable' },
    ],
    [
      'a wrong cleartext password',
      () =>
        url(pg.urls.password, (u) => {
          u.password = 'wrong'
        }),
      { code: 'ERR_AUTH' },
      { sslmode: 'disable', allowCleartextPassword: true },
    ],
    [
      'a role that does not exist',
      () =>
        url(pg.urls.trust, (u) => {
          u.username = 'covet_nobody'
        }),
      { code: 'ERR_AUTH' },
      { sslmode: 'disable' },
    ],
    [
      'no pg_hba.conf entry',
      () =>
        url(pg.urls.trust, (u) => {
          u.username = 'covet_nohba'
        }),
      { code: 'ERR_AUTH' },
      { sslmode: 'disable' },
    ],
    [
      'a database that does not exist',
      () =>
        url(pg.urls.trust, (u) => {
          u.pathname = '/no_such_db'
        }),
      { sqlState: '3D000' },
      { sslmode: 'disable' },
    ],
    // The CA is not given, so the server's certificate (from a run-time CA) cannot verify.
    [
      'a certificate that does not verify',
      () => pg.urls.trust,
      { code: 'ERR_TLS' },
      { sslmode: 'verify-ca' },
    ],
  ]

  for (const [what, target, expected, options] of cases) {
    it(`${what}: its own error at once, one attempt per call, breaker closed`, async () => {
      const { errors, metrics } = await attempts(target(), options)
      for (const error of errors) {
        for (const [key, value] of Object.entries(expected))
          assert.equal(error[key], value, `${what}: ${key}`)
      }
      assert.equal(metrics.createErrors, errors.length, 'no retries')
      assert.equal(metrics.rejected.createFailed, errors.length)
      assert.equal(metrics.breaker.state, 'closed')
      assert.equal(metrics.breaker.transitions.open, 0)
    })
  }

  it('many callers at once with a wrong password: all get ERR_AUTH, at most poolSize attempts', async () => {
    const db = new PostgresDriver(
      url(pg.urls.scram, (u) => {
        u.password = 'wrong'
      }),
      { poolSize: 4, sslmode: 'disable' },
    )
    const results = await Promise.allSettled(Array.from({ length: 32 }, () => db.execute('select 1')))
    for (const r of results) assert.equal(r.status === 'rejected' && r.reason.code, 'ERR_AUTH')
    assert.ok(db.metrics().createErrors <= 4, `attempts: ${db.metrics().createErrors}`)
    await db.close()
  })

  it('the right password afterwards connects: nothing was latched', async () => {
    let password = 'wrong'
    const right = decodeURIComponent(new URL(pg.urls.scram).password)
    const db = new PostgresDriver(
      url(pg.urls.scram, (u) => {
        u.password = ''
      }),
      {
        sslmode: 'disable',
        password: () => password,
      },
    )
    await assert.rejects(db.execute('select 1'), { code: 'ERR_AUTH' })
    password = right
    assert.equal((await db.executeOne<{ n: number }>('select 1::int4 as n'))!.n, 1)
    await db.close()
  })

  it('a server that is down still trips the breaker (ECONNREFUSED is transient)', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port
        s.close(() => resolve(p))
      })
    })
    const db = new PostgresDriver(`postgres://covet_trust@127.0.0.1:${port}/covet`, {
      sslmode: 'disable',
      pool: { breaker: { failureThreshold: 3, baseBackoffMs: 60_000 } },
    })
    await assert.rejects(db.execute('select 1'), (e: { code: string; cause?: { code: string } }) => {
      return e.code === 'ERR_CIRCUIT_OPEN' && e.cause?.code === 'ERR_CONNECTION_FAILED'
    })
    assert.equal(db.metrics().createErrors, 3)
    await db.close()
  })
})
