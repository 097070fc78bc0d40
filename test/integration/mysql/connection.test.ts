import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isCovetError } from '../../../src/errors/covet-error.js'
import { DatabaseError } from '../../../src/errors/database-error.js'
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { wasNeverSent } from '../../../src/mysql/pipeline.js'
import { getMariaDb, type MariaDbServer, startMariaDb } from '../../harness/index.js'

let server: MariaDbServer
let conn: MySqlConnection

before(async () => {
  server = await getMariaDb()
  conn = await MySqlConnection.connect(server.url)
  await conn.query(
    'CREATE TABLE IF NOT EXISTS conn_t (id INT PRIMARY KEY, name VARCHAR(20), n BIGINT UNSIGNED)',
  )
})
after(async () => {
  await conn?.close()
})

async function globalStatus(name: string): Promise<number> {
  const out = await server.mariadb(`SHOW GLOBAL STATUS LIKE '${name}'`)
  return Number(out.trim().split('\t')[1])
}

describe('MySqlConnection on MariaDB', () => {
  it('connects by URL, reports the server, sets the session time zone explicitly', async () => {
    assert.match(conn.serverVersion, /^10\.11\./)
    assert.equal(conn.mariaDb, true)
    assert.ok(conn.connectionId > 0)
    const [row] = await conn.query<{ tz: string; id: number }>(
      'SELECT @@session.time_zone AS tz, CONNECTION_ID() AS id',
    )
    assert.equal(row!.tz, '+00:00')
    assert.equal(Number(row!.id), conn.connectionId)
  })

  it('connects with options, another time zone and a collation above 255 via SET NAMES', async () => {
    const url = new URL(server.url)
    const c = await MySqlConnection.connect({
      host: url.hostname,
      port: Number(url.port),
      user: 'covet',
      password: decodeURIComponent(url.password),
      database: 'covet',
      timezone: '+05:30',
      collation: 'utf8mb4_general_nopad_ci',
    })
    try {
      const rows = await c.query<Record<string, string>>(
        "SELECT @@time_zone AS tz, @@collation_connection AS col, 'ż' AS lit",
      )
      assert.deepEqual({ ...rows[0] }, { tz: '+05:30', col: 'utf8mb4_general_nopad_ci', lit: 'ż' })
      // A literal takes the connection's collation. The handshake's collation byte cannot say this
      // one; column definitions carry it in 2 bytes.
      assert.ok(rows.fields[2]!.collation > 255, `collation id ${rows.fields[2]!.collation}`)
    } finally {
      await c.close()
    }
  })

  it('binds integers as integers: LIMIT ? works and BIGINT UNSIGNED keeps all 64 bits', async () => {
    const rows = await conn.execute<{ seq: bigint }>('SELECT seq FROM seq_1_to_10 LIMIT ?', [3])
    assert.deepEqual(
      rows.map((r) => r.seq),
      [1n, 2n, 3n],
    )
    await conn.execute('REPLACE INTO conn_t VALUES (?, ?, ?)', [1, 'max', 2n ** 64n - 1n])
    const [row] = await conn.execute<{ n: bigint; t: string }>(
      'SELECT n, CAST(? AS CHAR) AS t FROM conn_t WHERE id = ?',
      [42, 1],
    )
    assert.equal(row!.n, 2n ** 64n - 1n)
    assert.equal(row!.t, '42')
  })

  it('reports affected rows and the insert id', async () => {
    await conn.query('CREATE TEMPORARY TABLE auto_t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)')
    const r = await conn.execute('INSERT INTO auto_t (v) VALUES (?), (?)', [1, 2])
    assert.equal(r.affectedRows, 2)
    assert.equal(r.insertId, 1)
    assert.equal(r.length, 0)
  })

  it('fails with DatabaseError carrying errno, SQLSTATE and the ER_ symbol', async () => {
    await conn.execute('REPLACE INTO conn_t VALUES (2, ?, 0)', ['dup'])
    const error = await conn.execute('INSERT INTO conn_t VALUES (2, ?, 0)', ['dup']).catch((e) => e)
    assert.ok(error instanceof DatabaseError)
    // The symbol is the code, as mysql2 sets it (issue 17).
    assert.equal(error.code, 'ER_DUP_ENTRY')
    assert.equal(error.errno, 1062)
    assert.equal(error.sqlState, '23000')
    assert.equal(error.errnoName, 'ER_DUP_ENTRY')
    assert.match(error.message, /Duplicate entry '2'/)
    // The stack leads to this test, not to the socket callback.
    assert.match(error.stack ?? '', /connection\.test\.ts/)
    const syntax = await conn.query('SELEC 1').catch((e) => e)
    assert.equal(syntax.errnoName, 'ER_PARSE_ERROR')
  })

  it('pipelines 32 prepared statements in one flight, each with its own result', async () => {
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) => conn.execute<{ v: bigint }>('SELECT ? * 2 AS v', [i])),
    )
    assert.deepEqual(
      results.map((r) => r[0]!.v),
      Array.from({ length: 32 }, (_, i) => BigInt(i * 2)),
    )
  })

  it('pipelining with an error in the middle fails only that command', async () => {
    const calls = [
      conn.execute('SELECT ? AS a', [1]),
      conn.query('SELECT 2 AS a'),
      conn.execute('SELECT no_such_column FROM conn_t WHERE id = ?', [1]), // PREPARE fails
      conn.execute('INSERT INTO conn_t VALUES (2, ?, 0)', ['dup']), // EXECUTE fails
      conn.query('SELEC 3'),
      conn.execute('SELECT ? AS a', [4]),
      conn.query('SELECT 5 AS a'),
    ]
    const settled = await Promise.allSettled(calls)
    const summary = settled.map((s) =>
      s.status === 'fulfilled'
        ? Number((s.value[0] as { a: unknown }).a)
        : (s.reason as DatabaseError).errnoName,
    )
    assert.deepEqual(summary, [1, 2, 'ER_BAD_FIELD_ERROR', 'ER_DUP_ENTRY', 'ER_PARSE_ERROR', 4, 5])
  })

  it('a wrong parameter count fails before anything runs', async () => {
    await assert.rejects(conn.execute('SELECT ? AS a, ? AS b', [1]), { code: 'ERR_INVALID_ARGUMENT' })
    await conn.execute('SELECT ? AS a', [1])
    await assert.rejects(conn.execute('SELECT ? AS a', [1, 2]), { code: 'ERR_INVALID_ARGUMENT' })
    // A count the placeholder scan cannot be sure of is checked against PREPARE's answer.
    await assert.rejects(conn.execute("SELECT 'it\\'s' AS a, ? AS b", []), /takes 1 parameters, 0 given/)
  })

  it('re-executes with the cached statement and follows column changes after ALTER TABLE', async () => {
    await conn.query('CREATE TEMPORARY TABLE alter_t (a INT)')
    await conn.query('INSERT INTO alter_t VALUES (1)')
    const before = await conn.execute('SELECT * FROM alter_t WHERE a = ?', [1])
    assert.deepEqual({ ...before[0] }, { a: 1 })
    await conn.query("ALTER TABLE alter_t ADD COLUMN b VARCHAR(5) DEFAULT 'x'")
    const afterAlter = await conn.execute('SELECT * FROM alter_t WHERE a = ?', [1])
    assert.deepEqual({ ...afterAlter[0] }, { a: 1, b: 'x' })
  })

  it('ping, reset (session state cleared, time zone set again)', async () => {
    await conn.ping()
    await conn.query("SET @v = 1, time_zone = '+01:00'")
    await conn.reset()
    const [row] = await conn.query<{ v: unknown; tz: string }>('SELECT @v AS v, @@time_zone AS tz')
    assert.equal(row!.v, null)
    assert.equal(row!.tz, '+00:00')
    // Statements prepared before the reset are gone on the server; the cache forgot them too.
    const [again] = await conn.execute<{ a: bigint }>('SELECT ? AS a', [7])
    assert.equal(again!.a, 7n)
  })

  it('a closed connection refuses new commands (never sent) and fails pending ones', async () => {
    const c = await MySqlConnection.connect(server.url)
    const pending = c.query('SELECT SLEEP(0.5)').then(
      () => assert.fail('resolved'),
      (e) => e,
    )
    await c.close()
    assert.equal((await pending).code, 'ERR_CONNECTION_CLOSED')
    const refused = await c.execute('SELECT 1').catch((e) => e)
    assert.equal(refused.code, 'ERR_CONNECTION_CLOSED')
    assert.equal(wasNeverSent(refused), true)
    assert.equal(c.closed, true)
  })

  it('refuses a wrong password with ERR_AUTH, never echoing it', async () => {
    const url = new URL(server.url)
    url.password = 'wrong-secret'
    const error = await MySqlConnection.connect(url.toString()).catch((e) => e)
    assert.equal(error.code, 'ERR_AUTH')
    assert.doesNotMatch(`${error.message} ${error.cause?.message}`, /wrong-secret/)
  })

  it('query() takes no parameters: values are never interpolated into text', async () => {
    await assert.rejects(conn.query('SELECT ?', [1] as never), { code: 'ERR_INVALID_ARGUMENT' })
  })
})

