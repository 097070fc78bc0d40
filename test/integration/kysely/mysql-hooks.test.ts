import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { CompiledQuery, type DatabaseConnection, Kysely, sql } from 'kysely'
import { CovetMysqlDialect } from '../../../src/kysely/index.js'
import { MySqlDriver } from '../../../src/mysql/driver.js'
import { getMariaDb } from '../../harness/index.js'
import { mysqlOptions } from './mysql-schema.js'

interface Session {
  id: number
  app: string | null
  gcml: number
}

const SESSION = sql<Session>`select connection_id() as id, @app as app,
  @@session.group_concat_max_len as gcml`

// The per-connection init hook (issue 17): with mysql2, `SET @app` in Kysely's onCreateConnection
// lasts; covet resets sessions a borrower changed (COM_RESET_CONNECTION), so the hook runs again.
describe('CovetMysqlDialect hooks', () => {
  let url: string
  before(async () => {
    url = (await getMariaDb()).url
  })

  describe('onCreateConnection', () => {
    let db: Kysely<Record<string, never>>
    let created = 0
    let reserved = 0
    before(() => {
      db = new Kysely({
        dialect: new CovetMysqlDialect({
          connection: { ...mysqlOptions(url), poolSize: 2 },
          onCreateConnection: async (conn: DatabaseConnection) => {
            created++
            await conn.executeQuery(CompiledQuery.raw("SET @app = 'x'"))
            await conn.executeQuery(CompiledQuery.raw('SET SESSION group_concat_max_len = 4096'))
          },
          onReserveConnection: async () => {
            reserved++
          },
        }),
      })
    })
    after(() => db?.destroy())

    // Work that changes the session in each way covet's reset undoes.
    type Db = Kysely<Record<string, never>>
    const onOne = (k: Db, text: string) => k.connection().execute((c) => sql.raw(text).execute(c))
    const work: [string, (k: Db) => Promise<unknown>][] = [
      ['plain select', (k) => sql`select 1`.execute(k)],
      ['SET @app', (k) => onOne(k, "SET @app = 'other'")],
      ['SELECT @app :=', (k) => onOne(k, "SELECT @app := 'assigned'")],
      ['SET SESSION', (k) => onOne(k, 'SET SESSION group_concat_max_len = 1024')],
      ['temporary table', (k) => onOne(k, 'CREATE TEMPORARY TABLE hook_t (a int)')],
      ['GET_LOCK', (k) => onOne(k, "SELECT GET_LOCK('hook-lock', 0)")],
      ['transaction with SET', (k) => k.transaction().execute((t) => sql`SET @app = 'tx'`.execute(t))],
      [
        'failed transaction',
        (k) =>
          k
            .transaction()
            .execute(async (t) => {
              await sql`SET @app = 'in-tx'`.execute(t)
              await sql`select * from no_such_table`.execute(t)
            })
            .catch(() => {}),
      ],
    ]

    it('SET @app in the hook is seen on every borrowed connection across many acquire/release cycles', async () => {
      const ids = new Set<number>()
      for (let round = 0; round < 4; round++) {
        for (const [name, run] of work) {
          await run(db)
          // Both connections: each must show the hook's settings, whichever did the work.
          const [a, b] = await Promise.all([SESSION.execute(db), SESSION.execute(db)])
          for (const s of [a.rows[0]!, b.rows[0]!]) {
            assert.equal(s.app, 'x', `after ${name}, round ${round}`)
            assert.equal(s.gcml, 4096, `after ${name}, round ${round}`)
            ids.add(s.id)
          }
        }
      }
      assert.ok(ids.size <= 2, 'the same pooled connections were reused')
      assert.ok(created > ids.size, 'the hook ran again after resets')
      assert.ok(reserved >= 4 * work.length * 3, 'onReserveConnection ran on every acquire')
    })
  })

  it('clean work and Kysely transactions leave the session alone: no reset, the hook runs once', async () => {
    let created = 0
    const db = new Kysely<Record<string, never>>({
      dialect: new CovetMysqlDialect({
        connection: { ...mysqlOptions(url), poolSize: 1 },
        onCreateConnection: async (conn) => {
          created++
          await conn.executeQuery(CompiledQuery.raw("SET @app = 'once'"))
        },
      }),
    })
    // DDL counts as a session change (covet's tracker does not tell it apart): made elsewhere.
    const admin = new MySqlDriver(url, { poolSize: 1 })
    await admin.execute('CREATE TABLE IF NOT EXISTS hook_clean (a int)')
    for (let i = 0; i < 5; i++) {
      await db.transaction().execute((t) => sql`insert into hook_clean values (${i})`.execute(t))
      await db
        .transaction()
        .setIsolationLevel('read committed')
        .execute((t) => sql`select count(*) from hook_clean`.execute(t))
      const trx = await db.startTransaction().execute()
      await (await trx.savepoint('s').execute()).rollbackToSavepoint('s').execute()
      await trx.rollback().execute()
      await sql`select @app`.execute(db)
    }
    assert.equal(created, 1)
    // A session change costs a reset, and the hook runs again.
    await db.connection().execute((c) => sql`SET @other = 1`.execute(c))
    assert.deepEqual((await sql<{ app: string }>`select @app as app`.execute(db)).rows, [{ app: 'once' }])
    assert.equal(created, 2)
    await admin.execute('DROP TABLE hook_clean')
    await admin.close()
    await db.destroy()
  })

  it('onReserveConnection that throws gives the connection back', async () => {
    let fail = true
    const db = new Kysely({
      dialect: new CovetMysqlDialect({
        connection: { ...mysqlOptions(url), poolSize: 1 },
        onReserveConnection: async () => {
          if (fail) throw new Error('refused by the hook')
        },
      }),
    })
    await assert.rejects(sql`select 1`.execute(db), /refused by the hook/)
    fail = false
    // One connection: usable only if the failed acquire released it.
    assert.deepEqual((await sql<{ n: number }>`select 1 as n`.execute(db)).rows, [{ n: 1 }])
    await db.destroy()
  })

  it('a driver of your own is used as it is (its onConnect, its types) and closed by destroy()', async () => {
    const driver = new MySqlDriver(url, { poolSize: 1, onConnect: (s) => s.execute("SET @app = 'own'") })
    const db = new Kysely({ dialect: new CovetMysqlDialect({ driver }) })
    const row = await sql<{
      app: string
      n: bigint
    }>`select @app as app, count(*) as n from seq_1_to_3`.execute(db)
    // A driver given as it is keeps covet's BIGINT default (bigint); the dialect's number default is for the drivers it creates.
    assert.deepEqual(row.rows, [{ app: 'own', n: 3n }])
    await db.destroy()
    await assert.rejects(driver.execute('select 1'), { code: 'ERR_POOL_CLOSED' })
  })

  it('a driver factory is called once, at the first query', async () => {
    let calls = 0
    const db = new Kysely({
      dialect: new CovetMysqlDialect({
        driver: async () => {
          calls++
          return new MySqlDriver(url, { poolSize: 1 })
        },
      }),
    })
    assert.equal(calls, 0)
    await Promise.all([sql`select 1`.execute(db), sql`select 2`.execute(db)])
    assert.equal(calls, 1)
    await db.destroy()
  })
})
