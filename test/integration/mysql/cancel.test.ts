import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { DatabaseError } from '../../../src/errors/database-error.js'
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { getMariaDb, type MariaDbServer } from '../../harness/index.js'

/**
 * Cancellation (issue 15): KILL QUERY from a side connection for AbortSignal and timeoutMs,
 * MariaDB's max_statement_time, maxResultBytes. A statement that was not killed would run for
 * its full SLEEP(30): each test's timeout turns that into a failure instead of a hang.
 */
let server: MariaDbServer
let conn: MySqlConnection

before(async () => {
  server = await getMariaDb()
  conn = await MySqlConnection.connect(server.url)
})
after(async () => {
  await conn?.close()
})

/** Resolves once the server shows `id` running a statement (polled: readiness by condition). */
async function running(id: number): Promise<void> {
  for (;;) {
    const out = await server.mariadb(`SELECT COMMAND FROM information_schema.PROCESSLIST WHERE ID = ${id}`)
    // COM_QUERY shows as 'Query', COM_STMT_EXECUTE as 'Execute'.
    if (out.trim() === 'Query' || out.trim() === 'Execute') return
    await new Promise((r) => setImmediate(r))
  }
}

describe('cancel and timeouts', { timeout: 60_000 }, () => {
  it('timeoutMs rejects with ERR_QUERY_TIMEOUT and kills the statement; the connection goes on', async () => {
    const error = await conn.query('SELECT SLEEP(30)', { timeoutMs: 200 }).catch((e) => e)
    assert.equal(error.code, 'ERR_QUERY_TIMEOUT')
    const [row] = await conn.execute<{ v: bigint }>('SELECT ? AS v', [1])
    assert.equal(row!.v, 1n)
  })

  it('an AbortSignal cancels a running prepared statement with ERR_QUERY_CANCELLED', async () => {
    const ac = new AbortController()
    const pending = conn.execute('SELECT SLEEP(?)', [30], { signal: ac.signal }).catch((e) => e)
    await running(conn.connectionId)
    ac.abort(new Error('user gave up'))
    const error = await pending
    assert.equal(error.code, 'ERR_QUERY_CANCELLED')
    assert.equal(error.cause.message, 'user gave up')
    assert.equal((await conn.query<{ one: number }>('SELECT 1 AS one'))[0]!.one, 1)
  })

  it('an already aborted signal rejects without sending anything', async () => {
    const ac = new AbortController()
    ac.abort()
    await assert.rejects(conn.query('SELECT SLEEP(30)', { signal: ac.signal }), {
      code: 'ERR_QUERY_CANCELLED',
    })
  })

  it('MariaDB max_statement_time (maxStatementTimeMs) ends a long statement with ERR_QUERY_TIMEOUT', async () => {
    const c = await MySqlConnection.connect({ ...optionsOf(server), maxStatementTimeMs: 100 })
    try {
      // A scan the seq engine cannot shortcut (a bare COUNT(*) is answered at once).
      const error = await c
        .query('SELECT COUNT(*) FROM seq_1_to_100000000000 WHERE seq % 7 = 3')
        .catch((e) => e)
      assert.equal(error.code, 'ERR_QUERY_TIMEOUT')
      assert.equal((error.cause as DatabaseError).errnoName, 'ER_STATEMENT_TIMEOUT')
    } finally {
      await c.close()
    }
  })

  it('maxResultBytes fails a large result with ERR_RESULT_TOO_LARGE; the connection stays usable', async () => {
    const error = await conn
      .execute('SELECT seq, REPEAT(?, 100) AS pad FROM seq_1_to_100000', ['x'], { maxResultBytes: 100_000 })
      .catch((e) => e)
    assert.equal(error.code, 'ERR_RESULT_TOO_LARGE')
    assert.equal((await conn.query<{ one: number }>('SELECT 1 AS one'))[0]!.one, 1)
  })

  it('under load, a KILL never hits the statement queued behind the one it targets', async () => {
    const busy = await Promise.all(Array.from({ length: 6 }, () => MySqlConnection.connect(server.url)))
    let stop = false
    const load = busy.map(async (c) => {
      let n = 0
      while (!stop) {
        await c.execute('SELECT SUM(seq) AS s FROM seq_1_to_20000 WHERE seq > ?', [n++ % 7])
      }
    })
    try {
      for (let i = 0; i < 20; i++) {
        const ac = new AbortController()
        const killed = conn.query('SELECT SLEEP(30)', { signal: ac.signal }).catch((e) => e)
        // Queued behind the cancellable statement: written only once it has ended.
        const behind = Promise.all([
          conn.execute<{ v: bigint }>('SELECT ? AS v', [i]),
          conn.query<{ w: number }>(`SELECT ${i} AS w`),
        ])
        if (i % 2 === 0) await running(conn.connectionId)
        ac.abort()
        assert.equal((await killed).code, 'ERR_QUERY_CANCELLED')
        const [v, w] = await behind
        assert.equal(v[0]!.v, BigInt(i))
        assert.equal(w[0]!.w, i)
      }
    } finally {
      stop = true
      await Promise.all(load)
      await Promise.all(busy.map((c) => c.close()))
    }
  })
})

function optionsOf(s: MariaDbServer) {
  const url = new URL(s.url)
  return {
    host: url.hostname,
    port: Number(url.port),
    user: 'covet',
    password: decodeURIComponent(url.password),
    database: 'covet',
  }
}