describe('statement cache bounds', () => {
  it('closes evicted statements and stays below max_prepared_stmt_count', async () => {
    const own = await startMariaDb()
    try {
      await own.mariadb('SET GLOBAL max_prepared_stmt_count = 6')
      const c = await MySqlConnection.connect(own.url, {})
      try {
        for (let i = 0; i < 20; i++) {
          const [row] = await c.execute<{ v: bigint }>(`SELECT ? + ${i} AS v`, [1])
          assert.equal(row!.v, BigInt(1 + i))
          assert.ok((await globalStatusOf(own, 'Prepared_stmt_count')) <= 5, `after ${i}`)
        }
      } finally {
        await c.close()
      }
      const small = await MySqlConnection.connect({ ...optionsOf(own), statementCacheSize: 2 })
      try {
        for (let i = 0; i < 6; i++) await small.execute(`SELECT ${i} + ? AS v`, [0])
        assert.equal(await globalStatusOf(own, 'Prepared_stmt_count'), 2)
      } finally {
        await small.close()
      }
    } finally {
      await own.stop()
    }
  })
})

describe('max_prepared_stmt_count reached', () => {
  it('closes the statements of the connection and retries once', async () => {
    const own = await startMariaDb()
    try {
      await own.mariadb('SET GLOBAL max_prepared_stmt_count = 4')
      // Each connection may keep 3; together they would hold 6 of the server's 4.
      const [a, b] = await Promise.all([MySqlConnection.connect(own.url), MySqlConnection.connect(own.url)])
      try {
        for (let i = 0; i < 3; i++) await a.execute(`SELECT ${i} + ? AS v`, [0])
        for (let i = 0; i < 6; i++) {
          const [row] = await b.execute<{ v: bigint }>(`SELECT ${i} + ? AS v`, [1])
          assert.equal(row!.v, BigInt(i + 1))
        }
        assert.ok((await globalStatusOf(own, 'Prepared_stmt_count')) <= 4)
      } finally {
        await Promise.all([a.close(), b.close()])
      }
    } finally {
      await own.stop()
    }
  })
})

async function globalStatusOf(s: MariaDbServer, name: string): Promise<number> {
  const out = await s.mariadb(`SHOW GLOBAL STATUS LIKE '${name}'`)
  return Number(out.trim().split('\t')[1])
}

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

void globalStatus
void isCovetError
