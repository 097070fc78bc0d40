import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { MySqlDriver } from '../../../../src/mysql/driver.js'
import { getMariaDb } from '../../../harness/index.js'
import { barrier } from '../../../support/wait-for.js'

// MySqlDriver transactions (issue 16): both forms, savepoints, retry on a real deadlock.
describe('MySqlDriver transaction', () => {
  let db: MySqlDriver
  const ids = async () =>
    (await db.execute<{ id: number }>('SELECT id FROM drv_my_tx ORDER BY id')).map((r) => r.id)

  before(async () => {
    db = new MySqlDriver((await getMariaDb()).url, { poolSize: 3 })
    await db.execute('CREATE TABLE IF NOT EXISTS drv_my_tx (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB')
  })
  beforeEach(() => db.execute('DELETE FROM drv_my_tx'))
  after(() => db?.close())

  it('commits what the callback did and returns its value', async () => {
    const value = await db.transaction(async (tx) => {
      await tx.execute('INSERT INTO drv_my_tx VALUES (?, ?)', [1, 'a'])
      await tx.sql`INSERT INTO drv_my_tx VALUES (${2}, ${'b'})`
      return 'done'
    })
    assert.equal(value, 'done')
    assert.deepEqual(await ids(), [1, 2])
    assert.ok(db.metrics().transactions.committed >= 1)
  })

  it('rolls back when the callback throws, and tx cannot be used afterwards', async () => {
    let leaked: { execute(sql: string): Promise<unknown> } | undefined
    await assert.rejects(
      db.transaction(async (tx) => {
        leaked = tx
        await tx.execute("INSERT INTO drv_my_tx VALUES (1, 'a')")
        throw new Error('boom')
      }),
      /boom/,
    )
    assert.deepEqual(await ids(), [])
    await assert.rejects(leaked!.execute('SELECT 1'), { code: 'ERR_INVALID_ARGUMENT' })
    assert.ok(db.metrics().transactions.rolledBack >= 1)
  })

  it('nested transactions are savepoints: an inner failure undoes only the inner work', async () => {
    await db.transaction(async (tx) => {
      await tx.execute("INSERT INTO drv_my_tx VALUES (1, 'outer')")
      await assert.rejects(
        tx.transaction(async (inner) => {
          await inner.execute("INSERT INTO drv_my_tx VALUES (2, 'inner')")
          throw new Error('inner fails')
        }),
        /inner fails/,
      )
      await tx.transaction(async (inner) => {
        await inner.execute("INSERT INTO drv_my_tx VALUES (3, 'inner ok')")
        await inner.transaction((deeper) => deeper.execute("INSERT INTO drv_my_tx VALUES (4, 'deeper')"))
      })
    })
    assert.deepEqual(await ids(), [1, 3, 4])
  })

  it('isolation and read only are set for that transaction only', async () => {
    await db.execute("INSERT INTO drv_my_tx VALUES (1, 'v')")
    const conn = await db.reserve()
    try {
      // Whether a change another connection commits mid-transaction is seen: READ COMMITTED sees
      // it, REPEATABLE READ (InnoDB's default) keeps the snapshot of its first read.
      const seesCommit = (options: { isolation?: 'read committed' }) =>
        conn.transaction(async (tx) => {
          const read = async () =>
            (await tx.executeOne<{ v: string }>('SELECT v FROM drv_my_tx WHERE id = 1'))!.v
          const before = await read()
          await db.execute("UPDATE drv_my_tx SET v = CONCAT(v, '+') WHERE id = 1")
          return (await read()) !== before
        }, options)
      assert.equal(await seesCommit({ isolation: 'read committed' }), true)
      assert.equal(await seesCommit({}), false)
      await conn.transaction(
        async (tx) => {
          await assert.rejects(tx.execute("INSERT INTO drv_my_tx VALUES (2, 'ro')"), { errno: 1792 })
        },
        { readOnly: true },
      )
    } finally {
      conn.release()
    }
    assert.deepEqual(await ids(), [1])
    await assert.rejects(
      db.transaction(async () => {}, { isolation: 'snapshot' as never }),
      {
        code: 'ERR_INVALID_ARGUMENT',
      },
    )
  })

  it('the atomic batch: all or nothing when a statement in the middle fails', async () => {
    const results = await db.transaction([
      ['INSERT INTO drv_my_tx VALUES (?, ?)', [1, 'a']],
      ["INSERT INTO drv_my_tx VALUES (2, 'b')"],
      db.sql`UPDATE drv_my_tx SET v = ${'c'} WHERE id = ${1}`,
    ])
    assert.equal(results.length, 3)
    assert.equal(results[2]!.affectedRows, 1)
    await assert.rejects(
      db.transaction([
        ["INSERT INTO drv_my_tx VALUES (3, 'c')"],
        ["INSERT INTO drv_my_tx VALUES (1, 'duplicate')"],
        ["INSERT INTO drv_my_tx VALUES (4, 'd')"],
      ]),
      { errno: 1062, code: 'ER_DUP_ENTRY' },
    )
    assert.deepEqual(await ids(), [1, 2])
  })

  it('a real deadlock (1213) re-runs the losing transaction with retry', async () => {
    await db.execute("INSERT INTO drv_my_tx VALUES (1, '0'), (2, '0')")
    const bothLocked = barrier(2)
    let attempts = 0
    // Each locks one row, waits until the other holds its row, then wants the other's row.
    const cross = (first: number, second: number) => {
      let waited = false
      return db.transaction(
        async (tx) => {
          attempts++
          await tx.execute('UPDATE drv_my_tx SET v = v + 1 WHERE id = ?', [first])
          if (!waited) {
            waited = true
            await bothLocked()
          }
          await tx.execute('UPDATE drv_my_tx SET v = v + 1 WHERE id = ?', [second])
        },
        { retry: { maxAttempts: 5, baseDelayMs: 5 } },
      )
    }
    const before = db.metrics().transactions.retried
    await Promise.all([cross(1, 2), cross(2, 1)])
    const rows = await db.execute<{ v: string }>('SELECT v FROM drv_my_tx ORDER BY id')
    assert.deepEqual(
      rows.map((r) => r.v),
      ['2', '2'],
    )
    assert.ok(attempts >= 3, `the deadlock forced a retry (${attempts} attempts)`)
    assert.ok(db.metrics().transactions.retried > before)
  })

  it('without retry the deadlock reaches the caller, and the rest of that transaction is gone', async () => {
    await db.execute("INSERT INTO drv_my_tx VALUES (1, '0'), (2, '0')")
    const bothLocked = barrier(2)
    const cross = (first: number, second: number) =>
      db.transaction(async (tx) => {
        await tx.execute("UPDATE drv_my_tx SET v = 'x' WHERE id = ?", [first])
        await bothLocked()
        await tx.execute("UPDATE drv_my_tx SET v = 'y' WHERE id = ?", [second])
      })
    const results = await Promise.allSettled([cross(1, 2), cross(2, 1)])
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]
    assert.equal(failed.length, 1)
    assert.equal(failed[0]!.reason.errno, 1213)
    // The winner's two updates, none of the victim's.
    const rows = await db.execute<{ v: string }>('SELECT v FROM drv_my_tx ORDER BY id')
    assert.deepEqual(rows.map((r) => r.v).sort(), ['x', 'y'])
  })

  it('a callback that swallows a deadlock cannot commit what ran after it', async () => {
    await db.execute("INSERT INTO drv_my_tx VALUES (1, '0'), (2, '0')")
    const bothLocked = barrier(2)
    let swallowed = false
    const cross = (first: number, second: number) =>
      db.transaction(async (tx) => {
        await tx.execute("UPDATE drv_my_tx SET v = 'x' WHERE id = ?", [first])
        await bothLocked()
        try {
          await tx.execute("UPDATE drv_my_tx SET v = 'y' WHERE id = ?", [second])
        } catch {
          swallowed = true
        }
      })
    const results = await Promise.allSettled([cross(1, 2), cross(2, 1)])
    assert.ok(swallowed)
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]
    assert.equal(failed.length, 1)
    assert.equal(failed[0]!.reason.sqlState, '25000')
  })
})
