import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DriverCore } from '../../../src/driver/driver-core.js'
import { runTransaction } from '../../../src/driver/transactions.js'
import { ConnectionError } from '../../../src/errors/classes.js'
import { DatabaseError } from '../../../src/errors/database-error.js'
import { deferred, waitFor } from '../../support/wait-for.js'
import { FAKE_TRANSACTIONS, type FakeConnection, fakeConnections } from './fake-connection.js'

const unsent = new WeakSet<object>()

function core(options: Parameters<typeof fakeConnections>[0] = {}) {
  const { connections, counters, opened } = fakeConnections(options)
  const driver = new DriverCore<FakeConnection>({
    connections,
    counters,
    closeTimeoutMs: 10_000,
    wasNeverSent: (error) => typeof error === 'object' && error !== null && unsent.has(error),
  })
  return { driver, connections, counters, opened }
}

describe('DriverCore', () => {
  it('close() waits for in-flight work, refuses new work before it starts', async () => {
    const { driver } = core()
    const gate = deferred()
    const inFlight = driver.execute(false, undefined, async (conn) => {
      await gate.promise
      return conn.run('SELECT 1')
    })
    let closed = false
    const closing = driver.close().then(() => {
      closed = true
    })
    let started = false
    assert.throws(
      () =>
        driver.execute(false, undefined, async () => {
          started = true
        }),
      { code: 'ERR_POOL_CLOSED' },
    )
    await assert.rejects(
      driver.track(async () => {
        started = true
      }),
      { code: 'ERR_POOL_CLOSED' },
    )
    await assert.rejects(
      driver.reserve(undefined, () => 0),
      { code: 'ERR_POOL_CLOSED' },
    )
    assert.equal(started, false)
    assert.equal(closed, false)
    gate.resolve()
    assert.equal(await inFlight, 'SELECT 1')
    await closing
    assert.equal(closed, true)
  })

  it('close() past its timeout closes the connections under the work', async () => {
    const { driver } = core()
    // Work that ends only when its connection does.
    const stuck = driver.execute(false, undefined, (conn) => new Promise((_, reject) => conn.onClose(reject)))
    await driver.close(10)
    await assert.rejects(stuck, { code: 'ERR_CONNECTION_CLOSED' })
  })

  it('runs a statement that never reached the server once more, on another connection', async () => {
    const { driver, counters } = core()
    const seen: number[] = []
    const result = await driver.execute(false, undefined, async (conn) => {
      seen.push(conn.id)
      if (seen.length === 1) {
        conn.die()
        const error = new ConnectionError('ERR_CONNECTION_CLOSED', 'not written')
        unsent.add(error)
        throw error
      }
      return conn.run('SELECT 1')
    })
    assert.equal(result, 'SELECT 1')
    assert.equal(seen.length, 2)
    assert.notEqual(seen[0], seen[1])
    assert.equal(counters.retriedUnsent, 1)
    // A statement that was written is not run again: whether it ran is unknown.
    let runs = 0
    await assert.rejects(
      driver.execute(false, undefined, async () => {
        runs++
        throw new ConnectionError('ERR_CONNECTION_CLOSED', 'written, then the socket died')
      }),
      { code: 'ERR_CONNECTION_CLOSED' },
    )
    assert.equal(runs, 1)
    assert.equal(counters.queries, 2)
    assert.equal(counters.failed, 1)
    await driver.close()
  })

  it('transaction(): retries what the dialect calls retryable, with a fresh attempt each time', async () => {
    const { driver, counters } = core()
    let attempts = 0
    const result = await driver.transaction(
      () => {},
      { retry: { maxAttempts: 3, baseDelayMs: 0 } },
      FAKE_TRANSACTIONS.isRetryable,
      () => (conn) =>
        runTransaction(conn, counters, FAKE_TRANSACTIONS, ['BEGIN'], { end: () => {} }, async () => {
          if (++attempts < 3) throw new DatabaseError('serialization failure', { sqlState: '40001' })
          return attempts
        }),
    )
    assert.equal(result, 3)
    assert.deepEqual(counters.transactions, { committed: 1, rolledBack: 2, retried: 2 })
    await assert.rejects(
      driver.transaction(
        42,
        {},
        () => true,
        () => async () => 0,
      ),
      { code: 'ERR_INVALID_ARGUMENT' },
    )
    await assert.rejects(
      driver.transaction(
        () => {},
        { retry: -1 },
        () => true,
        () => async () => 0,
      ),
      { code: 'ERR_INVALID_ARGUMENT' },
    )
    await driver.close()
  })

  it('reserve() lends a connection until release; stream() gives it back when the loop ends', async () => {
    const { driver, connections } = core({ max: 1 })
    const reserved = await driver.reserve(undefined, (conn, release) => ({ conn, release }))
    assert.equal(connections.pool.state().inUse, 1)
    reserved.release()
    await waitFor('the reserved connection back', () => connections.pool.state().idle === 1)
    async function* rows(conn: FakeConnection) {
      yield await conn.run('FETCH 1')
      yield await conn.run('FETCH 2')
    }
    for await (const row of driver.stream(undefined, rows)) {
      assert.equal(row, 'FETCH 1')
      break
    }
    await waitFor('the streaming connection back', () => connections.pool.state().idle === 1)
    await driver.close()
  })
})
