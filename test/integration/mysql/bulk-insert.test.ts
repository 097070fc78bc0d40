import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { getMariaDb, type MariaDbServer, startMariaDb } from '../../harness/index.js'
import { BUSY_BOUND_MS } from '../../support/event-loop-probe.js'
import {
  assertTableHolds,
  COLUMNS,
  count,
  createTable,
  readBack,
  row,
  rows,
  sessionStatus,
} from './bulk-fixture.js'

/**
 * MySqlConnection.bulkInsert on the harness MariaDB (issue 16): COM_STMT_BULK_EXECUTE and the
 * multi-row INSERTs MySQL gets (forced here with method: 'multi-row') give the same table, split
 * into commands under maxPacketBytes and under a server's small max_allowed_packet.
 * Failures and cancellation: bulk-insert-failures.test.ts.
 */
const run = promisify(execFile)
let server: MariaDbServer
let conn: MySqlConnection

before(async () => {
  server = await getMariaDb()
  conn = await MySqlConnection.connect(server.url)
})
after(async () => {
  await conn?.close()
})

const N = 50_000

describe('bulkInsert on MariaDB', { timeout: 300_000 }, () => {
  it('50,000 rows of mixed types through COM_STMT_BULK_EXECUTE read back exactly', async () => {
    await createTable(conn, 'bulk_a')
    assert.equal(await conn.bulkInsert('bulk_a', COLUMNS, rows(N)), N)
    await assertTableHolds(conn, 'bulk_a', N)
    assert.equal(conn.inTransaction, false)
  })

  it('one bulk command carries more rows than a statement can have placeholders', async () => {
    await conn.query('DROP TABLE IF EXISTS bulk_one')
    await conn.query('CREATE TABLE bulk_one (v INT)')
    const input = Array.from({ length: 100_000 }, (_, i) => [i])
    // MariaDB counts a bulk command as one execution. 100,000 rows of 9 bytes fit one 1 MiB
    // command; multi-row INSERTs need two statements of at most 65,535 placeholders each.
    for (const [method, commands] of [
      ['auto', 1],
      ['multi-row', 2],
    ] as const) {
      await conn.query('TRUNCATE bulk_one')
      const before = await sessionStatus(conn, 'Com_stmt_execute')
      const options = { method, maxPacketBytes: 1 << 20 }
      assert.equal(await conn.bulkInsert('bulk_one', ['v'], input, options), 100_000)
      assert.equal((await sessionStatus(conn, 'Com_stmt_execute')) - before, commands, method)
      const [r] = await conn.query<{ n: bigint; s: string }>(
        'SELECT COUNT(*) AS n, SUM(v) AS s FROM bulk_one',
      )
      assert.deepEqual([r!.n, r!.s], [100_000n, String((99_999 * 100_000) / 2)])
    }
  })

  it('multi-row INSERTs (what MySQL gets) give the same table, from an async iterable of objects', async () => {
    await createTable(conn, 'bulk_b')
    async function* objects() {
      for (let i = 0; i < N; i++) yield Object.fromEntries(COLUMNS.map((c, k) => [c, row(i)[k]]))
    }
    const inserted = await conn.bulkInsert(['covet', 'bulk_b'], COLUMNS, objects(), { method: 'multi-row' })
    assert.equal(inserted, N)
    assert.deepStrictEqual(await readBack(conn, 'bulk_b'), await readBack(conn, 'bulk_a'))
  })

  it('splits into several commands under maxPacketBytes, in both methods', async () => {
    for (const method of ['bulk', 'multi-row'] as const) {
      await createTable(conn, 'bulk_c')
      const before = await sessionStatus(conn, 'Com_insert')
      assert.equal(
        await conn.bulkInsert('bulk_c', COLUMNS, rows(3000), { method, maxPacketBytes: 8192 }),
        3000,
      )
      const commands = (await sessionStatus(conn, 'Com_insert')) - before
      // About 100 bytes a row: 3,000 rows are over 36 commands of at most 8 KiB.
      assert.ok(commands >= 36, `${method}: ${commands} INSERT commands`)
      await assertTableHolds(conn, 'bulk_c', 3000)
    }
  })

  it('batchRows bounds the rows per command', async () => {
    await createTable(conn, 'bulk_c')
    const before = await sessionStatus(conn, 'Com_insert')
    assert.equal(await conn.bulkInsert('bulk_c', COLUMNS, rows(1000), { batchRows: 100 }), 1000)
    assert.equal((await sessionStatus(conn, 'Com_insert')) - before, 10)
  })

  it('a column whose values change type between rows (integers, fractions, bigints) round-trips', async () => {
    await conn.query('DROP TABLE IF EXISTS bulk_d')
    await conn.query('CREATE TABLE bulk_d (id INT PRIMARY KEY, v DOUBLE, u BIGINT UNSIGNED, s VARCHAR(10))')
    const input = Array.from({ length: 2000 }, (_, i) => [
      i,
      i % 7 === 0 ? i + 0.5 : i,
      i % 11 === 0 ? 2n ** 64n - 1n - BigInt(i) : i,
      i % 13 === 0 ? null : `s${i}`,
    ])
    for (const method of ['bulk', 'multi-row'] as const) {
      await conn.query('TRUNCATE bulk_d')
      assert.equal(await conn.bulkInsert('bulk_d', ['id', 'v', 'u', 's'], input, { method }), 2000)
      const got = await conn.execute<Record<string, unknown>>('SELECT id, v, u, s FROM bulk_d ORDER BY id')
      assert.deepStrictEqual(
        got.map((r) => [r.id, r.v, r.u, r.s]),
        input.map(([id, v, u, s]) => [id, v, BigInt(u as number | bigint), s]),
        method,
      )
    }
  })

  it('no rows: resolves 0 and sends nothing', async () => {
    const before = await sessionStatus(conn, 'Com_begin')
    assert.equal(await conn.bulkInsert('no_such_table', COLUMNS, []), 0)
    assert.equal(await sessionStatus(conn, 'Com_begin'), before)
  })

  it('encoding 50,000 rows into one command never holds the event loop for long', async (t) => {
    // In a plain process (see the child's comment); three attempts, judged by the best: another
    // suite's burst can land on one. Without the encoder's yields the same run shows 350+ ms.
    const child = fileURLToPath(new URL('./bulk-event-loop.child.ts', import.meta.url))
    const { stdout } = await run(process.execPath, ['--import', 'tsx', child], {
      env: { ...process.env, COVET_BULK_URL: server.url },
    })
    const { busy, rows: inserted } = JSON.parse(stdout) as { busy: number[]; rows: number }
    t.diagnostic(`loop thread busy <= ${busy.map((b) => b.toFixed(2)).join(', ')} ms per tick while encoding`)
    const best = Math.min(...busy)
    assert.ok(best < BUSY_BOUND_MS, `the loop was busy ${best.toFixed(2)} ms at a stretch`)
    assert.equal(inserted, N)
  })
})

