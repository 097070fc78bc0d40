import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MySqlDriver } from '../../../../src/mysql/driver.js'
import { getMariaDb } from '../../../harness/index.js'

// MySqlDriver connection sharing (issue 16): statements the driver proves session-neutral
// (sharing: 'auto', the default) and those the caller marks `{ shareable: true }` are pipelined on a
// connection other callers use; every other statement has one of its own.
describe('MySqlDriver sharing', () => {
  let url: string
  const drivers: MySqlDriver[] = []
  const driver = (options: ConstructorParameters<typeof MySqlDriver>[1]) => {
    const db = new MySqlDriver(url, options)
    drivers.push(db)
    return db
  }
  // Each call holds its statement for a moment, so the 8 calls overlap on the server.
  const SLOW = 'SELECT CONNECTION_ID() AS id FROM (SELECT SLEEP(0.05)) AS s'
  const connectionIds = async (db: MySqlDriver, options: { shareable?: boolean; timeoutMs?: number }) => {
    const rows = await Promise.all(
      Array.from({ length: 8 }, () => db.executeOne<{ id: bigint }>(SLOW, [], options)),
    )
    return new Set(rows.map((row) => row!.id))
  }

  before(async () => {
    url = (await getMariaDb()).url
  })
  after(() => Promise.all(drivers.map((db) => db.close())))

  it('statements the driver cannot prove session-neutral each take a connection of their own', async () => {
    const db = driver({ poolSize: 8 })
    // SLEEP would hold every statement queued behind it: not shared.
    assert.equal((await connectionIds(db, {})).size, 8)
    assert.equal(db.metrics().created, 8)
  })

  it('a plain SELECT is shared by default: 8 callers at once use one connection', async () => {
    const db = driver({ poolSize: 8, pipelineBeforeGrow: 8 })
    const plain = () => db.executeOne<{ id: bigint }>('SELECT CONNECTION_ID() AS id, ? AS n', [1])
    const ids = new Set((await Promise.all(Array.from({ length: 8 }, plain))).map((r) => r!.id))
    assert.equal(ids.size, 1)
    assert.equal(db.metrics().created, 1)
    // The caller's word wins over the proof; sharing: 'opt-in' shares nothing unasked.
    const own = await Promise.all(
      Array.from({ length: 8 }, () =>
        db.executeOne<{ id: bigint }>('SELECT CONNECTION_ID() AS id FROM (SELECT SLEEP(0.05)) AS s', [], {
          shareable: false,
        }),
      ),
    )
    assert.equal(new Set(own.map((r) => r!.id)).size, 8)
    const optIn = driver({ poolSize: 8, pipelineBeforeGrow: 8, sharing: 'opt-in' })
    assert.equal((await connectionIds(optIn, {})).size, 8)
  })

  it('a session lock is never shared: GET_LOCK waits on a connection of its own', async () => {
    const db = driver({ poolSize: 4, pipelineBeforeGrow: 8 })
    const holder = driver({ poolSize: 1 })
    const locked = await holder.reserve()
    try {
      await locked.execute("SELECT GET_LOCK('covet_share', 10)")
      // The waiting GET_LOCK holds its connection; plain SELECTs meanwhile run on another one.
      const waiting = db.execute("SELECT GET_LOCK('covet_share', 10) AS got")
      const ids = await Promise.all(
        Array.from({ length: 4 }, () => db.executeOne<{ n: bigint }>('SELECT ? AS n', [7])),
      )
      assert.deepEqual(
        ids.map((r) => r!.n),
        [7n, 7n, 7n, 7n],
      )
      await locked.execute("SELECT RELEASE_LOCK('covet_share')")
      assert.equal(Number((await waiting)[0]!.got), 1)
    } finally {
      locked.release()
    }
  })

  it('shareable statements are pipelined on one connection up to pipelineBeforeGrow', async () => {
    const db = driver({ poolSize: 8, pipelineBeforeGrow: 8 })
    assert.equal((await connectionIds(db, { shareable: true })).size, 1)
    assert.equal(db.metrics().created, 1)
    assert.equal(db.metrics().queries.failed, 0)
  })

  it('a statement with a timeout is never shared (KILL QUERY would end whatever runs)', async () => {
    const db = driver({ poolSize: 8, pipelineBeforeGrow: 8 })
    assert.equal((await connectionIds(db, { shareable: true, timeoutMs: 10_000 })).size, 8)
  })

  it('refuses a non-boolean shareable, an unknown sharing and a pipelineBeforeGrow above pipelineDepth', async () => {
    const db = driver({ poolSize: 1 })
    await assert.rejects(db.execute('SELECT 1', [], { shareable: 'yes' as never }), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    assert.throws(() => new MySqlDriver(url, { pipelineDepth: 4, pipelineBeforeGrow: 8 }), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    assert.throws(() => new MySqlDriver(url, { sharing: 'always' as never }), {
      code: 'ERR_INVALID_ARGUMENT',
    })
  })
})
