import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { MySqlDriver } from '../../../../src/mysql/driver.js'
import { getMariaDb, type MariaDbServer } from '../../../harness/index.js'
import { waitFor } from '../../../support/wait-for.js'

const CHILD = fileURLToPath(new URL('../../../support/mysql-stream-rss.ts', import.meta.url))
/** How much more a 1M-row stream may peak at than a 100k-row one: flat, give or take the GC. */
const FLAT_MIB = 32

/**
 * driver.stream with bounded memory (issue 16, "stream with flat RSS"): the peak RSS of a child
 * process streaming 1,000,000 rows stays within FLAT_MIB of one streaming 100,000 (a buffered
 * execute() of the same rows, measured the same way, does not: the measurement can tell), and a
 * loop left early gives its connection back usable.
 */
describe('MySqlDriver stream', { timeout: 120_000 }, () => {
  let server: MariaDbServer
  before(async () => {
    server = await getMariaDb()
  })

  /** Peak RSS in MiB of a child process that reads `rows` rows in `mode`. */
  const peakRss = async (rows: number, mode: 'stream' | 'buffered'): Promise<number> => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', CHILD, server.url, String(rows), mode],
      { encoding: 'utf8' },
    )
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { rows: number; maxRssMiB: number }
    assert.equal(result.rows, rows)
    return result.maxRssMiB
  }

  it(`streaming 1M rows peaks within ${FLAT_MIB} MiB of streaming 100k`, async () => {
    const small = await peakRss(100_000, 'stream')
    const large = await peakRss(1_000_000, 'stream')
    assert.ok(large - small < FLAT_MIB, `peak RSS ${small} MiB for 100k rows, ${large} MiB for 1M`)
    // The control: buffering the same rows grows with them, past the same bound.
    const buffered = await peakRss(1_000_000, 'buffered')
    assert.ok(buffered - small >= FLAT_MIB, `buffered 1M rows peaked at only ${buffered} MiB`)
  })

  describe('a loop left early', () => {
    let db: MySqlDriver
    before(() => {
      db = new MySqlDriver(server.url, { poolSize: 1 })
    })
    after(() => db?.close())

    it('gives the connection back usable: the same connection runs the next statement and stream', async () => {
      const id = Number((await db.executeOne<{ id: bigint }>('SELECT CONNECTION_ID() AS id'))!.id)
      let seen = 0
      for await (const row of db.stream<{ seq: bigint }>('SELECT seq FROM seq_1_to_1000000', [], {
        batchSize: 500,
      })) {
        seen++
        assert.equal(Number(row.seq), seen)
        if (seen === 10) break
      }
      await waitFor('the connection back in the pool', () => db.metrics().inUse === 0)
      // A second borrower gets the same session, idle (the cursor closed) and answering.
      const again = await db.executeOne<{ id: bigint; n: bigint }>('SELECT CONNECTION_ID() AS id, 7 AS n')
      assert.equal(Number(again!.id), id)
      assert.equal(Number(again!.n), 7)
      let n = 0
      for await (const _ of db.stream('SELECT seq FROM seq_1_to_2500', [], { batchSize: 1000 })) n++
      assert.equal(n, 2500)
      const m = db.metrics()
      assert.equal(m.created, 1)
      assert.equal(m.destroyed.borrower + m.destroyed.broken, 0)
      assert.equal(m.queries.failed, 0)
    })
  })
})
