import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { CompiledQuery, Kysely, sql } from 'kysely'
import { CovetKyselyConnection, CovetMysqlDialect, withSignal } from '../../../src/kysely/index.js'
import { MySqlDriver } from '../../../src/mysql/driver.js'
import { getMariaDb } from '../../harness/index.js'
import { mysqlOptions } from './mysql-schema.js'

interface Process {
  ID: bigint
  COMMAND: string
  INFO: string | null
}

/**
 * Cancel through covet's own KILL QUERY (issue 17). Every sleeping statement would hold its
 * PROCESSLIST row for 10 s; each test's limit is below that, so a statement that was not killed
 * fails the test instead of passing late.
 */
describe('CovetMysqlDialect cancel', () => {
  let db: Kysely<Record<string, never>>
  let dialect: CovetMysqlDialect
  let observer: MySqlDriver
  before(async () => {
    const url = (await getMariaDb()).url
    dialect = new CovetMysqlDialect({ connection: { ...mysqlOptions(url), poolSize: 2 } })
    db = new Kysely({ dialect })
    observer = new MySqlDriver(url, { poolSize: 1 })
  })
  after(async () => {
    await db?.destroy()
    await observer?.close()
  })

  /** The server's sessions (not the observer's own) whose statement text holds `marker`. */
  const running = (marker: string) =>
    observer.execute<Process>(
      `SELECT ID, COMMAND, INFO FROM information_schema.PROCESSLIST
        WHERE ID <> CONNECTION_ID() AND INFO LIKE ?`,
      [`%${marker}%`],
    )

  /** Polls until a session runs the statement marked `marker`; its PROCESSLIST row. */
  async function started(marker: string): Promise<Process> {
    for (;;) {
      const [found] = await running(marker)
      if (found !== undefined) return found
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  /** Polls until no session runs it, and the session that did is idle (COM_SLEEP). */
  async function gone(marker: string, id: bigint): Promise<void> {
    for (;;) {
      const rows = await running(marker)
      const [session] = await observer.execute<Process>(
        'SELECT ID, COMMAND, INFO FROM information_schema.PROCESSLIST WHERE ID = ?',
        [id],
      )
      if (rows.length === 0 && session?.COMMAND === 'Sleep') return
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  const sleeping = (marker: string) => [sql<number>`sleep(10)`.as('slept'), sql.lit(marker).as('marker')]

  it('withSignal(): an aborted SELECT SLEEP(10) is killed on the server and rejects with ERR_QUERY_CANCELLED', {
    timeout: 8_000,
  }, async () => {
    const controller = new AbortController()
    const pending = withSignal(db, controller.signal).selectNoFrom(sleeping('cancel-a')).execute()
    const session = await started('cancel-a')
    controller.abort()
    await assert.rejects(pending, { code: 'ERR_QUERY_CANCELLED' })
    await gone('cancel-a', session.ID)
    // The connection goes on; an instance without the signal is unaffected.
    assert.deepEqual((await sql<{ n: number }>`select 1 as n`.execute(db)).rows, [{ n: 1 }])
  })

  it('a query started after the abort is never sent', async () => {
    const controller = new AbortController()
    controller.abort()
    await assert.rejects(withSignal(db, controller.signal).selectNoFrom(sleeping('cancel-n')).execute(), {
      code: 'ERR_QUERY_CANCELLED',
    })
    assert.equal((await running('cancel-n')).length, 0)
  })

  it('an aborted stream (a cursor’s COM_STMT_EXECUTE) is killed on the server', {
    timeout: 8_000,
  }, async () => {
    const controller = new AbortController()
    const reading = (async () => {
      for await (const _ of withSignal(db, controller.signal).selectNoFrom(sleeping('cancel-s')).stream(1)) {
        assert.fail('the sleep was not cut short')
      }
    })()
    const session = await started('cancel-s')
    controller.abort()
    await assert.rejects(reading, { code: 'ERR_QUERY_CANCELLED' })
    await gone('cancel-s', session.ID)
  })

  it('a cancelled statement in a transaction rolls the transaction back', { timeout: 8_000 }, async () => {
    await sql`create table if not exists cancel_tx (a int)`.execute(db)
    await sql`delete from cancel_tx`.execute(db)
    const controller = new AbortController()
    const work = db.transaction().execute(async (trx) => {
      await sql`insert into cancel_tx values (1)`.execute(trx)
      await withSignal(trx, controller.signal).selectNoFrom(sleeping('cancel-t')).execute()
    })
    const session = await started('cancel-t')
    controller.abort()
    await assert.rejects(work, { code: 'ERR_QUERY_CANCELLED' })
    await gone('cancel-t', session.ID)
    const count = await sql<{ n: number }>`select count(*) as n from cancel_tx`.execute(db)
    assert.deepEqual(count.rows, [{ n: 0 }])
    await sql`drop table cancel_tx`.execute(db)
  })

  it('cancelQuery() (Kysely 0.29’s connection API) kills the running query', { timeout: 8_000 }, async () => {
    const driver = dialect.createDriver()
    await driver.init()
    const conn = await driver.acquireConnection()
    assert.ok(conn instanceof CovetKyselyConnection)
    const signal = new AbortController().signal
    const pending = conn.executeQuery(CompiledQuery.raw("select sleep(10), 'cancel-q'"), { signal })
    const session = await started('cancel-q')
    await conn.cancelQuery()
    await assert.rejects(pending, { code: 'ERR_QUERY_CANCELLED' })
    await gone('cancel-q', session.ID)
    // Kysely 0.29 races its own signal and calls cancelQuery() per its strategy: aborting the
    // signal it passes does not cancel by itself ("ignore query" is Kysely's default).
    const controller = new AbortController()
    const ignored = conn.executeQuery<{ n: number }>(
      CompiledQuery.raw('select 7 as n from (select sleep(0.2)) s'),
      {
        signal: controller.signal,
      },
    )
    controller.abort()
    assert.deepEqual((await ignored).rows, [{ n: 7 }])
    await driver.releaseConnection(conn)
    await driver.destroy()
  })
})
