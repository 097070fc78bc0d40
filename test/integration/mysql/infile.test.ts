import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { getMariaDb, type MariaDbServer } from '../../harness/index.js'

/** LOAD DATA LOCAL INFILE only from a stream the caller gives; every other request refused. */
let server: MariaDbServer
let plain: MySqlConnection
let local: MySqlConnection

before(async () => {
  server = await getMariaDb()
  plain = await MySqlConnection.connect(server.url)
  local = await MySqlConnection.connect(`${server.url}?localInfile=true`)
  await plain.query(
    'CREATE TABLE IF NOT EXISTS infile_t (id INT PRIMARY KEY, name VARCHAR(20)) ENGINE=InnoDB',
  )
})
after(async () => {
  await plain?.close()
  await local?.close()
})

const LOAD = "LOAD DATA LOCAL INFILE 'rows.tsv' INTO TABLE infile_t FIELDS TERMINATED BY '\\t'"

async function count(): Promise<number> {
  const [row] = await plain.query<{ n: bigint }>('SELECT COUNT(*) AS n FROM infile_t')
  return Number(row!.n)
}

describe('LOAD DATA LOCAL INFILE', () => {
  it('without the localInfile option the client does not offer it, and the server refuses', async () => {
    const error = await plain.query(LOAD, { infile: ['1\ta\n'] }).catch((e) => e)
    assert.equal(error.code, 'ER_LOAD_INFILE_CAPABILITY_DISABLED')
    assert.equal(error.errnoName, 'ER_LOAD_INFILE_CAPABILITY_DISABLED')
  })

  it('loads the rows of the stream given to query()', async () => {
    await plain.query('DELETE FROM infile_t')
    const lines = Array.from({ length: 5000 }, (_, i) => `${i}\tname ${i}\n`)
    const result = await local.query(LOAD, { infile: Readable.from(lines) })
    assert.equal(result.affectedRows, 5000)
    assert.equal(await count(), 5000)
    // Strings and Uint8Arrays, sync iterables too.
    await plain.query('DELETE FROM infile_t')
    await local.query(LOAD, { infile: ['1\tone\n', new TextEncoder().encode('2\ttwo\n')] })
    assert.equal(await count(), 2)
  })

  it('a request for a statement given no stream is refused: no file is read, the query fails', async () => {
    await plain.query('DELETE FROM infile_t')
    // The server names /etc/passwd; covet answers with an empty file, never opening it.
    const error = await local
      .query("LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE infile_t FIELDS TERMINATED BY ':'")
      .catch((e) => e)
    assert.equal(error.code, 'ERR_UNSUPPORTED')
    assert.match(error.message, /\/etc\/passwd/)
    assert.equal(await count(), 0)
    assert.equal((await local.query<{ one: number }>('SELECT 1 AS one'))[0]!.one, 1)
  })

  it('a failing source aborts the statement by closing the connection: nothing is loaded', async () => {
    await plain.query('DELETE FROM infile_t')
    const c = await MySqlConnection.connect(`${server.url}?localInfile=true`)
    async function* failing() {
      for (let i = 0; i < 1000; i++) yield `${i}\tok\n`
      throw new Error('disk gone')
    }
    const error = await c.query(LOAD, { infile: failing() }).catch((e) => e)
    assert.equal(error.code, 'ERR_COPY_ABORTED')
    assert.equal(error.cause.message, 'disk gone')
    assert.equal(c.closed, true)
    assert.equal(await count(), 0)
  })
})
