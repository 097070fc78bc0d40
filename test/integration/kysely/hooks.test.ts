import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { CompiledQuery, type DatabaseConnection, Kysely, sql } from 'kysely'
import { CovetPostgresDialect } from '../../../src/kysely/index.js'
import { PostgresDriver } from '../../../src/postgres/driver.js'
import { getPostgres } from '../../harness/index.js'
import { urlOptions } from './schema.js'

interface Session {
  pid: number
  app: string
  tz: string
}

const SESSION = sql<Session>`select pg_backend_pid() as pid, current_setting('application_name') as app,
  current_setting('TimeZone') as tz`

// The per-connection init hook (issue 17): with pg, `SET application_name` in Kysely's
// onCreateConnection lasts; covet resets sessions on release, so the hook must run again.
describe('CovetPostgresDialect hooks', () => {
  let url: string
  before(async () => {
    url = (await getPostgres()).urls.trust
  })

  describe('onCreateConnection', () => {
    let db: Kysely<Record<string, never>>
    let created = 0
    let reserved = 0
    before(() => {
      db = new Kysely({
        dialect: new CovetPostgresDialect({
          connection: { ...urlOptions(url), poolSize: 2 },
          onCreateConnection: async (conn: DatabaseConnection) => {
            created++
            await conn.executeQuery(CompiledQuery.raw("set application_name = 'kysely-app'"))
            await conn.executeQuery(CompiledQuery.raw("set time zone 'Asia/Tokyo'"))
          },
          onReserveConnection: async () => {
            reserved++
          },
        }),
      })
    })
    after(() => db?.destroy())

    // Work that changes the session in each way covet's reset undoes.
    const work: [string, (k: Kysely<Record<string, never>>) => Promise<unknown>][] = [
      ['plain select', (k) => sql`select 1`.execute(k)],
      ['SET', (k) => k.connection().execute((c) => sql`set application_name = 'other'`.execute(c))],
      ['SET TIME ZONE', (k) => k.connection().execute((c) => sql`set time zone 'UTC'`.execute(c))],
      ['RESET ALL', (k) => k.connection().execute((c) => sql`reset all`.execute(c))],
      ['DISCARD ALL', (k) => k.connection().execute((c) => sql`discard all`.execute(c))],
      ['temp table', (k) => k.connection().execute((c) => sql`create temp table hook_t (a int)`.execute(c))],
      [
        'transaction with SET LOCAL',
        (k) => k.transaction().execute((t) => sql`set local application_name = 'tx'`.execute(t)),
      ],
      [
        'failed transaction',
        (k) =>
          k
            .transaction()
            .execute(async (t) => {
              await sql`set application_name = 'in-tx'`.execute(t)
              await sql`select 1/0`.execute(t)
            })
            .catch(() => {}),
      ],
    ]

    it('SET application_name in the hook holds across many acquire/release cycles', async () => {
      const pids = new Set<number>()
      for (let round = 0; round < 6; round++) {
        for (const [name, run] of work) {
          await run(db)
          // Both connections: each must show the hook's settings, whichever did the work.
          const [a, b] = await Promise.all([SESSION.execute(db), SESSION.execute(db)])
          for (const s of [a.rows[0]!, b.rows[0]!]) {
            assert.equal(s.app, 'kysely-app', `after ${name}, round ${round}`)
            assert.equal(s.tz, 'Asia/Tokyo', `after ${name}, round ${round}`)
            pids.add(s.pid)
          }
        }
      }
      assert.ok(pids.size <= 2, 'the same pooled connections were reused')
      assert.ok(created >= pids.size, 'the hook ran on every connection')
      assert.ok(reserved >= 6 * work.length * 3, 'onReserveConnection ran on every acquire')
    })
  })

  it('onReserveConnection runs on every acquire; one that throws gives the connection back', async () => {
    let fail = false
    const db = new Kysely({
      dialect: new CovetPostgresDialect({
        connection: { ...urlOptions(url), poolSize: 1 },
        onReserveConnection: async () => {
          if (fail) throw new Error('refused by the hook')
        },
      }),
    })
    fail = true
    await assert.rejects(sql`select 1`.execute(db), /refused by the hook/)
    fail = false
    // One connection: usable only if the failed acquire released it.
    assert.deepEqual((await sql<{ n: number }>`select 1 as n`.execute(db)).rows, [{ n: 1 }])
    await db.destroy()
  })

  it('each Kysely instance on one dialect has a driver of its own: destroying one leaves the others working', async () => {
    // As Kysely's PostgresDialect calls its `pool: async () => new Pool()` once per instance; the
    // suite's test-setup builds each file's Kysely instances on one shared dialect config.
    const dialect = new CovetPostgresDialect({ connection: { ...urlOptions(url), poolSize: 1 } })
    const first = new Kysely({ dialect })
    const second = new Kysely({ dialect })
    const [a] = (await SESSION.execute(first)).rows
    const [b] = (await SESSION.execute(second)).rows
    // One connection each, both open at once: two pools.
    assert.notEqual(a?.pid, b?.pid)
    await first.destroy()
    assert.equal((await SESSION.execute(second)).rows[0]?.pid, b?.pid)
    const third = new Kysely({ dialect })
    assert.equal((await SESSION.execute(third)).rows.length, 1)
    await Promise.all([second.destroy(), third.destroy()])
  })

  it('a driver of your own is used as it is and closed by destroy()', async () => {
    const driver = new PostgresDriver(url, {
      poolSize: 1,
      onConnect: (s) => s.execute("set application_name = 'own-driver'"),
    })
    const db = new Kysely({ dialect: new CovetPostgresDialect({ driver }) })
    const row = await sql<{
      app: string
      big: string
    }>`select current_setting('application_name') as app, 1::int8 as big`.execute(db)
    // A driver given as it is keeps covet's own int8 default (bigint); the dialect's string default is for the drivers it creates.
    assert.deepEqual(row.rows, [{ app: 'own-driver', big: 1n }])
    await db.destroy()
    await assert.rejects(driver.execute('select 1'), { code: 'ERR_POOL_CLOSED' })
  })

  it('a driver factory is called once, at the first query', async () => {
    let calls = 0
    const db = new Kysely({
      dialect: new CovetPostgresDialect({
        driver: async () => {
          calls++
          return new PostgresDriver(url, { poolSize: 1 })
        },
      }),
    })
    assert.equal(calls, 0)
    await Promise.all([sql`select 1`.execute(db), sql`select 2`.execute(db)])
    assert.equal(calls, 1)
    await db.destroy()
  })
})
