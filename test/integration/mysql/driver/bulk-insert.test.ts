import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { DatabaseError } from '../../../../src/errors/database-error.js'
import { MySqlDriver } from '../../../../src/mysql/driver.js'
import { getMariaDb } from '../../../harness/index.js'

// MySqlDriver.bulkInsert (issue 16): MySqlConnection.bulkInsert on a pooled connection, counted in
// metrics().bulk; a failure inserts nothing and leaves the pool usable; inside a transaction it is
// part of that transaction.
describe('MySqlDriver bulkInsert', () => {
  let db: MySqlDriver
  const count = async () =>
    Number((await db.executeOne<{ n: bigint }>('SELECT COUNT(*) AS n FROM drv_my_bulk'))!.n)

  before(async () => {
    db = new MySqlDriver((await getMariaDb()).url, { poolSize: 2 })
    await db.execute(
      'CREATE TABLE IF NOT EXISTS drv_my_bulk (id INT PRIMARY KEY, name VARCHAR(40), big BIGINT, at DATETIME(6)) ENGINE=InnoDB CHARACTER SET utf8mb4',
    )
  })
  beforeEach(() => db.execute('DELETE FROM drv_my_bulk'))
  after(() => db?.close())

  it('inserts 50,000 rows and reads them back; metrics count the call and its rows', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z')
    const rows = Array.from({ length: 50_000 }, (_, i) => [i + 1, `name ${i} ✓`, 2n ** 60n + BigInt(i), at])
    const before = db.metrics().bulk
    assert.equal(await db.bulkInsert('drv_my_bulk', ['id', 'name', 'big', 'at'], rows), 50_000)
    assert.equal(await count(), 50_000)
    const row = await db.executeOne<{ name: string; big: bigint }>(
      'SELECT name, big FROM drv_my_bulk WHERE id = ?',
      [40_000],
    )
    assert.deepEqual(row, { name: 'name 39999 ✓', big: 2n ** 60n + 39_999n })
    const metrics = db.metrics().bulk
    assert.equal(metrics.operations - before.operations, 1)
    assert.equal(metrics.rowsIn - before.rowsIn, 50_000)
  })

  it('a duplicate key late in the rows inserts nothing, and the pool goes on', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ id: i === 19_999 ? 1 : i + 1, name: 'x' }))
    await assert.rejects(db.bulkInsert('drv_my_bulk', ['id', 'name'], rows), (error: unknown) => {
      assert.ok(error instanceof DatabaseError)
      assert.equal(error.code, 'ER_DUP_ENTRY')
      return true
    })
    assert.equal(await count(), 0)
    const live = db.metrics()
    assert.equal(await db.bulkInsert('drv_my_bulk', ['id'], [[1], [2]]), 2)
    assert.equal(await count(), 2)
    assert.equal(db.metrics().destroyed.broken, live.destroyed.broken)
  })

  it('inside a transaction, it is rolled back with the transaction', async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.execute("INSERT INTO drv_my_bulk (id, name) VALUES (100, 'before')")
        assert.equal(await tx.bulkInsert('drv_my_bulk', ['id'], [[101], [102]]), 2)
        throw new Error('changed my mind')
      }),
      /changed my mind/,
    )
    assert.equal(await count(), 0)
    await db.transaction(async (tx) => {
      await tx.bulkInsert('drv_my_bulk', ['id'], [[1], [2], [3]])
    })
    assert.equal(await count(), 3)
  })

  it('refuses a row of the wrong length before anything is sent', async () => {
    await assert.rejects(db.bulkInsert('drv_my_bulk', ['id', 'name'], [[1, 'a'], [2]]), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    assert.equal(await count(), 0)
  })
})
