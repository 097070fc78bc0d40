import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MySqlDriver } from '../../../../src/mysql/driver.js'
import { getMariaDb } from '../../../harness/index.js'

// MySqlDriver connection sharing (issue 16): only statements the caller marks `{ shareable: true }`
// are pipelined on a connection other callers use; every other statement has one of its own.
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

  it('statements not marked shareable each take a connection of their own', async () => {
    const db = driver({ poolSize: 8 })
    assert.equal((await connectionIds(db, {})).size, 8)
    assert.equal(db.metrics().created, 8)
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

  it('refuses a non-boolean shareable and a pipelineBeforeGrow above pipelineDepth', async () => {
    const db = driver({ poolSize: 1 })
    await assert.rejects(db.execute('SELECT 1', [], { shareable: 'yes' as never }), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    assert.throws(() => new MySqlDriver(url, { pipelineDepth: 4, pipelineBeforeGrow: 8 }), {
      code: 'ERR_INVALID_ARGUMENT',
    })
  })
})
