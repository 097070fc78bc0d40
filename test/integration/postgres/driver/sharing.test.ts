import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PostgresDriver } from '../../../../src/postgres/driver.js'
import { getPostgres, type PgServer } from '../../../harness/index.js'

/**
 * Issue 14: connection sharing by an SQL prefix regex pipelined `select 1; begin`,
 * `select set_config(..)` and `select pg_advisory_lock(..)` with other callers' statements.
 * Each test runs the hostile statement in the same tick as other callers, which is when the
 * driver pipelines statements on one connection.
 */
describe('PostgresDriver connection sharing', { timeout: 60_000 }, () => {
  let pg: PgServer
  let admin: PostgresDriver
  before(async () => {
    pg = await getPostgres()
    admin = new PostgresDriver(pg.urls.trust, { poolSize: 2 })
    await admin.execute('create table if not exists drv_share (id int)')
  })
  after(() => admin?.close())

  /**
   * Starts 4 calls of `select count(*) from drv_share` — a statement the scanner would share —
   * while the test holds an ACCESS EXCLUSIVE lock on the table, so none can finish before the
   * others have started: the number of backends waiting on the lock is the number of connections
   * the driver gave them. (Counting created connections instead depends on timing: a quick
   * statement frees its connection for the next caller.)
   */
  async function backendsUsed(db: PostgresDriver, options?: { shareable: boolean }): Promise<number> {
    const holder = await admin.reserve()
    await holder.execute('begin')
    await holder.execute('lock table drv_share in access exclusive mode')
    const calls = Array.from({ length: 4 }, () => db.execute('select count(*) from drv_share', [], options))
    try {
      let waiting = 0
      for (let poll = 0; poll < 200 && waiting < 4; poll++) {
        if (poll > 0) await new Promise((resolve) => setTimeout(resolve, 25))
        const row = await admin.executeOne<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query = 'select count(*) from drv_share'",
        )
        waiting = row!.n
      }
      return waiting
    } finally {
      await holder.execute('rollback')
      holder.release()
      await Promise.all(calls)
    }
  }

  it('`select 1; begin` does not pull other callers into its transaction (their rows stay)', async () => {
    await admin.execute('truncate drv_share')
    const db = new PostgresDriver(pg.urls.trust, { poolSize: 1 })
    const results = await Promise.allSettled([
      db.execute('select 1; begin'),
      ...[1, 2, 3, 4].map((id) => db.execute('insert into drv_share values ($1)', [id])),
    ])
    const inserted = results.slice(1).filter((r) => r.status === 'fulfilled').length
    assert.equal(inserted, 4)
    const n = (await admin.executeOne<{ n: number }>('select count(*)::int4 as n from drv_share'))!.n
    assert.equal(n, inserted, 'every insert reported as done is in the table')
    await db.close()
  })

  it('`select set_config(..)` does not change the setting under other callers', async () => {
    const db = new PostgresDriver(pg.urls.trust, { poolSize: 1, applicationName: 'covet-share' })
    // pg_settings is a plain view: the scanner shares this statement.
    const read = () =>
      db.executeOne<{ app: string }>("select setting as app from pg_settings where name = 'application_name'")
    const [, ...apps] = await Promise.all([
      db.execute("select set_config('application_name', 'hijacked', false)"),
      read(),
      read(),
      read(),
    ])
    assert.deepEqual(
      apps.map((r) => r!.app),
      ['covet-share', 'covet-share', 'covet-share'],
    )
    // The connection was reset before reuse.
    assert.equal((await read())!.app, 'covet-share')
    await db.close()
  })

  it('`select pg_advisory_lock(..)` waiting for a lock does not stall the statements of other callers', async () => {
    const holder = await admin.reserve()
    await holder.execute('select pg_advisory_lock(4242)')
    const db = new PostgresDriver(pg.urls.trust, { poolSize: 2 })
    const lock = db.execute('select pg_advisory_lock(4242)')
    const readers = [1, 2, 3].map((n) => db.executeOne<{ n: number }>('select $1::int4 as n', [n]))
    try {
      // Before the fix these waited behind the lock, on the same connection, for ever.
      assert.deepEqual(
        (await Promise.all(readers)).map((r) => r!.n),
        [1, 2, 3],
      )
    } finally {
      await holder.execute('select pg_advisory_unlock(4242)')
      holder.release()
    }
    await lock
    await db.close()
  })

  it('a plain SELECT is still shared (the fast path): 8 callers at once use one connection', async () => {
    const db = new PostgresDriver(pg.urls.trust, { poolSize: 4 })
    await Promise.all(Array.from({ length: 8 }, (_, i) => db.execute('select $1::int4 as n', [i])))
    assert.equal(db.metrics().created, 1)
    await db.close()
  })

  it('{ shareable } per call and sharing: "opt-in" per driver', async () => {
    const opted = new PostgresDriver(pg.urls.trust, { poolSize: 4 })
    // A statement the scanner cannot vet (a call it does not know), vouched for by the caller.
    const calls = Array.from({ length: 4 }, () =>
      opted.execute("select pg_catalog.quote_ident('x') as q", [], { shareable: true }),
    )
    await Promise.all(calls)
    assert.equal(opted.metrics().created, 1, 'shared on one connection')
    await opted.close()

    const refused = new PostgresDriver(pg.urls.trust, { poolSize: 4 })
    try {
      assert.equal(await backendsUsed(refused, { shareable: false }), 4, 'each call on its own connection')
    } finally {
      await refused.close()
    }

    const optIn = new PostgresDriver(pg.urls.trust, { poolSize: 4, sharing: 'opt-in' })
    try {
      assert.equal(await backendsUsed(optIn), 4, 'nothing shared unless asked')
      await Promise.all(Array.from({ length: 4 }, () => optIn.execute('select 1', [], { shareable: true })))
    } finally {
      await optIn.close()
    }

    assert.throws(() => new PostgresDriver(pg.urls.trust, { sharing: 'always' as never }), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    await assert.rejects(admin.execute('select 1', [], { shareable: 'yes' as never }), {
      code: 'ERR_INVALID_ARGUMENT',
    })
  })
})
