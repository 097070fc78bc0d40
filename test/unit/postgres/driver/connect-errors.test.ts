import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AuthenticationError, ConnectionError, InvalidArgumentError } from '../../../../src/errors/classes.js'
import { DatabaseError } from '../../../../src/errors/database-error.js'
import { isTransientConnectError } from '../../../../src/postgres/driver/connect-errors.js'

const db = (sqlState: string) => new DatabaseError('server says no', { sqlState })
const errno = (code: string) => Object.assign(new Error(code), { code })

// Issue 14: which connect failures the pool retries (transient) and which reach the caller at once.
describe('isTransientConnectError', () => {
  it('transient: nothing listening, a socket reset, a timeout, a server starting or full', () => {
    for (const error of [
      new ConnectionError('ERR_CONNECTION_FAILED', 'cannot connect', { cause: errno('ECONNREFUSED') }),
      new ConnectionError('ERR_CONNECTION_CLOSED', 'the server closed the connection'),
      new ConnectionError('ERR_CONNECT_TIMEOUT', 'timed out'),
      new ConnectionError('ERR_TLS', 'handshake failed', { cause: errno('ECONNRESET') }),
      db('57P03'), // cannot_connect_now: the database system is starting up
      db('53300'), // too_many_connections
      db('08006'),
      new Error('a password function that failed'),
    ]) {
      assert.equal(isTransientConnectError(error), true, error.message)
    }
  })

  it('not transient: authentication, a missing database, TLS configuration, bad options', () => {
    for (const error of [
      new AuthenticationError('password authentication failed', { cause: db('28P01') }),
      new AuthenticationError('no pg_hba.conf entry', { cause: db('28000') }),
      db('3D000'), // database does not exist
      db('42501'), // no CONNECT privilege
      new ConnectionError('ERR_TLS', 'the server does not support TLS but sslmode=require'),
      new ConnectionError('ERR_TLS', 'handshake failed', { cause: errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE') }),
      new ConnectionError('ERR_TLS', 'handshake failed', { cause: errno('ERR_TLS_CERT_ALTNAME_INVALID') }),
      new InvalidArgumentError('sslrootcert: cannot read /nope'),
    ]) {
      assert.equal(isTransientConnectError(error), false, error.message)
    }
  })

  it('several hosts: transient if any host may come back', () => {
    const of = (...errors: Error[]) =>
      new ConnectionError('ERR_CONNECTION_FAILED', 'no server matched', { cause: new AggregateError(errors) })
    assert.equal(isTransientConnectError(of(new AuthenticationError('no'), db('3D000'))), false)
    assert.equal(isTransientConnectError(of(new AuthenticationError('no'), db('57P03'))), true)
  })
})
