import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PostgresDriver } from '../../../../src/postgres/driver.js'
import { getPostgres } from '../../../harness/index.js'
import { waitFor } from '../../../support/wait-for.js'

// listen/notify on a dedicated connection that comes back after a failure (issue 5).
describe('PostgresDriver listen', () => {
  let db: PostgresDriver
  before(async () => {
    db = new PostgresDriver((await getPostgres()).urls.trust, { poolSize: 2 })
  })
  after(() => db?.close())

  it('delivers notifications to every handler of a channel until unlistened', async () => {
    const a: string[] = []
    const b: string[] = []
    const stopA = await db.listen('drv chan', (payload) => a.push(payload))
    const stopB = await db.listen('drv chan', (payload, n) => b.push(`${n.channel}:${payload}`))
    await db.notify('drv chan', 'one')
    await waitFor('both handlers called', () => a.length === 1 && b.length === 1)
    assert.deepEqual(b, ['drv chan:one'])
    await stopA()
    await db.notify('drv chan', 'two')
    await waitFor('the second notification', () => b.length === 2)
    assert.deepEqual(a, ['one'])
    await stopB()
    assert.equal(db.metrics().listener.channels, 0)
  })

  it('a throwing handler does not break delivery', async () => {
    const got: string[] = []
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.message)
    process.on('warning', onWarning)
    const stop1 = await db.listen('drv_throw', () => {
      throw new Error('handler bug')
    })
    const stop2 = await db.listen('drv_throw', (p) => got.push(p))
    await db.notify('drv_throw', 'x')
    await waitFor('delivery past the throwing handler', () => got.length === 1)
    await stop1()
    await stop2()
    await waitFor("the handler's error as a process warning", () => warnings.length > 0)
    process.off('warning', onWarning)
  })

  it('re-connects and re-issues LISTEN after the session is terminated', async () => {
    const got: string[] = []
    const stop = await db.listen('drv_recover', (p) => got.push(p))
    const server = await getPostgres()
    const pids = await server.psql(
      "select pid from pg_stat_activity where query ilike 'listen%drv_recover%' and pid <> pg_backend_pid()",
    )
    assert.ok(pids.trim().length > 0, 'found the listening session')
    await server.psql(`select pg_terminate_backend(${pids.trim().split('\n')[0]})`)
    await waitFor('the listener to reconnect', () => db.metrics().listener.reconnects >= 1, { tries: 500 })
    await db.notify('drv_recover', 'after')
    await waitFor('a notification after the reconnect', () => got.includes('after'))
    await stop()
  })

  it('refuses bad arguments', async () => {
    await assert.rejects(
      db.listen('', () => {}),
      { code: 'ERR_INVALID_ARGUMENT' },
    )
    await assert.rejects(db.listen('c', 'nope' as never), { code: 'ERR_INVALID_ARGUMENT' })
    await assert.rejects(db.notify(1 as never), { code: 'ERR_INVALID_ARGUMENT' })
  })
})
