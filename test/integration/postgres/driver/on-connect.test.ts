import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Session } from '../../../../src/postgres/driver/session.js'
import { PostgresDriver } from '../../../../src/postgres/driver.js'
import { getPostgres } from '../../../harness/index.js'

interface Seen {
  pid: number
  app: string
  path: string
}

const SEEN = `select pg_backend_pid() as pid, current_setting('application_name') as app,
  current_setting('search_path') as path`

// The onConnect hook (issue 17): what it sets survives the session reset on release.
describe('PostgresDriver onConnect', () => {
  let url: string
  before(async () => {
    url = (await getPostgres()).urls.trust
  })

  describe('with a hook that sets application_name and search_path', () => {
    let db: PostgresDriver
    const runs: number[] = []
    before(() => {
      db = new PostgresDriver(url, {
        poolSize: 2,
        onConnect: async (s: Session) => {
          await s.execute("set application_name = 'from_hook'")
          await s.execute('set search_path = hook_schema, public')
          runs.push((await s.executeOne<{ pid: number }>('select pg_backend_pid() as pid'))!.pid)
        },
      })
    })
    after(() => db?.close())

    // Each borrower changes the session in another way the reset must undo (or that undoes the hook).
    const borrowers: [string, (r: Session) => Promise<unknown>][] = [
      ['SET', (r) => r.execute("set application_name = 'borrower'")],
      ['RESET ALL', (r) => r.execute('reset all')],
      ['RESET one', (r) => r.execute('reset application_name')],
      ['DISCARD ALL', (r) => r.execute('discard all')],
      ['set_config', (r) => r.execute("select set_config('search_path', 'pg_catalog', false)")],
      ['temp table', (r) => r.execute('create temp table hook_tmp (a int)')],
      ['open transaction', (r) => r.execute("begin; set local application_name = 'tx'")],
      ['nothing', (r) => r.execute('select 1')],
    ]

    it('every borrower sees the hook values, across many acquire/release cycles', async () => {
      for (let round = 0; round < 5; round++) {
        for (const [name, change] of borrowers) {
          const r = await db.reserve()
          await change(r)
          r.release()
          // Both connections, since a reset runs after the release.
          const seen = await Promise.all([db.reserve(), db.reserve()])
          for (const s of seen) {
            const row = (await s.executeOne<Seen>(SEEN))!
            assert.equal(row.app, 'from_hook', `after ${name} (round ${round})`)
            assert.equal(row.path, 'hook_schema, public', `after ${name} (round ${round})`)
            s.release()
          }
        }
      }
      assert.ok(db.metrics().created <= 2, 'the hook values were restored, not new connections opened')
    })

    it('a clean borrower costs no rerun of the hook', async () => {
      // Holding both connections waits for any reset (and rerun) still running after a release.
      const settled = async () => {
        for (const r of await Promise.all([db.reserve(), db.reserve()])) r.release()
      }
      await settled()
      const before = runs.length
      for (let i = 0; i < 10; i++) await db.execute('select $1::int4 as n', [i])
      const r = await db.reserve()
      await r.execute('select 1')
      r.release()
      await settled()
      assert.equal(runs.length, before)
      const r2 = await db.reserve()
      await r2.execute("set application_name = 'x'")
      r2.release()
      await settled()
      assert.equal(runs.length, before + 1, 'one rerun after one dirty release')
    })

    it('the session given to the hook cannot be used after it', async () => {
      let kept: Session | undefined
      const d = new PostgresDriver(url, {
        poolSize: 1,
        onConnect: (s) => {
          kept = s
        },
      })
      await d.execute('select 1')
      await assert.rejects(kept!.execute('select 1'), { code: 'ERR_INVALID_ARGUMENT' })
      await d.close()
    })
  })

  it('a failing hook fails the connection, with its error as the cause', async () => {
    const d = new PostgresDriver(url, {
      poolSize: 1,
      pool: { breaker: { failureThreshold: 1 } },
      onConnect: (s) => s.execute('set no_such_setting_at_all = 1'),
    })
    const error = await d.execute('select 1').then(
      () => assert.fail('no connection should be usable'),
      (e: unknown) => e as { code: string; cause?: { code?: string; cause?: { sqlState?: string } } },
    )
    assert.equal(error.code, 'ERR_CIRCUIT_OPEN')
    assert.equal(error.cause?.code, 'ERR_CONNECTION_FAILED')
    assert.equal(error.cause?.cause?.sqlState, '42704')
    await d.close()
  })

  it('a hook that leaves a transaction open is refused', async () => {
    const d = new PostgresDriver(url, {
      poolSize: 1,
      pool: { breaker: { failureThreshold: 1 } },
      onConnect: (s) => s.execute('begin'),
    })
    await assert.rejects(d.execute('select 1'), (e: { cause?: { code?: string; cause?: Error } }) => {
      assert.equal(e.cause?.code, 'ERR_CONNECTION_FAILED')
      assert.match(String(e.cause?.cause?.message), /transaction open/)
      return true
    })
    await d.close()
  })

  it('onConnect must be a function', () => {
    assert.throws(() => new PostgresDriver(url, { onConnect: 'set x = 1' as never }), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /onConnect/,
    })
  })
})
