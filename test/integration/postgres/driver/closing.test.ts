import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { after, before, describe, it } from 'node:test'
import type { PgConnection } from '../../../../src/postgres/connection.js'
import { PostgresDriver } from '../../../../src/postgres/driver.js'
import { getPostgres, type PgServer } from '../../../harness/index.js'

/**
 * Issue 14: a closing driver still started statements (the caller was told ERR_POOL_CLOSED, but
 * the statement ran), and idle connections that died were never reported to the pool.
 */
describe('PostgresDriver while closing', { timeout: 60_000 }, () => {
  let pg: PgServer
  let admin: PostgresDriver
  before(async () => {
    pg = await getPostgres()
    admin = new PostgresDriver(pg.urls.trust, { poolSize: 2, applicationName: 'covet-closing-admin' })
    await admin.execute('create table if not exists drv_closing (id int)')
    await admin.execute('create table if not exists drv_closing_gate (id int)')
  })
  after(() => admin?.close())

  const rows = async () =>
    (await admin.executeOne<{ n: number }>('select count(*)::int4 as n from drv_closing'))!.n

  /**
   * A driver whose one in-flight statement is blocked on a table lock the admin holds, with
   * close() started: close waits for that statement, so anything new must be refused.
   */
  async function closingDriver() {
    await admin.execute('truncate drv_closing')
    const gate = await admin.reserve()
    await gate.execute('begin')
    await gate.execute('lock table drv_closing_gate in access exclusive mode')
    const db = new PostgresDriver(pg.urls.trust, { poolSize: 3 })
    const inFlight = db.execute<{ n: number }>('select count(*)::int4 as n from drv_closing_gate')
    const closing = db.close({ timeoutMs: 60_000 })
    const open = async () => {
      await gate.execute('commit')
      gate.release()
      assert.equal((await inFlight)[0]!.n, 0, 'the in-flight statement finished')
      await closing
    }
    return { db, open }
  }

  it('refuses new statements, transactions, COPY, streams and reservations before they start', async () => {
    const { db, open } = await closingDriver()
    let callbackRan = false
    try {
      const refused = [
        db.execute('insert into drv_closing values (1)'),
        db.executeOne('insert into drv_closing values (2)'),
        db.sql`insert into drv_closing values (${3})`,
        db.transaction([['insert into drv_closing values ($1)', [4]]]),
        db.transaction(async (tx) => {
          callbackRan = true
          await tx.execute('insert into drv_closing values (5)')
        }),
        db.bulkInsert('drv_closing', ['id'], [[6]]),
        db.copyFrom('copy drv_closing from stdin', ['7\n']),
        db.notify('drv_closing', 'x'),
        db.reserve(),
        db.stream('select 1').next(),
        db.listen('drv_closing', () => {}),
      ]
      const outcomes = await Promise.allSettled(refused.map((attempt) => Promise.resolve(attempt)))
      for (const [i, outcome] of outcomes.entries()) {
        assert.equal(outcome.status === 'rejected' && outcome.reason.code, 'ERR_POOL_CLOSED', `call ${i}`)
      }
      assert.equal(callbackRan, false, 'the transaction callback never ran')
      assert.equal(await rows(), 0, 'nothing reached the server')
    } finally {
      await open()
    }
    assert.equal(db.metrics().size, 0)
  })

  it('copyTo on a closing driver fails its stream without running the COPY', async () => {
    const { db, open } = await closingDriver()
    const chunks: Buffer[] = []
    try {
      await assert.rejects(
        (async () => {
          for await (const chunk of db.copyTo('copy (select 1) to stdout')) chunks.push(chunk as Buffer)
        })(),
        { code: 'ERR_POOL_CLOSED' },
      )
      assert.equal(chunks.length, 0)
    } finally {
      await open()
    }
  })
})

describe('PostgresDriver: an idle connection that dies', { timeout: 60_000 }, () => {
  it('leaves the pool at once, counted as broken and published, with no unhandled error', async () => {
    const pg = await getPostgres()
    const db = new PostgresDriver(pg.urls.trust, { poolSize: 2, pool: { min: 0 } })
    const created: PgConnection[] = []
    const destroyed: { reason: string }[] = []
    const onCreate = (m: unknown) => {
      const c = (m as { connection?: PgConnection }).connection
      if (c !== undefined) created.push(c)
    }
    const onDestroy = (m: unknown) => destroyed.push(m as { reason: string })
    const unexpected: unknown[] = []
    const onUnexpected = (e: unknown) => unexpected.push(e)
    subscribe('covet:pool:create', onCreate)
    subscribe('covet:pool:destroy', onDestroy)
    process.on('unhandledRejection', onUnexpected)
    process.on('uncaughtException', onUnexpected)
    try {
      await db.execute('select 1')
      assert.equal(created.length, 1)
      const conn = created[0]!
      assert.equal(db.metrics().idle, 1)
      const ended = new Promise<void>((resolve) => conn.onClose(() => resolve()))
      await pg.psql(`select pg_terminate_backend(${conn.processId})`)
      await ended
      // The pool heard of it from the same close event, before this test's listener ran.
      const m = db.metrics()
      assert.equal(m.size, 0, 'removed from the pool at once')
      assert.equal(m.idle, 0)
      assert.equal(m.destroyed.broken, 1)
      assert.deepEqual(
        destroyed.map((d) => d.reason),
        ['broken'],
      )
      // The next statement gets a fresh connection, with no error for the caller.
      assert.equal((await db.executeOne<{ n: number }>('select 1::int4 as n'))!.n, 1)
      assert.equal(db.metrics().created, 2)
      await new Promise((resolve) => setImmediate(resolve))
      assert.deepEqual(unexpected, [])
    } finally {
      unsubscribe('covet:pool:create', onCreate)
      unsubscribe('covet:pool:destroy', onDestroy)
      process.off('unhandledRejection', onUnexpected)
      process.off('uncaughtException', onUnexpected)
      await db.close()
    }
  })
})
