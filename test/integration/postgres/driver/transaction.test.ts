import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { PostgresDriver } from '../../../../src/postgres/driver.js'
import { getPostgres } from '../../../harness/index.js'
import { barrier } from '../../../support/wait-for.js'

// PostgresDriver transactions (issue 5): both forms, savepoints, retry, rollback guarantees.
describe('PostgresDriver transaction', () => {
  let db: PostgresDriver
  const count = async () => (await db.executeOne<{ n: number }>('select count(*)::int4 as n from drv_tx'))!.n
  before(async () => {
    db = new PostgresDriver((await getPostgres()).urls.trust, { poolSize: 3 })
    await db.execute('create table if not exists drv_tx (id int primary key, v text)')
  })
  beforeEach(() => db.execute('truncate drv_tx'))
  after(() => db?.close())

  it('commits what the callback did and returns its value', async () => {
    const value = await db.transaction(async (tx) => {
      await tx.execute('insert into drv_tx values ($1, $2)', [1, 'a'])
      await tx.sql`insert into drv_tx values (${2}, ${'b'})`
      return 'done'
    })
    assert.equal(value, 'done')
    assert.equal(await count(), 2)
    assert.ok(db.metrics().transactions.committed >= 1)
  })

  it('rolls back when the callback throws, and the tx cannot be used afterwards', async () => {
    let leaked: { execute(sql: string): Promise<unknown> } | undefined
    await assert.rejects(
      db.transaction(async (tx) => {
        leaked = tx
        await tx.execute('insert into drv_tx values (1, $1)', ['a'])
        throw new Error('boom')
      }),
      { message: 'boom' },
    )
    assert.equal(await count(), 0)
    await assert.rejects(leaked!.execute('select 1'), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('a statement error caught inside the callback still rolls back at COMMIT', async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.execute('insert into drv_tx values (1, $1)', ['a'])
        await tx.execute('select 1 / 0').catch(() => {})
      }),
      { code: '25P02', sqlState: '25P02' },
    )
    assert.equal(await count(), 0)
  })

  it('batch: a failing third statement leaves no row of the first two', async () => {
    await assert.rejects(
      db.transaction([
        ['insert into drv_tx values ($1, $2)', [1, 'a']],
        ['insert into drv_tx values ($1, $2)', [2, 'b']],
        ['insert into drv_tx values ($1, $2)', [1, 'duplicate']],
        ['insert into drv_tx values ($1, $2)', [3, 'c']],
      ]),
      { code: '23505', sqlState: '23505' },
    )
    assert.equal(await count(), 0)
    const ok = await db.transaction([
      ['insert into drv_tx values ($1, $2)', [1, 'a']],
      'select count(*)::int4 as n from drv_tx',
    ])
    assert.equal(ok.length, 2)
    assert.deepEqual([...ok[1]!], [{ n: 1 }])
  })

  it('tx.stream fetches through a cursor: statements run between batches, break closes it', async () => {
    await db
      .transaction(async (tx) => {
        let n = 0
        for await (const row of tx.stream<{ i: number }>(
          'select i from generate_series(1, $1::int4) i',
          [2500],
          {
            batchSize: 100,
          },
        )) {
          n++
          assert.equal(row.i, n)
          // With socket flow control this would wait behind the paused stream for ever.
          if (n % 500 === 0) await tx.execute('insert into drv_tx values ($1, $2)', [n, 'x'])
        }
        assert.equal(n, 2500)
        for await (const _ of tx.stream('select i from generate_series(1, 100000) i', [], { batchSize: 10 }))
          break
        assert.equal(
          (await tx.executeOne<{ n: number }>(
            'select count(*)::int4 as n from pg_cursors where name like $$covet_cursor%$$',
          ))!.n,
          0,
        )
        await assert.rejects(
          (async () => {
            for await (const _ of tx.stream('select 1 / (i - 50) from generate_series(1, 100) i', [], {
              batchSize: 10,
            })) {
              // consume
            }
          })(),
          { sqlState: '22012' },
        )
      })
      .catch((error: { sqlState?: string }) => {
        // The division by zero failed the transaction: COMMIT answers ROLLBACK (25P02).
        assert.equal(error.sqlState, '25P02', String((error as Error).stack))
      })
    assert.equal(await count(), 0, 'the failed transaction kept nothing')
    await db.transaction(async (tx) => {
      for await (const row of tx.stream<{ i: number }>('select i from generate_series(1, 3) i', [], {
        batchSize: 2,
      })) {
        await tx.execute('insert into drv_tx values ($1, $2)', [row.i, 'kept'])
      }
    })
    assert.equal(await count(), 3)
  })

  it('nested transactions use savepoints', async () => {
    await db.transaction(async (tx) => {
      await tx.execute("insert into drv_tx values (1, 'outer')")
      await assert.rejects(
        tx.transaction(async (inner) => {
          await inner.execute("insert into drv_tx values (2, 'inner')")
          throw new Error('inner fails')
        }),
        { message: 'inner fails' },
      )
      await tx.transaction(async (inner) => {
        await inner.execute("insert into drv_tx values (3, 'kept')")
      })
    })
    const rows = await db.execute<{ id: number }>('select id from drv_tx order by id')
    assert.deepEqual(
      rows.map((r) => r.id),
      [1, 3],
    )
  })

  it('isolation, read only and deferrable reach the server', async () => {
    const seen = await db.transaction(
      async (tx) =>
        (await tx.executeOne<{ i: string }>("select current_setting('transaction_isolation') as i"))!.i,
      { isolation: 'serializable', readOnly: true, deferrable: true },
    )
    assert.equal(seen, 'serializable')
    await assert.rejects(
      db.transaction((tx) => tx.execute("insert into drv_tx values (9, 'x')"), { readOnly: true }),
      { sqlState: '25006' },
    )
    await assert.rejects(
      db.transaction(async () => {}, { isolation: 'chaos' as never }),
      {
        code: 'ERR_INVALID_ARGUMENT',
      },
    )
  })

  it('retry re-runs the callback on serialization failures', async () => {
    await db.execute("insert into drv_tx values (1, '0')")
    let attempts = 0
    // All three first attempts read before any writes (pool of 3), so two of them must conflict.
    const allRead = barrier(3)
    const increment = () => {
      let first = true
      return db.transaction(
        async (tx) => {
          attempts++
          const row = await tx.executeOne<{ v: string }>('select v from drv_tx where id = 1')
          if (first) await allRead()
          first = false
          await tx.execute('update drv_tx set v = $1 where id = 1', [String(Number(row!.v) + 1)])
        },
        { isolation: 'serializable', retry: { maxAttempts: 20, baseDelayMs: 5 } },
      )
    }
    await Promise.all([increment(), increment(), increment()])
    const final = await db.executeOne<{ v: string }>('select v from drv_tx where id = 1')
    assert.equal(final!.v, '3')
    assert.ok(attempts >= 5, `conflicts forced retries (${attempts} attempts)`)
    assert.ok(db.metrics().transactions.retried > 0)
  })

  it('without retry a serialization failure reaches the caller', async () => {
    await db.execute("insert into drv_tx values (1, '0')")
    const bothRead = barrier(2)
    const bump = () =>
      db.transaction(
        async (tx) => {
          await tx.executeOne('select v from drv_tx where id = 1')
          await bothRead()
          await tx.execute("update drv_tx set v = v || '+' where id = 1")
        },
        { isolation: 'serializable' },
      )
    const results = await Promise.allSettled([bump(), bump()])
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]
    assert.equal(failed.length, 1)
    assert.equal(failed[0]!.reason.sqlState, '40001')
  })
})