describe('bulkInsert under a small max_allowed_packet (a server of its own)', { timeout: 300_000 }, () => {
  let own: MariaDbServer
  let small: MySqlConnection
  before(async () => {
    own = await startMariaDb()
    await own.mariadb('SET GLOBAL max_allowed_packet = 32768')
    small = await MySqlConnection.connect(own.url)
    await createTable(small, 'bulk_s')
  })
  after(async () => {
    await small?.close()
    await own?.stop()
  })

  for (const method of ['bulk', 'multi-row'] as const) {
    it(`${method}: every command stays under it (the server would close the connection)`, async () => {
      await small.query('TRUNCATE bulk_s')
      // The default maxPacketBytes (256 KiB) is far above what this server takes.
      assert.equal(await small.bulkInsert('bulk_s', COLUMNS, rows(5000), { method }), 5000)
      await assertTableHolds(small, 'bulk_s', 5000)
    })

    it(`${method}: a row larger than it is ERR_INVALID_ARGUMENT, nothing inserted`, async () => {
      await small.query('TRUNCATE bulk_s')
      const input = rows(100)
      input[60]![4] = Buffer.alloc(40_000)
      await assert.rejects(small.bulkInsert('bulk_s', COLUMNS, input, { method }), {
        code: 'ERR_INVALID_ARGUMENT',
        message: /row 60 does not fit/,
      })
      assert.equal(await count(small, 'bulk_s'), 0)
    })
  }
})
