import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTransientConnectError } from '../../../src/driver/connect-errors.js'
import { DriverCounters } from '../../../src/driver/metrics.js'
import {
  backoff,
  retryPolicy,
  runSavepoint,
  runSequentialBatch,
  runTransaction,
} from '../../../src/driver/transactions.js'
import { AuthenticationError, ConnectionError } from '../../../src/errors/classes.js'
import { DatabaseError } from '../../../src/errors/database-error.js'
import { FAKE_TRANSACTIONS, FakeConnection } from './fake-connection.js'

const tx = () => {
  const ended: string[] = []
  return { ended, end: (why: string) => ended.push(why) }
}

describe('transactions (src/driver)', () => {
  it('retry policies', () => {
    assert.equal(retryPolicy(undefined).maxAttempts, 1)
    assert.equal(retryPolicy(false).maxAttempts, 1)
    assert.equal(retryPolicy(true).maxAttempts, 5)
    assert.equal(retryPolicy(2).maxAttempts, 3)
    assert.deepEqual(retryPolicy({ maxAttempts: 9 }), { maxAttempts: 9, baseDelayMs: 20, maxDelayMs: 1000 })
    assert.throws(() => retryPolicy(-1), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => retryPolicy({ maxAttempts: 0 }), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => retryPolicy({ baseDelayMs: 1.5 }), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('an aborted backoff rejects with ERR_QUERY_CANCELLED', async () => {
    const signal = AbortSignal.abort()
    await assert.rejects(backoff(retryPolicy(true), 3, signal), { code: 'ERR_QUERY_CANCELLED' })
  })

  it("commit on return, rollback on throw, the dialect's BEGIN", async () => {
    const conn = new FakeConnection()
    const counters = new DriverCounters()
    const t = tx()
    assert.equal(await runTransaction(conn, counters, FAKE_TRANSACTIONS, ['SET T', 'START'], t, () => 7), 7)
    assert.deepEqual(conn.log, ['SET T', 'START', 'COMMIT'])
    assert.deepEqual(t.ended, ['transaction has ended'])
    await assert.rejects(
      runTransaction(conn, counters, FAKE_TRANSACTIONS, ['BEGIN'], tx(), () => {
        throw new Error('boom')
      }),
      /boom/,
    )
    assert.deepEqual(conn.log.slice(3), ['BEGIN', 'ROLLBACK'])
    assert.deepEqual(counters.transactions, { committed: 1, rolledBack: 1, retried: 0 })
  })

  it('a ROLLBACK that fails closes the connection (unknown state)', async () => {
    const conn = new FakeConnection()
    conn.failing.set('ROLLBACK', '08006')
    await assert.rejects(
      runTransaction(conn, new DriverCounters(), FAKE_TRANSACTIONS, ['BEGIN'], tx(), () => {
        throw new Error('boom')
      }),
      /boom/,
    )
    assert.equal(conn.closed, true)
  })

  it('savepoints: released on return, rolled back to on throw', async () => {
    const conn = new FakeConnection()
    await conn.run('BEGIN')
    const inner = tx()
    assert.equal(await runSavepoint(conn, FAKE_TRANSACTIONS, 2, inner, () => 'ok'), 'ok')
    await assert.rejects(
      runSavepoint(conn, FAKE_TRANSACTIONS, 1, tx(), () => {
        throw new Error('inner')
      }),
      /inner/,
    )
    assert.deepEqual(conn.log, [
      'BEGIN',
      'SAVEPOINT covet_sp_2',
      'RELEASE SAVEPOINT covet_sp_2',
      'SAVEPOINT covet_sp_1',
      'ROLLBACK TO SAVEPOINT covet_sp_1',
      'RELEASE SAVEPOINT covet_sp_1',
    ])
    assert.deepEqual(inner.ended, ['nested transaction has ended'])
    // The server already ended the whole transaction: the callback's error, no ROLLBACK TO.
    conn.inTransaction = false
    await assert.rejects(
      runSavepoint(conn, FAKE_TRANSACTIONS, 1, tx(), () => {
        throw new DatabaseError('deadlock', { sqlState: '40001' })
      }),
      { sqlState: '40001' },
    )
    assert.equal(conn.log.at(-1), 'SAVEPOINT covet_sp_1')
  })

  it('the sequential batch stops at the first failure and rolls back', async () => {
    const conn = new FakeConnection()
    conn.failing.set('B', '23505')
    const counters = new DriverCounters()
    const queries = ['A', 'B', 'C'].map((sql) => ({ sql, params: [] }))
    await assert.rejects(
      runSequentialBatch(conn, counters, FAKE_TRANSACTIONS, ['BEGIN'], queries, (c, q) => c.run(q.sql)),
      { sqlState: '23505' },
    )
    assert.deepEqual(conn.log, ['BEGIN', 'A', 'B', 'ROLLBACK'])
    assert.equal(counters.failed, 1)
    const ok = queries.filter((q) => q.sql !== 'B')
    assert.deepEqual(
      await runSequentialBatch(conn, counters, FAKE_TRANSACTIONS, ['BEGIN'], ok, (c, q) => c.run(q.sql)),
      ['A', 'C'],
    )
  })
})

describe('isTransientConnectError (src/driver)', () => {
  const serverSays = (error: DatabaseError) => error.errno === 1040
  it('asks the dialect about server errors, also those a refused handshake carries', () => {
    const full = new DatabaseError('Too many connections', { errno: 1040 })
    const blocked = new DatabaseError('Host is blocked', { errno: 1129 })
    assert.equal(isTransientConnectError(full, serverSays), true)
    assert.equal(isTransientConnectError(blocked, serverSays), false)
    const refused = (cause: DatabaseError) =>
      new ConnectionError('ERR_CONNECTION_FAILED', 'refused', { cause })
    assert.equal(isTransientConnectError(refused(full), serverSays), true)
    assert.equal(isTransientConnectError(refused(blocked), serverSays), false)
    assert.equal(
      isTransientConnectError(new AuthenticationError('denied'), () => true),
      false,
    )
    assert.equal(
      isTransientConnectError(new ConnectionError('ERR_CONNECTION_FAILED', 'ECONNREFUSED'), serverSays),
      true,
    )
  })
})
