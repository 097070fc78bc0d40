import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parsePgUrl } from '../../../src/postgres/config.js'
import { PgConnection } from '../../../src/postgres/connection.js'
import { getPostgres } from '../../harness/index.js'

// Queries over the real server: extended and simple protocol, pipelining, statement cache,
// stale statements, errors, notices, result limits (issue 4).
describe('PgConnection queries', () => {
  let conn: PgConnection
  let url: string
  before(async () => {
    url = (await getPostgres()).urls.trust
    conn = await PgConnection.connect(url)
  })
  after(() => conn?.close())

  it('runs parameterised queries with the extended protocol', async () => {
    const rows = await conn.query('select $1::int4 + 1 as n, $2::text as s, null::int4 as z', [41, 'ü😀'])
    assert.deepEqual([...rows], [{ n: 42, s: 'ü😀', z: null }])
    assert.equal(rows.rowCount, 1)
    assert.equal(rows.command, 'SELECT')
    assert.deepEqual(
      rows.fields.map((f) => [f.name, f.typeOid]),
      [
        ['n', 23],
        ['s', 25],
        ['z', 23],
      ],
    )
    assert.equal(conn.parameters.get('client_encoding'), 'UTF8')
    assert.ok(conn.processId > 0)
  })

  it('runs multi-statement text with the simple protocol and returns the last result', async () => {
    const rows = await conn.query(
      'create temp table multi (a int); insert into multi values (1), (2); select count(*)::int4 as c from multi',
    )
    assert.deepEqual([...rows], [{ c: 2 }])
    const inserted = await conn.query('insert into multi values (3), (4)', [], { simple: true })
    assert.equal(inserted.rowCount, 2)
    assert.equal(inserted.command, 'INSERT')
  })

  it('pipelines 1,000 queries with an error in the middle: 999 succeed in order', async () => {
    const all = Array.from({ length: 1000 }, (_, i) =>
      i === 500 ? conn.query('select 1 / 0') : conn.query('select $1::int4 as i', [i]),
    )
    const settled = await Promise.allSettled(all)
    const ok = settled.filter((s) => s.status === 'fulfilled')
    assert.equal(ok.length, 999)
    const failed = settled[500] as PromiseRejectedResult
    assert.equal(failed.reason.code, '22012')
    assert.equal(failed.reason.sqlState, '22012')
    for (let i = 0; i < 1000; i++) {
      if (i !== 500)
        assert.equal((settled[i] as PromiseFulfilledResult<Record<string, unknown>[]>).value[0]!.i, i)
    }
    assert.equal(conn.transactionStatus, 'I')
  })

  it('tracks the transaction status from ReadyForQuery', async () => {
    await conn.query('begin')
    assert.equal(conn.transactionStatus, 'T')
    await assert.rejects(conn.query('select nope'))
    assert.equal(conn.transactionStatus, 'E')
    await conn.query('rollback')
    assert.equal(conn.transactionStatus, 'I')
  })

  it('retries a cached statement after ALTER TABLE outside a transaction, not inside one', async () => {
    await conn.query('create temp table stale (a int)')
    await conn.query('insert into stale values (1)')
    assert.deepEqual([...(await conn.query('select * from stale'))], [{ a: 1 }])
    await conn.query("alter table stale add column b text default 'x'")
    assert.deepEqual([...(await conn.query('select * from stale'))], [{ a: 1, b: 'x' }])
    await conn.query('alter table stale drop column b')
    await conn.query('begin')
    await assert.rejects(conn.query('select * from stale'), { code: '0A000', sqlState: '0A000' })
    await conn.query('rollback')
    assert.deepEqual([...(await conn.query('select * from stale'))], [{ a: 1 }])
  })

  it('recovers from DISCARD ALL (26000) transparently', async () => {
    await conn.query('select $1::int4 as k', [1])
    await conn.query('discard all', [], { simple: true })
    assert.deepEqual([...(await conn.query('select $1::int4 as k', [2]))], [{ k: 2 }])
  })

  it('uses unnamed statements with prepare: false', async () => {
    const rows = await conn.query('select $1::int8 as big', [9_007_199_254_740_993n], { prepare: false })
    assert.equal(rows[0]!.big, 9_007_199_254_740_993n)
  })

  it('returns rows as arrays with rowMode: array', async () => {
    const c = await PgConnection.connect({ ...parsePgUrl(url), rowMode: 'array' })
    try {
      assert.deepEqual([...(await c.query('select 1::int4 as a, 2::int4 as a'))], [[1, 2]])
    } finally {
      await c.close()
    }
  })

  it('reports server errors as DatabaseError with every field and the SQLSTATE', async () => {
    await conn.query('create temp table uniq (id int primary key)')
    await conn.query('insert into uniq values (1)')
    const err = await conn.query('insert into uniq values ($1::int4)', [1]).catch((e) => e)
    // The SQLSTATE is the code, as pg and postgres.js set it (issue 17).
    assert.equal(err.code, '23505')
    assert.equal(err.sqlState, '23505')
    assert.equal(err.sqlStateName, 'unique_violation')
    assert.equal(err.severity, 'ERROR')
    assert.equal(err.constraint, 'uniq_pkey')
    assert.equal(err.table, 'uniq')
    assert.match(err.detail, /Key \(id\)=\(1\) already exists/)
    assert.equal(typeof err.routine, 'string')
    // The stack points at the caller, not at the socket callback that received the error.
    assert.match(err.stack, /connection\.test\.ts/)
    const syntax = await conn.query('select * from').catch((e) => e)
    assert.equal(syntax.sqlState, '42601')
    assert.equal(syntax.position, 14)
  })

  it('delivers notices to onNotice', async () => {
    const notices: string[] = []
    const c = await PgConnection.connect({
      ...parsePgUrl(url),
      onNotice: (n) => notices.push(`${n.severity}: ${n.message}`),
    })
    try {
      await c.query("do $$ begin raise notice 'hello %', 42; end $$")
      assert.deepEqual(notices, ['NOTICE: hello 42'])
    } finally {
      await c.close()
    }
  })

  it('fails a query over maxResultBytes and stays usable', async () => {
    const big = conn.query('select repeat($1::text, 1000) from generate_series(1, 10000)', ['x'], {
      maxResultBytes: 100_000,
    })
    await assert.rejects(big, { code: 'ERR_RESULT_TOO_LARGE' })
    assert.deepEqual([...(await conn.query('select 1::int4 as one'))], [{ one: 1 }])
  })

  it('refuses COPY FROM STDIN through query() without losing the connection', async () => {
    await conn.query('create temp table copy_in (a int)')
    await assert.rejects(conn.query('copy copy_in from stdin', [], { simple: true }), {
      name: 'DatabaseError',
    })
    await assert.rejects(conn.query('copy copy_in from stdin'), { name: 'DatabaseError' })
    const out = await conn.query('copy (select generate_series(1, 3)) to stdout')
    assert.equal(out.command, 'COPY')
    assert.equal(out.rowCount, 3)
    assert.deepEqual([...(await conn.query('select 2::int4 as two'))], [{ two: 2 }])
  })

  it('validates arguments', async () => {
    await assert.rejects(conn.query('select $1::int4', [1, 2]), { code: 'ERR_INVALID_ARGUMENT' })
    await assert.rejects(conn.query('select 1', [1], { simple: true }), { code: 'ERR_INVALID_ARGUMENT' })
    await assert.rejects(conn.query('select 1', [], { timeoutMs: -1 }), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('rejects queries after close with ERR_CONNECTION_CLOSED', async () => {
    const c = await PgConnection.connect(url)
    await c.close()
    assert.equal(c.closed, true)
    await assert.rejects(c.query('select 1'), { code: 'ERR_CONNECTION_CLOSED' })
  })

  it('sends startup parameters: application_name, search_path, statement_timeout, options', async () => {
    const c = await PgConnection.connect({
      ...parsePgUrl(url),
      applicationName: 'covet-test',
      searchPath: 'pg_catalog, public',
      statementTimeout: 1234,
      options: '-c geqo=off',
    })
    try {
      const [row] = await c.query(
        "select current_setting('application_name') as a, current_setting('search_path') as s, " +
          "current_setting('statement_timeout') as t, current_setting('geqo') as g",
      )
      assert.deepEqual(row, { a: 'covet-test', s: 'pg_catalog, public', t: '1234ms', g: 'off' })
      assert.equal(c.parameters.get('application_name'), 'covet-test')
    } finally {
      await c.close()
    }
  })

  it('delivers NOTIFY payloads to onNotification', async () => {
    const received: string[] = []
    const listener = await PgConnection.connect({
      ...parsePgUrl(url),
      onNotification: (n) => received.push(`${n.channel}:${n.payload}`),
    })
    try {
      await listener.query('listen covet_test')
      await conn.query("select pg_notify('covet_test', 'hello ü')")
      // The notification arrives asynchronously; a round trip on the listener flushes it through.
      for (let i = 0; i < 50 && received.length === 0; i++) await listener.query('select 1')
      assert.deepEqual(received, ['covet_test:hello ü'])
    } finally {
      await listener.close()
    }
  })
})
