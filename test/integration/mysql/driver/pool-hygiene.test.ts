import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MySqlConnection } from '../../../../src/mysql/connection.js'
import { MySqlDriver } from '../../../../src/mysql/driver.js'
import { getMariaDb, MARIADB_PASSWORDS, type MariaDbServer } from '../../../harness/index.js'
import { waitFor } from '../../../support/wait-for.js'

// Issue 16, pool hygiene: what one borrower leaves in its session never reaches the next; a
// connection that died while idle is not handed out; a refused login is not retried.
describe('MySqlDriver pool hygiene', () => {
  let server: MariaDbServer
  let admin: MySqlConnection

  before(async () => {
    server = await getMariaDb()
    admin = await MySqlConnection.connect(server.url)
  })
  after(() => admin?.close())

  it('session variables, temporary tables and named locks are gone on the next borrow', async () => {
    const db = new MySqlDriver(server.url, { poolSize: 1 })
    try {
      const first = await db.reserve()
      const id = Number((await first.execute<{ id: number }>('SELECT CONNECTION_ID() AS id'))[0]!.id)
      await first.execute('SET @drv_my_left = 1')
      await first.execute("SET SESSION sql_mode = 'ANSI_QUOTES'")
      await first.execute('CREATE TEMPORARY TABLE drv_my_tmp (id INT)')
      await first.execute("SELECT GET_LOCK('drv_my_held', 0)")
      first.release()
      // Pool of one: the same session, reset in between.
      const [row] = await db.execute<{ id: number; v: unknown; mode: string; held: unknown }>(
        "SELECT CONNECTION_ID() AS id, @drv_my_left AS v, @@session.sql_mode AS mode, IS_USED_LOCK('drv_my_held') AS held",
      )
      assert.equal(Number(row!.id), id)
      assert.equal(row!.v, null)
      assert.notEqual(row!.mode, 'ANSI_QUOTES')
      assert.equal(row!.held, null)
      await assert.rejects(db.execute('SELECT * FROM drv_my_tmp'), { errno: 1146 })
      // The session set-up runs again after the reset: the time zone is still explicit.
      assert.equal((await db.executeOne<{ tz: string }>('SELECT @@session.time_zone AS tz'))!.tz, '+00:00')
    } finally {
      await db.close()
    }
  })

  it('onConnect runs again after a reset, so its baseline survives', async () => {
    let runs = 0
    const db = new MySqlDriver(server.url, {
      poolSize: 1,
      onConnect: async (session) => {
        runs++
        await session.execute('SET @drv_my_baseline = ?', ['app'])
      },
    })
    try {
      assert.equal((await db.executeOne<{ v: string }>('SELECT @drv_my_baseline AS v'))!.v, 'app')
      assert.equal(runs, 1)
      await db.execute('SET @drv_my_other = 1') // dirty: reset on release
      assert.equal((await db.executeOne<{ v: string }>('SELECT @drv_my_baseline AS v'))!.v, 'app')
      assert.equal(runs, 2)
    } finally {
      await db.close()
    }
  })

  it("onConnect's session cannot be used once the hook has returned", async () => {
    let kept: { execute(sql: string): Promise<unknown> } | undefined
    const db = new MySqlDriver(server.url, {
      poolSize: 1,
      onConnect: (session) => {
        kept = session
      },
    })
    try {
      await db.execute('SELECT 1')
      await assert.rejects(kept!.execute('SELECT 1'), { code: 'ERR_INVALID_ARGUMENT' })
    } finally {
      await db.close()
    }
  })

  it('a transaction left open on a reserved connection is rolled back before reuse', async () => {
    const db = new MySqlDriver(server.url, { poolSize: 1 })
    try {
      await db.execute('CREATE TABLE IF NOT EXISTS drv_my_left (id INT) ENGINE=InnoDB')
      await db.execute('DELETE FROM drv_my_left')
      const conn = await db.reserve()
      await conn.execute('START TRANSACTION', [], { prepare: false })
      await conn.execute('INSERT INTO drv_my_left VALUES (1)')
      conn.release()
      assert.equal(
        Number((await db.executeOne<{ n: number }>('SELECT COUNT(*) AS n FROM drv_my_left'))!.n),
        0,
      )
    } finally {
      await db.close()
    }
  })

  it('a connection KILLed while idle is not handed out; another takes its place', async () => {
    const db = new MySqlDriver(server.url, { poolSize: 1 })
    try {
      const id = Number((await db.executeOne<{ id: number }>('SELECT CONNECTION_ID() AS id'))!.id)
      await admin.query(`KILL CONNECTION ${id}`)
      await waitFor('the killed connection leaves the pool', () => db.metrics().size === 0)
      const next = Number((await db.executeOne<{ id: number }>('SELECT CONNECTION_ID() AS id'))!.id)
      assert.notEqual(next, id)
      assert.ok(db.metrics().destroyed.broken >= 1)
    } finally {
      await db.close()
    }
  })

  it('a connection that idled is pinged (COM_PING) before it is lent again', async () => {
    const db = new MySqlDriver(server.url, { poolSize: 1, pool: { validateAfterIdleMs: 0 } })
    // COM_PING counts as an admin command; SHOW (text protocol) does not change the session.
    const pings = async () => {
      const [row] = await db.execute<{ Value: string }>("SHOW SESSION STATUS LIKE 'Com_admin_commands'", [], {
        prepare: false,
      })
      return Number(row!.Value)
    }
    try {
      const first = await pings()
      await waitFor('a ping before a borrow', async () => (await pings()) > first)
      assert.equal(db.metrics().created, 1)
    } finally {
      await db.close()
    }
  })

  it('a session the server ended after wait_timeout leaves the pool; a new one replaces it', async () => {
    const db = new MySqlDriver(server.url, {
      poolSize: 1,
      onConnect: (session) => session.execute('SET SESSION wait_timeout = 1'),
    })
    try {
      const id = Number((await db.executeOne<{ id: number }>('SELECT CONNECTION_ID() AS id'))!.id)
      await waitFor('the server ends the idle session', () => db.metrics().size === 0, {
        tries: 300,
        intervalMs: 50,
      })
      const next = Number((await db.executeOne<{ id: number }>('SELECT CONNECTION_ID() AS id'))!.id)
      assert.notEqual(next, id)
    } finally {
      await db.close()
    }
  })

  it('a wrong password fails at once with ERR_AUTH, without a burst of retries', async () => {
    const url = new URL(server.urls.native)
    url.password = `${MARIADB_PASSWORDS.native}-wrong`
    const db = new MySqlDriver(url.href, { poolSize: 2 })
    try {
      await assert.rejects(db.execute('SELECT 1'), { code: 'ERR_AUTH' })
      await assert.rejects(db.verifyConnection(), { code: 'ERR_AUTH' })
      const m = db.metrics()
      assert.equal(m.createErrors, 1)
      assert.equal(m.breaker.state, 'closed')
    } finally {
      await db.close()
    }
  })
})
