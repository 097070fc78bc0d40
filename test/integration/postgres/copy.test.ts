import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { PgConnection } from '../../../src/postgres/connection.js'
import { getPostgres } from '../../harness/index.js'

// COPY on one connection (issue 5; protocol §55.2.6).
describe('PgConnection COPY', () => {
  let conn: PgConnection
  before(async () => {
    conn = await PgConnection.connect((await getPostgres()).urls.trust)
    await conn.query('create temp table copy_t (a int primary key, b text)')
  })
  after(() => conn?.close())

  it('copies text rows from an iterable, a Readable and an async generator', async () => {
    await conn.query('truncate copy_t')
    assert.equal(await conn.copyFrom('copy copy_t from stdin', ['1\tone\n', Buffer.from('2\ttwo\n')]), 2)
    assert.equal(await conn.copyFrom('copy copy_t from stdin (format csv)', Readable.from(['3,three\n'])), 1)
    async function* rows() {
      for (let i = 4; i < 1004; i++) yield `${i}\trow ${i}\n`
    }
    assert.equal(await conn.copyFrom('copy copy_t from stdin', rows()), 1000)
    const [count] = await conn.query<{ n: bigint }>('select count(*) as n from copy_t')
    assert.equal(count!.n, 1003n)
  })

  it('aborts with CopyFail when the source throws: nothing is copied, the connection stays usable', async () => {
    await conn.query('truncate copy_t')
    async function* failing() {
      yield '1\tone\n'
      throw new Error('source broke')
    }
    await assert.rejects(
      conn.copyFrom('copy copy_t from stdin', failing()),
      (err: Error & { code: string }) => {
        assert.equal(err.code, 'ERR_COPY_ABORTED')
        assert.equal((err.cause as Error).message, 'source broke')
        return true
      },
    )
    const [count] = await conn.query<{ n: bigint }>('select count(*) as n from copy_t')
    assert.equal(count!.n, 0n)
    assert.equal(conn.transactionStatus, 'I')
  })

  it('rejects with the server error on bad data and stays usable', async () => {
    await assert.rejects(conn.copyFrom('copy copy_t from stdin', ['x\ty\n']), {
      code: '22P02',
      sqlState: '22P02',
    })
    assert.deepEqual([...(await conn.query('select 1::int4 as one'))], [{ one: 1 }])
  })

  it('streams COPY TO STDOUT as Buffers', async () => {
    const chunks: Buffer[] = []
    for await (const chunk of conn.copyTo('copy (select i from generate_series(1, 5) i) to stdout')) {
      chunks.push(Buffer.from(chunk))
    }
    assert.equal(Buffer.concat(chunks).toString(), '1\n2\n3\n4\n5\n')
  })

  it('cancels COPY TO when the loop breaks; the connection stays usable', async () => {
    let seen = 0
    for await (const _ of conn.copyTo('copy (select i from generate_series(1, 5000000) i) to stdout')) {
      if (++seen === 3) break
    }
    assert.deepEqual([...(await conn.query('select 2::int4 as two'))], [{ two: 2 }])
  })

  it('refuses a statement of the wrong direction', async () => {
    await assert.rejects(conn.copyFrom('copy (select 1) to stdout', []), { code: 'ERR_INVALID_ARGUMENT' })
    const run = async () => {
      for await (const _ of conn.copyTo('copy copy_t from stdin')) {
        // nothing
      }
    }
    await assert.rejects(run(), { name: 'DatabaseError' })
    await assert.rejects(conn.copyFrom('select 1', []), { code: 'ERR_INVALID_ARGUMENT' })
    assert.deepEqual([...(await conn.query('select 3::int4 as three'))], [{ three: 3 }])
  })

  it('keeps pipelined queries in order around a COPY', async () => {
    await conn.query('truncate copy_t')
    const results = await Promise.all([
      conn.query('select 1::int4 as n'),
      conn.copyFrom('copy copy_t from stdin', ['10\tten\n']),
      conn.query('select count(*)::int4 as n from copy_t'),
    ])
    assert.equal(results[1], 1)
    assert.deepEqual([...(results[2] as object[])], [{ n: 1 }])
  })
})
