import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DatabaseError } from '../../../src/errors/database-error.js'
import { waitFor } from '../../support/wait-for.js'
import { FakeConnection, fakeConnections } from './fake-connection.js'

// DriverConnections over a stub dialect: what is reset, re-prepared or destroyed on release.
describe('DriverConnections', () => {
  it('releases a clean connection as is, resets a dirty one first', async () => {
    const { connections } = fakeConnections({ max: 1 })
    const conn = await connections.acquire()
    await conn.run('SELECT 1')
    connections.giveBack(conn)
    await waitFor('released', () => connections.pool.state().idle === 1)
    assert.deepEqual(conn.log, ['SELECT 1'])
    const again = await connections.acquire()
    assert.equal(again, conn)
    await again.run('SET x = 1')
    connections.giveBack(again)
    await waitFor('reset and released', () => connections.pool.state().idle === 1)
    assert.deepEqual(conn.log, ['SELECT 1', 'SET x = 1', 'RESET'])
    assert.equal(conn.dirty, false)
    await connections.pool.close()
  })

  it('destroys a connection that is closed, or still in a transaction after its reset', async () => {
    const { connections } = fakeConnections({ max: 1 })
    const dead = await connections.acquire()
    dead.die()
    connections.giveBack(dead)
    await waitFor('a closed connection destroyed', () => connections.pool.state().size === 0)
    const open = await connections.acquire()
    assert.notEqual(open, dead)
    await open.run('BEGIN')
    await open.run('SET x = 1')
    connections.giveBack(open)
    // The fake's RESET does not end the transaction: unknown state, never reused.
    await waitFor('the connection in a transaction destroyed', () => connections.pool.state().size === 0)
    assert.equal(open.closed, true)
    await connections.pool.close()
  })

  it('runs onConnect on a new connection and again when a reset lost its baseline', async () => {
    const prepared: number[] = []
    const { connections } = fakeConnections({
      max: 1,
      onConnect: async (conn) => {
        prepared.push(conn.id)
        await conn.run('SET baseline = 1')
      },
    })
    const conn = await connections.acquire()
    // What the hook set is the baseline, not a change to undo.
    assert.equal(conn.dirty, false)
    connections.giveBack(conn)
    await waitFor('released', () => connections.pool.state().idle === 1)
    assert.deepEqual(prepared, [conn.id])
    const again = await connections.acquire()
    await again.run('SET other = 2')
    connections.giveBack(again)
    await waitFor('reset, prepared, released', () => connections.pool.state().idle === 1)
    assert.deepEqual(prepared, [conn.id, conn.id])
    assert.deepEqual(conn.log.slice(-2), ['RESET', 'SET baseline = 1'])
    await connections.pool.close()
  })

  it('a failing onConnect fails the creation (ERR_CONNECTION_FAILED, counted by the breaker) and closes the connection', async () => {
    const before = FakeConnection.opened
    const { connections } = fakeConnections({
      pool: { breaker: { failureThreshold: 1 } },
      onConnect: async () => {
        throw new DatabaseError('hook says no', { sqlState: '42704' })
      },
    })
    // Transient whatever the hook threw (the dialect here calls every connect error final).
    await assert.rejects(
      connections.acquire(),
      (error: Error & { code?: string; cause?: Error & { code?: string; cause?: Error } }) => {
        assert.equal(error.code, 'ERR_CIRCUIT_OPEN')
        assert.equal(error.cause?.code, 'ERR_CONNECTION_FAILED')
        assert.match(error.cause!.cause!.message, /hook says no/)
        return true
      },
    )
    assert.equal(FakeConnection.opened, before + 1)
    assert.equal(connections.live.size, 0)
    await connections.pool.close()
  })

  it('an idle connection that dies leaves the pool at once; its bytes stay counted', async () => {
    const { connections } = fakeConnections({ max: 1 })
    const conn = await connections.acquire()
    connections.giveBack(conn)
    await waitFor('released', () => connections.pool.state().idle === 1)
    assert.deepEqual(connections.bytes(), { in: 10, out: 5 })
    conn.die()
    assert.equal(connections.pool.state().size, 0)
    assert.equal(connections.live.size, 0)
    assert.deepEqual(connections.bytes(), { in: 10, out: 5 })
    await connections.pool.close()
  })
})
