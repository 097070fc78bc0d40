import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PostgresDriver } from '../../../../src/postgres/driver.js'
import { getPostgres } from '../../../harness/index.js'

// The connections' statements on covet/cache's PreparedStatementCache: L1 per connection, L2 shared.
describe('PostgresDriver statement cache (L1/L2)', () => {
  let db: PostgresDriver
  before(async () => {
    db = new PostgresDriver((await getPostgres()).urls.trust, { poolSize: 2, pipelineDepth: 1 })
    await db.execute('drop table if exists drv_sc')
    await db.execute('create table drv_sc (a int)')
    await db.execute('insert into drv_sc values (1)')
  })
  after(() => db?.close())

  it('a second connection prepares from L2 without a Describe, and metrics show both levels', async () => {
    const r1 = await db.reserve()
    const r2 = await db.reserve()
    assert.notEqual(r1.connection.processId, r2.connection.processId)
    await r1.execute('select $1::int4 + 1 as n', [1])
    const before = db.metrics().statementCache
    assert.deepEqual([...(await r2.execute('select $1::int4 + 1 as n', [2]))], [{ n: 3 }])
    assert.deepEqual([...(await r2.execute('select $1::int4 + 1 as n', [3]))], [{ n: 4 }])
    r1.release()
    r2.release()
    const m = db.metrics().statementCache
    assert.equal(m.l2.hits, before.l2.hits + 1, 'r2 found the statement in L2')
    assert.ok(m.l1.hits > before.l1.hits, 'the repeat hit r2s L1')
    assert.ok(m.l1.hitRatio > 0 && m.l1.hitRatio < 1)
    assert.ok(m.size >= 2)
  })

  it('a bad parameter on the L2 path caches nothing, so a later use in a transaction works', async () => {
    const r1 = await db.reserve()
    const r2 = await db.reserve()
    const sql = 'select $1::int4 * 2 as n'
    await r1.execute(sql, [1])
    await r2.transaction(async (tx) => {
      // A native value that cannot be an int4 fails before anything is sent (a string would go to
      // the server, whose error would abort the transaction).
      await assert.rejects(tx.execute(sql, [1.5]), { code: 'ERR_TYPE_ENCODE' })
      assert.deepEqual([...(await tx.execute(sql, [21]))], [{ n: 42 }])
    })
    r1.release()
    r2.release()
  })

  it('DDL after another connection described a SELECT: the L2 copy is checked, invalidated and re-run', async () => {
    const r1 = await db.reserve()
    const r2 = await db.reserve()
    await r1.execute('select * from drv_sc')
    await r1.execute('alter table drv_sc add column b text default $$x$$')
    assert.deepEqual([...(await r2.execute('select * from drv_sc'))], [{ a: 1, b: 'x' }])
    // The describing connection's own L1 copy fails with 0A000 and is retried transparently.
    assert.deepEqual([...(await r1.execute('select * from drv_sc'))], [{ a: 1, b: 'x' }])
    r1.release()
    r2.release()
  })

  it('a write whose RETURNING columns changed: re-run only if the server refused it', async () => {
    const r1 = await db.reserve()
    const r2 = await db.reserve()
    const count = async (a: number) =>
      (await r2.executeOne<{ n: number }>('select count(*)::int4 as n from drv_sc where a = $1', [a]))!.n
    // More columns: Bind's result formats no longer fit, the server refuses, nothing ran: retried.
    const sql = 'insert into drv_sc (a) values ($1) returning *'
    await r1.execute(sql, [2])
    await r1.execute('alter table drv_sc add column c int default 0')
    assert.equal((await r2.execute(sql, [3])).length, 1)
    assert.equal(await count(3), 1)
    // Same columns, another type: the INSERT ran; it is not re-run, and the error says so.
    const typed = 'insert into drv_sc (a) values ($1) returning a'
    await r1.execute(typed, [5])
    await r1.execute('alter table drv_sc alter column a type int8')
    await assert.rejects(r2.execute(typed, [6]), {
      code: 'ERR_TYPE_DECODE',
      message: /it ran \(INSERT 0 1\)/,
    })
    assert.equal(await count(6), 1)
    // Next time the text is described afresh.
    assert.deepEqual([...(await r2.execute(typed, [7]))], [{ a: 7n }])
    r1.release()
    r2.release()
  })
})
