import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { sendCancelRequest } from '../../../src/postgres/cancel.js'
import { resolvePgConfig } from '../../../src/postgres/config.js'
import { PgConnection } from '../../../src/postgres/connection.js'
import { PostgresDriver } from '../../../src/postgres/driver.js'
import { TypeRegistry } from '../../../src/postgres/types/registry.js'
import { getPostgres, type PgServer, startPostgres } from '../../harness/index.js'
import { encodeBackend } from '../../unit/postgres/protocol/backend-encoder.js'

/**
 * Connection and pipeline faults of issue 14, against the harness's real server and, for what a
 * real server will not do (never answer, garbage), fake TCP servers (fault injection).
 */

const CANCEL_REQUEST_CODE = 80_877_102

interface Fake {
  port: number
  server: Server
  /** Client sockets accepted so far, in order. */
  sockets: Socket[]
}

/**
 * A fake server: `onStartup` gets each connection's first packet (StartupMessage or SSLRequest);
 * a CancelRequest is answered by closing, as PostgreSQL does, unless `ignoreCancel`.
 */
async function fakeServer(
  onStartup: (socket: Socket, first: Buffer) => void,
  { ignoreCancel = false } = {},
): Promise<Fake> {
  const sockets: Socket[] = []
  const server = createServer((socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    socket.once('data', (first: Buffer) => {
      if (first.length === 16 && first.readInt32BE(4) === CANCEL_REQUEST_CODE) {
        if (!ignoreCancel) socket.destroy()
      } else onStartup(socket, first)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  assert.ok(address && typeof address === 'object')
  return { port: address.port, server, sockets }
}

const ready = Buffer.concat([
  encodeBackend({ type: 'AuthenticationOk' }),
  encodeBackend({ type: 'BackendKeyData', processId: 1, secretKey: Buffer.from([1, 2, 3, 4]) }),
  encodeBackend({ type: 'ReadyForQuery', status: 'I' }),
])

const fakeOptions = (port: number) => ({
  host: '127.0.0.1',
  port,
  user: 'u',
  database: 'd',
  sslmode: 'disable' as const,
  connectTimeoutMs: 5000,
})

const closed = (socket: Socket) =>
  socket.destroyed ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve()))
const connectionClosed = (conn: PgConnection) =>
  new Promise<Error>((resolve) => conn.onClose((error) => resolve(error)))

describe('issue 14 faults against fake servers', () => {
  const fakes: Fake[] = []
  after(() => {
    for (const f of fakes) {
      f.server.close()
      for (const socket of f.sockets) socket.destroy()
    }
  })
  const start = async (onStartup: (socket: Socket, first: Buffer) => void, opts = {}) => {
    const f = await fakeServer(onStartup, opts)
    fakes.push(f)
    return f
  }

  it('a connect timeout during SSLRequest destroys the socket it was opening', {
    timeout: 10_000,
  }, async () => {
    const f = await start(() => {}) // never answers the SSLRequest
    await assert.rejects(
      PgConnection.connect({ ...fakeOptions(f.port), sslmode: 'require', connectTimeoutMs: 200 }),
      { code: 'ERR_CONNECT_TIMEOUT' },
    )
    assert.equal(f.sockets.length, 1)
    await closed(f.sockets[0]!) // the client closed it: no leak
  })

  it('a CancelRequest is bounded, connect and TLS included, and closes its socket', {
    timeout: 10_000,
  }, async () => {
    const f = await start(() => {}) // accepts, never answers the SSLRequest
    const config = resolvePgConfig({ host: '127.0.0.1', port: f.port, user: 'u', sslmode: 'require' })
    await sendCancelRequest(config, true, 1, Buffer.from([1, 2, 3, 4]), 200)
    await closed(f.sockets[0]!)
  })

  it('a garbage length of 2 GiB fails the query with ERR_PROTOCOL at the header', {
    timeout: 10_000,
  }, async () => {
    const f = await start((s) => {
      s.write(ready)
      s.once('data', () => {
        const head = Buffer.from([0x54 /* T */, 0x7f, 0xff, 0xff, 0xff])
        s.write(head) // and nothing more: the client must not wait for 2 GiB
      })
    })
    const conn = await PgConnection.connect(fakeOptions(f.port))
    await assert.rejects(conn.query('select 1'), { code: 'ERR_PROTOCOL', message: /maxMessageBytes/ })
    assert.equal(conn.closed, true)
  })

  it('TCP keepalive is on by default, off with keepAlive: false', { timeout: 10_000 }, async () => {
    const f = await start((s) => s.write(ready))
    const timer = async (options: object) => {
      const conn = await PgConnection.connect({ ...fakeOptions(f.port), ...options })
      try {
        return keepAliveSeconds(f.sockets.at(-1)!.remotePort!)
      } finally {
        await conn.close()
      }
    }
    const byDefault = await timer({})
    assert.ok(byDefault !== undefined && byDefault > 30 && byDefault <= 60, `default: ${byDefault} s`)
    const short = await timer({ keepAliveInitialDelayMs: 5000 })
    assert.ok(short !== undefined && short <= 5, `keepAliveInitialDelayMs: 5000: ${short} s`)
    assert.equal(await timer({ keepAlive: false }), undefined)
  })

  for (const ignoreCancel of [false, true]) {
    it(`a silent server: the default deadline fails the query, the connection is destroyed after the grace${
      ignoreCancel ? ' (the cancel is never answered either)' : ''
    }`, { timeout: 10_000 }, async () => {
      const f = await start(
        (s) => {
          s.write(ready)
          s.on('data', () => {}) // reads every query, answers none
        },
        { ignoreCancel },
      )
      const conn = await PgConnection.connect({
        ...fakeOptions(f.port),
        queryTimeoutMs: 200,
        cancelGraceMs: 200,
      })
      const ended = connectionClosed(conn)
      const first = conn.query('select 1')
      const second = conn.query('select 2') // pipelined behind it
      await assert.rejects(first, { code: 'ERR_QUERY_TIMEOUT', message: /queryTimeoutMs/ })
      await assert.rejects(second, { code: /ERR_QUERY_TIMEOUT|ERR_CONNECTION_CLOSED/ })
      assert.match((await ended).message, /cancelGraceMs/)
      assert.equal(conn.closed, true)
      await assert.rejects(conn.query('select 3'), { code: 'ERR_CONNECTION_CLOSED' })
    })
  }
})

describe('issue 14 faults against a real server', () => {
  let pg: PgServer
  let url: string
  before(async () => {
    pg = await getPostgres()
    url = pg.urls.trust
  })

  describe('atomic batches (driver.transaction([...])) are all or nothing', () => {
    let driver: PostgresDriver
    const table = `faults_batch_${process.pid}`
    before(async () => {
      driver = new PostgresDriver(url, { poolSize: 1 })
      await driver.execute(`create table ${table} (a int4)`)
    })
    after(async () => {
      await driver?.execute(`drop table if exists ${table}`)
      await driver?.close()
    })

    const insert = `insert into ${table} values ($1)`
    const count = async () =>
      (await driver.executeOne<{ n: string }>(`select count(*)::text as n from ${table}`))!.n
    /** The backend of the pool's only connection: unchanged means the connection was kept, not replaced. */
    const backend = async () =>
      (await driver.executeOne<{ pid: number }>('select pg_backend_pid() as pid'))!.pid
    const cases: [string, unknown[][] | [string, unknown[]][], RegExp][] = [
      ['a value that cannot be encoded', [[1], [{ not: 'an int' }], [3]], /ERR_TYPE_ENCODE/],
      ['the wrong parameter count', [[1], [2, 2], [3]], /ERR_INVALID_ARGUMENT/],
    ]
    for (const [what, params, code] of cases) {
      it(`${what}: nothing is committed, the caller gets the error, the connection is clean`, async () => {
        const pid = await backend()
        await assert.rejects(driver.transaction((params as unknown[][]).map((p) => [insert, p] as const)), {
          code,
        })
        assert.equal(await count(), '0')
        assert.equal(await backend(), pid)
        const session = await driver.reserve()
        try {
          assert.equal(session.connection.transactionStatus, 'I')
        } finally {
          session.release()
        }
      })
    }

    it('a NUL byte in a statement: nothing is committed, ERR_INVALID_ARGUMENT, the connection is kept', async () => {
      const pid = await backend()
      await assert.rejects(
        driver.transaction([
          [insert, [1]],
          [`${insert} -- \0`, [2]],
          [insert, [3]],
        ]),
        { code: 'ERR_INVALID_ARGUMENT', message: /NUL/ },
      )
      assert.equal(await count(), '0')
      assert.equal(await backend(), pid)
      // And a good batch still commits on the same connection.
      await driver.transaction([
        [insert, [1]],
        [insert, [2]],
      ])
      assert.equal(await count(), '2')
      await driver.execute(`delete from ${table}`)
    })
  })

  describe('one connection', () => {
    let conn: PgConnection
    before(async () => {
      conn = await PgConnection.connect(url)
    })
    after(() => conn?.close())

    it('a NUL byte in the SQL rejects that query with ERR_INVALID_ARGUMENT; the others run', async () => {
      const results = await Promise.allSettled([
        conn.query('select 1::int4 as x'),
        conn.query('select 2\0'),
        conn.query('select 3::int4 as x', [], { simple: true }),
      ])
      assert.equal(results[0].status === 'fulfilled' && results[0].value[0]!.x, 1)
      assert.equal(results[1].status === 'rejected' && results[1].reason.code, 'ERR_INVALID_ARGUMENT')
      assert.equal(results[2].status === 'fulfilled' && results[2].value[0]!.x, 3)
    })

    it('40,000 parameters are bound; more than 65,535 fail before anything is sent', async () => {
      const n = 40_000
      const sql = `select cardinality(array[${Array.from({ length: n }, (_, i) => `$${i + 1}`).join(',')}]::int4[]) as n`
      const [row] = await conn.query<{ n: number }>(
        sql,
        Array.from({ length: n }, (_, i) => i),
      )
      assert.equal(row!.n, n)
      const sent = conn.bytes.out
      await assert.rejects(conn.query('select 1', new Array(65_536).fill(1)), {
        code: 'ERR_INVALID_ARGUMENT',
        message: /65,?535/,
      })
      assert.equal(conn.bytes.out, sent)
      assert.equal((await conn.query('select 1::int4 as x'))[0]!.x, 1)
    })

    it('one row over maxResultBytes fails at its header, before it is received; the connection carries on', async () => {
      const big = await PgConnection.connect({ ...resolveUrl(url), maxResultBytes: 1 << 20 })
      try {
        const rowBytes = 32 << 20
        const before = big.bytes.in
        await assert.rejects(big.query(`select repeat('x', ${rowBytes}) as x`), {
          code: 'ERR_RESULT_TOO_LARGE',
        })
        const received = big.bytes.in - before
        assert.ok(received < rowBytes / 4, `failed after ${received} of ${rowBytes} bytes`)
        assert.equal((await big.query('select 7::int4 as x'))[0]!.x, 7)
        assert.equal(big.closed, false)
      } finally {
        await big.close()
      }
    })
  })

  it('a row decoder that throws fails only its query; pipelined queries and the connection carry on', async () => {
    const boom = new Error('user parser bug')
    const types = new TypeRegistry().register({
      oid: 23,
      name: 'int4',
      parse: (text) => {
        if (text === '13') throw boom
        return Number(text)
      },
    })
    const conn = await PgConnection.connect({ ...resolveUrl(url), types })
    try {
      const results = await Promise.allSettled([
        conn.query('select 1::int4 as x'),
        conn.query('select g::int4 as x from generate_series(12, 14) g'),
        conn.query('select 2::int4 as x'),
        conn.query('select 13::int4 as x', [], { simple: true }),
        conn.query('select 3::int4 as x'),
      ])
      assert.deepEqual(
        results.map((r) => (r.status === 'fulfilled' ? r.value[0]!.x : r.reason.code)),
        [1, 'ERR_TYPE_DECODE', 2, 'ERR_TYPE_DECODE', 3],
      )
      assert.equal(results[1].status === 'rejected' && results[1].reason.cause, boom)
      assert.equal(conn.closed, false)
      assert.equal((await conn.query('select 4::int4 as x'))[0]!.x, 4)
    } finally {
      await conn.close()
    }
  })

  it('the default deadline cancels a long query; the connection stays usable', {
    timeout: 20_000,
  }, async () => {
    const conn = await PgConnection.connect({ ...resolveUrl(url), queryTimeoutMs: 200 })
    try {
      await assert.rejects(conn.query('select pg_sleep(60)'), { code: 'ERR_QUERY_TIMEOUT' })
      assert.equal((await conn.query('select 1::int4 as x'))[0]!.x, 1)
      // Per query: timeoutMs: 0 removes the deadline (this sleep outlasts queryTimeoutMs).
      await conn.query('select pg_sleep(0.5)', [], { timeoutMs: 0 })
      assert.equal(conn.closed, false)
    } finally {
      await conn.close()
    }
  })

  it('the driver passes queryTimeoutMs to its connections', { timeout: 20_000 }, async () => {
    const driver = new PostgresDriver(url, { poolSize: 1, queryTimeoutMs: 200 })
    try {
      await assert.rejects(driver.execute('select pg_sleep(60)'), { code: 'ERR_QUERY_TIMEOUT' })
      assert.equal((await driver.executeOne<{ x: number }>('select 1::int4 as x'))!.x, 1)
    } finally {
      await driver.close()
    }
  })
})

describe('issue 14: a real server stopped with SIGSTOP', () => {
  let pg: PgServer
  const stopped = new Set<number>()
  before(async () => {
    pg = await startPostgres()
  })
  after(async () => {
    for (const pid of stopped) process.kill(pid, 'SIGCONT')
    await pg?.stop()
  })
  const stop = (pid: number) => {
    stopped.add(pid)
    process.kill(pid, 'SIGSTOP')
  }
  const resume = (pid: number) => {
    process.kill(pid, 'SIGCONT')
    stopped.delete(pid)
  }

  it('its backend stopped: the query times out and the connection is destroyed after the grace', {
    timeout: 20_000,
  }, async () => {
    const conn = await PgConnection.connect({
      ...resolveUrl(pg.urls.trust),
      queryTimeoutMs: 300,
      cancelGraceMs: 300,
    })
    const ended = connectionClosed(conn)
    stop(conn.processId)
    try {
      await assert.rejects(conn.query('select 1'), { code: 'ERR_QUERY_TIMEOUT' })
      assert.match((await ended).message, /cancelGraceMs/)
    } finally {
      resume(conn.processId)
    }
  })

  it('the postmaster stopped too (the CancelRequest is never answered): the same', {
    timeout: 20_000,
  }, async () => {
    const conn = await PgConnection.connect({
      ...resolveUrl(pg.urls.trust),
      queryTimeoutMs: 300,
      cancelGraceMs: 300,
    })
    const postmaster = parentPid(conn.processId)
    const ended = connectionClosed(conn)
    stop(postmaster)
    stop(conn.processId)
    try {
      const queries = [conn.query('select 1'), conn.query('select 2')]
      await assert.rejects(queries[0]!, { code: 'ERR_QUERY_TIMEOUT' })
      await assert.rejects(queries[1]!, { code: /ERR_QUERY_TIMEOUT|ERR_CONNECTION_CLOSED/ })
      assert.match((await ended).message, /cancelGraceMs/)
    } finally {
      resume(conn.processId)
      resume(postmaster)
    }
    // Once resumed, the server serves new connections.
    const again = await PgConnection.connect(pg.urls.trust)
    assert.equal((await again.query('select 1::int4 as x'))[0]!.x, 1)
    await again.close()
  })
})

/**
 * Seconds left on the keepalive timer of the established TCP socket with local port `port`, or
 * undefined when it has none, from /proc/net/tcp (Linux): the `tr:tm->when` column is the active
 * timer (02 = keepalive) and the clock ticks (USER_HZ, 100 per second) until it fires.
 */
function keepAliveSeconds(port: number): number | undefined {
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f.length < 6 || f[3] !== '01' /* ESTABLISHED */) continue
    if (Number.parseInt(f[1]!.split(':')[1]!, 16) !== port) continue
    const [tr, when] = f[5]!.split(':')
    return tr === '02' ? Number.parseInt(when!, 16) / 100 : undefined
  }
  throw new Error(`no established socket on local port ${port} in /proc/net/tcp`)
}

/** The PID of a process's parent (a backend's is the postmaster), from /proc (Linux). */
function parentPid(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const ppid = Number(/^PPid:\s*(\d+)$/m.exec(status)?.[1])
  assert.ok(ppid > 1, `the parent of ${pid}`)
  return ppid
}

/** Connection options from a URL, so tests can add settings (the URL form takes none). */
function resolveUrl(u: string) {
  const parsed = new URL(u)
  return {
    host: parsed.hostname,
    port: Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    database: parsed.pathname.slice(1),
  }
}
