import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { connect } from '../../../../src/index.js'
import { PostgresDriver } from '../../../../src/postgres/driver.js'
import { QueryBuilder } from '../../../../src/query/builder.js'
import { getPostgres } from '../../../harness/index.js'

// connect(), builders from covet/query, close() and COPY cancellation (issue 5).
describe('PostgresDriver lifecycle', () => {
  it('connect() opens a checked driver for postgres:// and postgresql:// URLs', async () => {
    const url = (await getPostgres()).urls.trust
    const db = await connect(url.replace(/^postgres:/, 'postgresql:'), { poolSize: 2 })
    assert.ok(db instanceof PostgresDriver)
    assert.equal((await db.executeOne<{ n: number }>('select 1::int4 as n'))!.n, 1)
    await db.close()
    const port = new URL(url).port
    await assert.rejects(connect(`postgres://covet_trust@127.0.0.1:${port}/no_such_db`), {
      sqlState: '3D000',
    })
  })

  it('executes a covet/query builder directly', async () => {
    const db = new PostgresDriver((await getPostgres()).urls.trust, { poolSize: 1 })
    await db.execute('create table if not exists drv_qb (id int, status text)')
    await db.execute('truncate drv_qb')
    await db.execute("insert into drv_qb values (1, 'active'), (2, 'gone'), (3, 'active')")
    const b = new QueryBuilder('postgresql')
      .select('id')
      .from('drv_qb')
      .where('status', '=', 'active')
      .orderBy('id', 'desc')
    const rows = await db.execute<{ id: number }>(b)
    assert.deepEqual(
      rows.map((r) => r.id),
      [3, 1],
    )
    await assert.rejects(db.execute(new QueryBuilder('mysql').select('id').from('drv_qb')), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    await db.close()
  })

  it('close() waits for in-flight work, then refuses new work', async () => {
    const db = new PostgresDriver((await getPostgres()).urls.trust, { poolSize: 2 })
    const slow = db.execute('select pg_sleep(0.3), 1::int4 as n')
    await new Promise((r) => setTimeout(r, 50))
    const closing = db.close()
    await assert.rejects(db.execute('select 1'), { code: 'ERR_POOL_CLOSED' })
    assert.equal((await slow)[0]!.n, 1)
    await closing
    assert.equal(db.metrics().size, 0)
    await assert.rejects(
      db.transaction(async () => {}),
      { code: 'ERR_POOL_CLOSED' },
    )
    await assert.rejects(
      db.listen('x', () => {}),
      { code: 'ERR_POOL_CLOSED' },
    )
  })

  it('close() past its timeout closes connections under running work', async () => {
    const db = new PostgresDriver((await getPostgres()).urls.trust, { poolSize: 1 })
    const reserved = await db.reserve()
    const stuck = reserved.execute('select pg_sleep(10)').catch((error: unknown) => error)
    const started = performance.now()
    await db.close({ timeoutMs: 200 })
    assert.ok(performance.now() - started < 3000)
    assert.equal(((await stuck) as { code: string }).code, 'ERR_CONNECTION_CLOSED')
    reserved.release()
  })

  it('a COPY cancelled by its signal or timeout inserts nothing and frees the connection', async () => {
    const db = new PostgresDriver((await getPostgres()).urls.trust, { poolSize: 1 })
    await db.execute('create table if not exists drv_copy_cancel (a int)')
    await db.execute('truncate drv_copy_cancel')
    async function* slow() {
      for (let i = 0; ; i++) {
        yield `${i}\n`
        await new Promise((r) => setTimeout(r, 5))
      }
    }
    await assert.rejects(db.copyFrom('copy drv_copy_cancel from stdin', slow(), { timeoutMs: 100 }), {
      code: 'ERR_QUERY_TIMEOUT',
    })
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 100)
    await assert.rejects(
      db.bulkInsert(
        'drv_copy_cancel',
        ['a'],
        (async function* () {
          for (let i = 0; ; i++) {
            yield [i]
            if (i % 100 === 0) await new Promise((r) => setTimeout(r, 5))
          }
        })(),
        { signal: ac.signal },
      ),
      { code: 'ERR_QUERY_CANCELLED' },
    )
    assert.equal(
      (await db.executeOne<{ n: number }>('select count(*)::int4 as n from drv_copy_cancel'))!.n,
      0,
    )
    assert.equal(db.metrics().inUse, 0)
    await db.close()
  })
})
