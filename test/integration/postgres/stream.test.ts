import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { RowStream } from '../../../src/internal/row-stream.js'
import { PgConnection } from '../../../src/postgres/connection.js'
import { getPostgres } from '../../harness/index.js'
import { untilNotRunning } from '../../support/pg-activity.js'

// Streaming with backpressure (issue 4, "Backpressure").
describe('PgConnection.stream', () => {
  let conn: PgConnection
  let observer: PgConnection
  before(async () => {
    conn = await PgConnection.connect((await getPostgres()).urls.trust)
    observer = await PgConnection.connect((await getPostgres()).urls.trust)
  })
  after(async () => {
    await conn?.close()
    await observer?.close()
  })

  it('yields every row in order while a slow consumer keeps the buffer bounded', async () => {
    const rows = conn.stream<{ i: number }>('select i from generate_series(1, $1::int4) i', [100_000], {
      highWaterMark: 100,
    })
    let expected = 1
    let maxBuffered = 0
    for await (const row of rows) {
      assert.equal(row.i, expected++)
      maxBuffered = Math.max(maxBuffered, (rows as RowStream<unknown>).bufferedRows)
      if (expected % 1000 === 0) await new Promise((r) => setImmediate(r))
    }
    assert.equal(expected, 100_001)
    // Bounded by the high-water mark plus one socket read, far below the 100,000 rows.
    assert.ok(maxBuffered < 10_000, `at most ${maxBuffered} rows were buffered`)
  })

  it('stops the query when the loop breaks, and the connection stays usable', async () => {
    let seen = 0
    for await (const _ of conn.stream(
      'select i, pg_sleep(0.001) as stop_me from generate_series(1, 100000) i',
    )) {
      if (++seen === 10) break
    }
    // The server stopped instead of running 100 s of sleeps.
    await untilNotRunning(observer, 'pg_sleep(0.001) as stop_me')
    assert.deepEqual([...(await conn.query('select 5::int4 as five'))], [{ five: 5 }])
  })

  it('throws the server error from the loop', async () => {
    const run = async () => {
      for await (const _ of conn.stream('select 1 / (i - 500) from generate_series(1, 1000) i')) {
        // consume
      }
    }
    await assert.rejects(run(), { code: '22012', sqlState: '22012' })
    assert.equal(conn.transactionStatus, 'I')
  })

  it('validates highWaterMark', () => {
    assert.throws(() => conn.stream('select 1', [], { highWaterMark: 0 }), { code: 'ERR_INVALID_ARGUMENT' })
  })
})
