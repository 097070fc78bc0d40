import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { getMariaDb, type MariaDbServer } from '../../harness/index.js'
import { waitFor } from '../../support/wait-for.js'
import { COLUMNS, count, createTable, row, rows, sessionStatus } from './bulk-fixture.js'

/**
 * bulkInsert is all or nothing (issue 16): a failure in a late batch, a bad row, a value that
 * cannot be encoded, an abort between or during batches all leave no row inserted and the
 * connection usable — in either method, and inside a caller's transaction (a savepoint).
 */
let server: MariaDbServer
let conn: MySqlConnection

before(async () => {
  server = await getMariaDb()
  conn = await MySqlConnection.connect(server.url)
  await createTable(conn, 'bulk_f')
})
after(async () => {
  await conn?.close()
})

const METHODS = ['bulk', 'multi-row'] as const
const N_SMALL = 30_000

async function assertUsable(c: MySqlConnection): Promise<void> {
  assert.equal(c.inTransaction, false)
  assert.equal((await c.query<{ one: number }>('SELECT 1 AS one'))[0]!.one, 1)
}

async function* slowly(n: number, onRow: (i: number) => void = () => {}) {
  for (let i = 0; i < n; i++) {
    onRow(i)
    yield row(i)
  }
}

describe('bulkInsert failures', { timeout: 300_000 }, () => {
  for (const method of METHODS) {
    it(`${method}: a duplicate key in a late batch inserts nothing (ER_DUP_ENTRY)`, async () => {
      await conn.query('TRUNCATE bulk_f')
      const input = rows(40_001)
      input[40_000]![0] = 5
      await assert.rejects(conn.bulkInsert('bulk_f', COLUMNS, input, { method }), {
        name: 'DatabaseError',
        code: 'ER_DUP_ENTRY',
      })
      assert.equal(await count(conn, 'bulk_f'), 0)
      await assertUsable(conn)
    })
  }

  it("inside the caller's transaction: a failure takes back only bulkInsert's rows; the caller decides", async () => {
    await conn.query('TRUNCATE bulk_f')
    await conn.query('BEGIN')
    await conn.execute('INSERT INTO bulk_f (id) VALUES (?)', [1_000_000])
    const input = rows(20_000)
    input[19_999]![0] = 1_000_000
    await assert.rejects(conn.bulkInsert('bulk_f', COLUMNS, input), { code: 'ER_DUP_ENTRY' })
    assert.equal(conn.inTransaction, true)
    assert.equal(await count(conn, 'bulk_f'), 1)
    assert.equal(await conn.bulkInsert('bulk_f', COLUMNS, rows(100)), 100)
    await conn.query('ROLLBACK')
    assert.equal(await count(conn, 'bulk_f'), 0)
  })

  it('a row of the wrong length is ERR_INVALID_ARGUMENT; from an array, before anything is sent', async () => {
    await conn.query('TRUNCATE bulk_f')
    const input = rows(N_SMALL)
    input[N_SMALL - 1] = input[N_SMALL - 1]!.slice(1)
    const prepared = await sessionStatus(conn, 'Com_stmt_prepare')
    const begun = await sessionStatus(conn, 'Com_begin')
    await assert.rejects(conn.bulkInsert('bulk_f', COLUMNS, input), {
      code: 'ERR_INVALID_ARGUMENT',
      message: `bulkInsert: row ${N_SMALL - 1} has 7 values for 8 columns`,
    })
    assert.equal(await sessionStatus(conn, 'Com_stmt_prepare'), prepared)
    assert.equal(await sessionStatus(conn, 'Com_begin'), begun)
    // From an iterable the row is seen only when read: the batches before it are rolled back.
    async function* bad() {
      yield* slowly(30_000)
      yield [1, 2]
    }
    await assert.rejects(conn.bulkInsert('bulk_f', COLUMNS, bad()), { code: 'ERR_INVALID_ARGUMENT' })
    assert.equal(await count(conn, 'bulk_f'), 0)
    await assertUsable(conn)
  })

  for (const method of METHODS) {
    it(`${method}: a value that cannot be encoded is ERR_TYPE_ENCODE, nothing inserted`, async () => {
      await conn.query('TRUNCATE bulk_f')
      const input = rows(N_SMALL)
      input[N_SMALL - 10]![1] = Number.NaN
      await assert.rejects(conn.bulkInsert('bulk_f', COLUMNS, input, { method }), {
        code: 'ERR_TYPE_ENCODE',
        message: `bulkInsert: row ${N_SMALL - 10}, column "big": cannot encode`,
      })
      assert.equal(await count(conn, 'bulk_f'), 0)
      await assertUsable(conn)
    })

    it(`${method}: an abort between batches cancels and rolls back`, async () => {
      await conn.query('TRUNCATE bulk_f')
      const ac = new AbortController()
      const source = slowly(50_000, (i) => i === 20_000 && ac.abort(new Error('enough')))
      const error = await conn
        .bulkInsert('bulk_f', COLUMNS, source, { method, signal: ac.signal })
        .catch((e) => e)
      assert.equal(error.code, 'ERR_QUERY_CANCELLED')
      assert.equal(error.cause.message, 'enough')
      assert.equal(await count(conn, 'bulk_f'), 0)
      await assertUsable(conn)
    })

    it(`${method}: an abort while a batch runs on the server sends KILL QUERY, then rolls back`, async () => {
      await conn.query('TRUNCATE bulk_f')
      // Another session's uncommitted row 30,000: the batch holding that id waits for its lock.
      const other = await MySqlConnection.connect(server.url)
      try {
        await other.query('BEGIN')
        await other.execute('INSERT INTO bulk_f (id) VALUES (?)', [30_000])
        const ac = new AbortController()
        const pending = conn.bulkInsert('bulk_f', COLUMNS, rows(50_000), { method, signal: ac.signal })
        let early: unknown
        const settled = pending.then(
          (n) => (early = new Error(`inserted ${n} rows without waiting`)),
          (e) => (early = e),
        )
        await waitFor(
          'the batch to wait for the row lock',
          async () => {
            if (early !== undefined) throw early
            const [r] = await other.execute<{ n: bigint }>(
              "SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = ? AND trx_state = 'LOCK WAIT'",
              [conn.connectionId],
            )
            return r!.n > 0n
          },
          // INNODB_TRX is refreshed only when its buffer was not read for 0.1 s (InnoDB manual,
          // "Persistence and Consistency of InnoDB Transaction and Locking Information"): polled
          // faster, it never changes.
          { tries: 150, intervalMs: 200 },
        )
        ac.abort()
        assert.equal(((await settled) as { code?: string }).code, 'ERR_QUERY_CANCELLED')
        await other.query('ROLLBACK')
        assert.equal(await count(conn, 'bulk_f'), 0)
        await assertUsable(conn)
        assert.equal(await conn.bulkInsert('bulk_f', COLUMNS, rows(10), { method }), 10)
      } finally {
        await other.close()
      }
    })
  }

  it('an already aborted signal sends nothing', async () => {
    const ac = new AbortController()
    ac.abort()
    const begun = await sessionStatus(conn, 'Com_begin')
    await assert.rejects(conn.bulkInsert('bulk_f', COLUMNS, rows(10), { signal: ac.signal }), {
      code: 'ERR_QUERY_CANCELLED',
    })
    assert.equal(await sessionStatus(conn, 'Com_begin'), begun)
  })

  it('refuses bad names and options before any I/O', async () => {
    const bad: [unknown, unknown, unknown, string][] = [
      ['', COLUMNS, {}, 'ERR_INVALID_IDENTIFIER'],
      ['t\0', COLUMNS, {}, 'ERR_INVALID_IDENTIFIER'],
      ['x'.repeat(65), COLUMNS, {}, 'ERR_INVALID_IDENTIFIER'],
      ['bulk_f', ['id', 'trailing '], {}, 'ERR_INVALID_IDENTIFIER'],
      ['bulk_f', ['😀'], {}, 'ERR_INVALID_IDENTIFIER'],
      [['a', 'b', 'c'], COLUMNS, {}, 'ERR_INVALID_ARGUMENT'],
      ['bulk_f', [], {}, 'ERR_INVALID_ARGUMENT'],
      ['bulk_f', COLUMNS, { batchRows: 0 }, 'ERR_INVALID_ARGUMENT'],
      ['bulk_f', COLUMNS, { maxPacketBytes: 100 }, 'ERR_INVALID_ARGUMENT'],
      ['bulk_f', COLUMNS, { method: 'copy' }, 'ERR_INVALID_ARGUMENT'],
    ]
    for (const [table, columns, options, code] of bad) {
      await assert.rejects(
        conn.bulkInsert(table as string, columns as string[], rows(1), options as never),
        { code },
        JSON.stringify([table, columns, options]),
      )
    }
    await assert.rejects(conn.bulkInsert('bulk_f', COLUMNS, 42 as never), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('a name with a backtick is quoted, not interpreted', async () => {
    await conn.query('CREATE TABLE IF NOT EXISTS `odd``name` (`a``b` INT)')
    assert.equal(await conn.bulkInsert('odd`name', ['a`b'], [[1], [2]]), 2)
    assert.equal(await count(conn, '`odd``name`'), 2)
  })

  it('an unknown table is the server error; the connection stays usable', async () => {
    await assert.rejects(conn.bulkInsert('no_such_table', COLUMNS, rows(1)), { code: 'ER_NO_SUCH_TABLE' })
    await assertUsable(conn)
  })

  it('calls on one connection run one after another', async () => {
    await conn.query('TRUNCATE bulk_f')
    await createTable(conn, 'bulk_g')
    const [a, b] = await Promise.all([
      conn.bulkInsert('bulk_f', COLUMNS, slowly(5000)),
      conn.bulkInsert('bulk_g', COLUMNS, slowly(5000)),
    ])
    assert.deepEqual([a, b], [5000, 5000])
    assert.deepEqual([await count(conn, 'bulk_f'), await count(conn, 'bulk_g')], [5000, 5000])
  })

  it('a closed connection is ERR_CONNECTION_CLOSED', async () => {
    const c = await MySqlConnection.connect(server.url)
    await c.close()
    await assert.rejects(c.bulkInsert('bulk_f', COLUMNS, rows(1)), { code: 'ERR_CONNECTION_CLOSED' })
  })
})
