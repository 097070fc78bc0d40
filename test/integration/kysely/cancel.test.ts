import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { CompiledQuery, Kysely, sql } from 'kysely'
import { CovetKyselyConnection, CovetPostgresDialect, withSignal } from '../../../src/kysely/index.js'
import { PostgresDriver } from '../../../src/postgres/driver.js'
import { getPostgres } from '../../harness/index.js'

interface Activity {
  pid: number
  state: string
  query: string
}

// Cancel through covet's own CancelRequest (issue 17): the statement stops on the server.
describe('CovetPostgresDialect cancel', () => {
  let db: Kysely<Record<string, never>>
  let dialect: CovetPostgresDialect
  let observer: PostgresDriver
  before(async () => {
    const url = (await getPostgres()).urls.trust
    dialect = new CovetPostgresDialect({ connection: url })
    db = new Kysely({ dialect })
    observer = new PostgresDriver(url, { poolSize: 1 })
  })
  after(async () => {
    await db?.destroy()
    await observer?.close()
  })

  /** Polls pg_stat_activity until a backend other than the observer's matches `accept`. */
  async function waitForBackend(accept: (a: Activity) => boolean): Promise<Activity> {
    for (;;) {
      const rows = await observer.execute<Activity>(
        `select pid, state, query from pg_stat_activity
          where backend_type = 'client backend' and pid <> pg_backend_pid()`,
      )
      const found = rows.find(accept)
      if (found !== undefined) return found
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  const sleeping = (marker: string) => (a: Activity) => a.state === 'active' && a.query.includes(marker)
  /** The backend finished its statement (cancelled, since it would sleep for a minute). */
  const idle = (pid: number) => (a: Activity) => a.pid === pid && a.state.startsWith('idle')

  it('withSignal(): an aborted pg_sleep stops on the server and rejects with ERR_QUERY_CANCELLED', {
    timeout: 30_000,
  }, async () => {
    const controller = new AbortController()
    const pending = withSignal(db, controller.signal)
      .selectNoFrom(sql<string>`pg_sleep(60)::text`.as('slept'))
      .where(sql<boolean>`'cancel-a' = 'cancel-a'`)
      .execute()
    const backend = await waitForBackend(sleeping('cancel-a'))
    controller.abort()
    await assert.rejects(pending, { code: 'ERR_QUERY_CANCELLED' })
    await waitForBackend(idle(backend.pid))
    // The connection is still good, and queries after the abort on other instances are unaffected.
    const again = await sql<{ n: number }>`select 1 as n`.execute(db)
    assert.deepEqual(again.rows, [{ n: 1 }])
  })

  it('a query started after the abort is never sent', async () => {
    const controller = new AbortController()
    controller.abort()
    await assert.rejects(withSignal(db, controller.signal).selectNoFrom(sql`1`.as('n')).execute(), {
      code: 'ERR_QUERY_CANCELLED',
    })
  })

  it('an aborted stream stops the query on the server', { timeout: 30_000 }, async () => {
    const controller = new AbortController()
    const reading = (async () => {
      const query = withSignal(db, controller.signal)
        .selectFrom(sql<{ g: number }>`generate_series(1, 1000000)`.as('g'))
        .select(sql<number>`g`.as('i'))
        .where(
          sql<boolean>`pg_sleep(case when g > 1 then 60 else 0 end) is not null and 'cancel-s' = 'cancel-s'`,
        )
      for await (const row of query.stream(1)) assert.equal(row.i, 1)
    })()
    const backend = await waitForBackend(sleeping('cancel-s'))
    controller.abort()
    await assert.rejects(reading, { code: 'ERR_QUERY_CANCELLED' })
    await waitForBackend(idle(backend.pid))
  })

  it('a cancelled statement in a transaction rolls the transaction back', { timeout: 30_000 }, async () => {
    await sql`create table if not exists cancel_tx (a int)`.execute(db)
    const controller = new AbortController()
    const work = db.transaction().execute(async (trx) => {
      await sql`insert into cancel_tx values (1)`.execute(trx)
      await withSignal(trx, controller.signal)
        .selectNoFrom(sql`pg_sleep(60)::text`.as('s'))
        .where(sql<boolean>`'cancel-t' = 'cancel-t'`)
        .execute()
    })
    const backend = await waitForBackend(sleeping('cancel-t'))
    controller.abort()
    await assert.rejects(work, { code: 'ERR_QUERY_CANCELLED' })
    await waitForBackend(idle(backend.pid))
    const count = await sql<{ n: number }>`select count(*)::int4 as n from cancel_tx`.execute(db)
    assert.deepEqual(count.rows, [{ n: 0 }])
  })

  it('cancelQuery() (Kysely 0.29’s connection API) cancels the running query', {
    timeout: 30_000,
  }, async () => {
    const driver = dialect.createDriver()
    await driver.init()
    const conn = await driver.acquireConnection()
    assert.ok(conn instanceof CovetKyselyConnection)
    const signal = new AbortController().signal
    const pending = conn.executeQuery(CompiledQuery.raw("select pg_sleep(60), 'cancel-q'"), { signal })
    const backend = await waitForBackend(sleeping('cancel-q'))
    await conn.cancelQuery()
    await assert.rejects(pending, { code: 'ERR_QUERY_CANCELLED' })
    await waitForBackend(idle(backend.pid))
    // Kysely 0.29 races its own signal and calls cancelQuery() per its strategy: aborting the
    // signal it passes does not cancel by itself ("ignore query" is Kysely's default).
    const controller = new AbortController()
    const ignored = conn.executeQuery<{ n: number }>(CompiledQuery.raw('select 7 as n from pg_sleep(0.2)'), {
      signal: controller.signal,
    })
    controller.abort()
    assert.deepEqual((await ignored).rows, [{ n: 7 }])
    await driver.releaseConnection(conn)
    await driver.destroy()
  })
})
