import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { getMariaDb, type MariaDbServer } from '../../harness/index.js'

/** Streaming with socket backpressure, and server-side cursors (COM_STMT_EXECUTE + COM_STMT_FETCH). */
let server: MariaDbServer
let conn: MySqlConnection

before(async () => {
  server = await getMariaDb()
  conn = await MySqlConnection.connect(server.url)
})
after(async () => {
  await conn?.close()
})

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r))
}

async function status(name: string): Promise<number> {
  const out = await server.mariadb(`SHOW GLOBAL STATUS LIKE '${name}'`)
  return Number(out.trim().split('\t')[1])
}

async function threadCommand(id: number): Promise<string> {
  return (await server.mariadb(`SELECT COMMAND FROM information_schema.PROCESSLIST WHERE ID = ${id}`)).trim()
}

type Rows = AsyncIterableIterator<{ seq: bigint; pad: string }> & { bufferedRows: number }

describe('stream() with socket backpressure', { timeout: 60_000 }, () => {
  it('pauses the socket at highWaterMark: the server waits, client memory stays bounded', async () => {
    const total = 200_000
    const rows = conn.stream('SELECT seq, REPEAT(?, 200) AS pad FROM seq_1_to_200000', ['x'], {
      highWaterMark: 500,
    }) as Rows
    const first = await rows.next()
    assert.equal(first.value!.seq, 1n)
    while (rows.bufferedRows < 500) await turns(1)
    await turns(50)
    // One socket read (≤ 64 KiB, ~300 of these rows) past the mark at most, and the server is
    // still sending: it blocks on its send buffer instead of the client buffering 40 MB.
    assert.ok(rows.bufferedRows < 500 + 1000, `buffered ${rows.bufferedRows}`)
    assert.equal(await threadCommand(conn.connectionId), 'Execute')
    let n = 1
    let last = 1n
    for await (const row of rows) {
      n++
      last = row.seq
    }
    assert.equal(n, total)
    assert.equal(last, BigInt(total))
  })

  it('breaking out of the loop kills the statement; the connection goes on', async () => {
    let n = 0
    for await (const row of conn.stream<{ seq: bigint }>(
      'SELECT seq FROM seq_1_to_100000000 WHERE seq > ?',
      [0],
    )) {
      assert.equal(row.seq, BigInt(++n))
      if (n === 10) break
    }
    const [row] = await conn.execute<{ v: bigint }>('SELECT ? AS v', [5])
    assert.equal(row!.v, 5n)
  })

  it("a failing statement's error reaches the loop, with the caller's stack", async () => {
    const error = await (async () => {
      for await (const _ of conn.stream('SELECT no_such FROM seq_1_to_3')) assert.fail('no rows')
    })().catch((e) => e)
    assert.equal(error.errnoName, 'ER_BAD_FIELD_ERROR')
    assert.match(error.stack, /stream\.test\.ts/)
  })
})

describe('stream() through a server-side cursor (fetchSize)', { timeout: 60_000 }, () => {
  it('fetches fetchSize rows at a time and gets every row', async () => {
    const before = await status('Com_stmt_fetch')
    let n = 0
    for await (const row of conn.stream<{ seq: bigint }>(
      'SELECT seq FROM seq_1_to_1000 WHERE seq >= ?',
      [1],
      {
        fetchSize: 100,
      },
    )) {
      assert.equal(row.seq, BigInt(++n))
    }
    assert.equal(n, 1000)
    const fetches = (await status('Com_stmt_fetch')) - before
    assert.ok(fetches >= 10 && fetches <= 11, `${fetches} fetches`)
  })

  it('leaves the connection free between fetches, and fetches only as the consumer asks', async () => {
    const before = await status('Com_stmt_fetch')
    const rows = conn.stream<{ seq: bigint }>('SELECT seq FROM seq_1_to_100000', [], {
      fetchSize: 50,
      highWaterMark: 50,
    })
    assert.equal((await rows.next()).value!.seq, 1n)
    // While the consumer waits, other statements run on the same connection.
    const [other] = await conn.execute<{ v: bigint }>('SELECT ? AS v', [42])
    assert.equal(other!.v, 42n)
    await turns(20)
    assert.ok((await status('Com_stmt_fetch')) - before <= 2)
    assert.equal((await rows.next()).value!.seq, 2n)
    await rows.return!()
  })

  it('ending the loop early closes the statement, and with it the cursor', async () => {
    const before = await status('Prepared_stmt_count')
    for await (const row of conn.stream<{ seq: bigint }>(
      'SELECT seq FROM seq_1_to_100000 WHERE seq > ?',
      [0],
      {
        fetchSize: 10,
      },
    )) {
      if (row.seq === 25n) break
    }
    await conn.ping() // the COM_STMT_CLOSE went before it
    assert.equal(await status('Prepared_stmt_count'), before)
  })

  it('a statement without a result set ends the stream at once', async () => {
    const rows: unknown[] = []
    for await (const row of conn.stream('DO ?', [1], { fetchSize: 10 })) rows.push(row)
    assert.deepEqual(rows, [])
  })
})
