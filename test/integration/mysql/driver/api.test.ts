import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { connect } from '../../../../src/index.js'
import { MySqlDriver } from '../../../../src/mysql/driver.js'
import { QueryBuilder } from '../../../../src/query/builder.js'
import { getMariaDb, type MariaDbServer } from '../../../harness/index.js'
import { waitFor } from '../../../support/wait-for.js'

// MySqlDriver's everyday API on the harness MariaDB (issue 16).
describe('MySqlDriver API', () => {
  let server: MariaDbServer
  let db: MySqlDriver
  const ids = async () =>
    (await db.execute<{ id: number }>('SELECT id FROM drv_my_api ORDER BY id')).map((r) => r.id)

  before(async () => {
    server = await getMariaDb()
    db = new MySqlDriver(server.url, { poolSize: 3 })
    await db.execute('CREATE TABLE IF NOT EXISTS drv_my_api (id INT PRIMARY KEY, name VARCHAR(40))')
  })
  beforeEach(() => db.execute('DELETE FROM drv_my_api'))
  after(() => db?.close())

  it('execute and executeOne with ? parameters; server errors keep their errno and symbol', async () => {
    const r = await db.execute('INSERT INTO drv_my_api (id, name) VALUES (?, ?), (?, ?)', [1, 'a', 2, 'b'])
    assert.equal(r.affectedRows, 2)
    const rows = await db.execute<{ id: number; name: string }>('SELECT id, name FROM drv_my_api ORDER BY id')
    assert.deepEqual(
      [...rows],
      [
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ],
    )
    assert.equal(rows.fields.length, 2)
    const one = await db.executeOne<{ name: string }>('SELECT name FROM drv_my_api WHERE id = ?', [2])
    assert.equal(one?.name, 'b')
    assert.equal(await db.executeOne('SELECT name FROM drv_my_api WHERE id = ?', [99]), null)
    await assert.rejects(db.execute('SELECT * FROM drv_my_no_such_table'), {
      errno: 1146,
      code: 'ER_NO_SUCH_TABLE',
    })
    await assert.rejects(db.execute('SELECT ?', 'x' as never), { code: 'ERR_INVALID_ARGUMENT' })
    // The text protocol, for what the server cannot prepare; it takes no parameters.
    assert.equal((await db.execute('SELECT 7 AS n', [], { prepare: false }))[0]!.n, 7)
    await assert.rejects(db.execute('SELECT ?', [1], { prepare: false }), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('the sql tag binds values, quotes identifiers with backticks and expands IN lists', async () => {
    const evil = "x'); DROP TABLE drv_my_api; --"
    await db.sql`INSERT INTO drv_my_api VALUES (${1}, ${evil}), (${2}, ${'b'}), (${3}, ${'c'})`
    const rows =
      await db.sql`SELECT id, name FROM ${db.sql.id('covet', 'drv_my_api')} WHERE id IN ${db.sql.in([1, 3])} ORDER BY id`
    assert.deepEqual(
      rows.map((r) => r.name),
      [evil, 'c'],
    )
    assert.equal((await db.sql`SELECT id FROM drv_my_api WHERE id IN ${db.sql.in([])}`).length, 0)
    const odd = 'drv_my_odd`name'
    await db.sql`DROP TABLE IF EXISTS ${db.sql.id(odd)}`
    await db.sql`CREATE TABLE ${db.sql.id(odd)} (${db.sql.id('we`ird col')} INT)`
    await db.sql`INSERT INTO ${db.sql.id(odd)} VALUES (${42})`
    const [row] = await db.sql`SELECT ${db.sql.id('we`ird col')} AS v FROM ${db.sql.id(odd)}`
    assert.equal(row!.v, 42)
    const where = db.sql.fragment`id = ${2}`
    assert.equal(
      (await db.executeOne<{ name: string }>(db.sql`SELECT name FROM drv_my_api WHERE ${where}`))?.name,
      'b',
    )
    await db.sql`DROP TABLE ${db.sql.id(odd)}`
  })

  it('runs a covet/query builder compiled for MySQL or MariaDB, refuses one for PostgreSQL', async () => {
    await db.execute("INSERT INTO drv_my_api VALUES (1, 'a'), (2, 'b')")
    const b = new QueryBuilder('mariadb').select('id', 'name').from('drv_my_api').where('id', '=', 2)
    assert.deepEqual([...(await db.execute(b))], [{ id: 2, name: 'b' }])
    const pg = new QueryBuilder('postgresql').select('id').from('drv_my_api')
    await assert.rejects(db.execute(pg), { code: 'ERR_INVALID_ARGUMENT', message: /not MySQL/ })
  })

  it('streams through a server-side cursor and gives the connection back, also after break', async () => {
    await db.execute('INSERT INTO drv_my_api SELECT seq, CONCAT(?, seq) FROM seq_1_to_2500', ['n'])
    let n = 0
    for await (const row of db.stream<{ id: number }>('SELECT id FROM drv_my_api ORDER BY id', [], {
      batchSize: 100,
    })) {
      n++
      assert.equal(row.id, n)
    }
    assert.equal(n, 2500)
    for await (const _ of db.stream('SELECT id FROM drv_my_api')) break
    await waitFor('stream connections back in the pool', () => db.metrics().inUse === 0)
    assert.deepEqual((await ids()).length, 2500)
  })

  it('reserve(): one connection for session work until release()', async () => {
    const conn = await db.reserve()
    await conn.execute('SET @drv_my_marker = ?', [5])
    const [row] = await conn.execute<{ v: number }>('SELECT @drv_my_marker AS v')
    assert.equal(Number(row!.v), 5)
    await conn.transaction(async (tx) => {
      await tx.execute("INSERT INTO drv_my_api VALUES (1, 'r')")
    })
    conn.release()
    conn.release()
    await assert.rejects(conn.execute('SELECT 1'), { code: 'ERR_INVALID_ARGUMENT', message: /released/ })
    assert.deepEqual(await ids(), [1])
  })

  it('metrics(): pool, queries, failures by code, transactions, statement cache, bytes', async () => {
    await db.execute('SELECT 1')
    await db.execute('SELECT 1')
    await assert.rejects(db.execute('SELEKT 1'))
    const m = db.metrics()
    assert.ok(m.queries.total >= 3)
    assert.ok((m.queries.byCode.ERR_DATABASE ?? 0) >= 1)
    assert.ok((m.queries.bySqlStateClass['42'] ?? 0) >= 1)
    assert.ok(m.statementCache.l1.hits >= 1)
    assert.ok(m.bytes.in > 0 && m.bytes.out > 0)
    assert.ok(m.size >= 1 && m.created >= 1)
  })

  it('close() drains in-flight work, refuses new work with ERR_POOL_CLOSED before it runs', async () => {
    const own = new MySqlDriver(server.url, { poolSize: 2 })
    const gate = await db.reserve()
    try {
      await gate.execute("SELECT GET_LOCK('drv_my_gate', 10)")
      const inFlight = own.executeOne<{ v: number }>("SELECT GET_LOCK('drv_my_gate', 30) AS v")
      await waitFor('the statement in flight', () => own.metrics().inUse === 1)
      const closing = own.close({ timeoutMs: 60_000 })
      const refused = await Promise.allSettled([
        own.execute("INSERT INTO drv_my_api VALUES (1, 'x')"),
        own.sql`INSERT INTO drv_my_api VALUES (${2}, 'x')`,
        own.transaction([["INSERT INTO drv_my_api VALUES (3, 'x')"]]),
        own.transaction(async (tx) => tx.execute("INSERT INTO drv_my_api VALUES (4, 'x')")),
        own.reserve(),
        (async () => {
          for await (const _ of own.stream('SELECT 1')) return
        })(),
      ])
      for (const r of refused) {
        assert.equal(r.status, 'rejected')
        assert.equal((r as PromiseRejectedResult).reason.code, 'ERR_POOL_CLOSED')
      }
      await gate.execute("SELECT RELEASE_LOCK('drv_my_gate')")
      assert.equal(Number((await inFlight)!.v), 1)
      await closing
      assert.deepEqual(await ids(), [])
    } finally {
      gate.release()
      await own.close()
    }
  })

  it("connect('mysql://' | 'mariadb://') opens a checked MySqlDriver", async () => {
    for (const url of [server.url, server.url.replace(/^mysql:/, 'mariadb:')]) {
      const d = await connect(url, { poolSize: 1 })
      assert.ok(d instanceof MySqlDriver)
      assert.equal((await d.executeOne<{ n: number }>('SELECT 1 AS n'))!.n, 1)
      await d.close()
    }
    const wrong = new URL(server.url)
    wrong.pathname = '/drv_my_no_such_db'
    await assert.rejects(connect(wrong.href), { errno: 1049 })
  })
})
