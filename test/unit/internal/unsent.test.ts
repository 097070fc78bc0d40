import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConnectionError, QueryError } from '../../../src/errors/classes.js'
import { CovetError } from '../../../src/errors/covet-error.js'
import { neverSent, unsent, wasNeverSent } from '../../../src/internal/unsent.js'
import { wasNeverSent as mysqlWasNeverSent } from '../../../src/mysql/pipeline.js'
import { wasNeverSent as pgWasNeverSent } from '../../../src/postgres/query-pipeline.js'

describe('unsent', () => {
  it('unsent copies the failure as a ConnectionError marked never sent, leaving the original unmarked', () => {
    const cause = new Error('socket reset')
    const failure = new ConnectionError('ERR_CONNECTION_CLOSED', 'the connection closed', { cause })
    const copy = unsent(failure)
    assert.notEqual(copy, failure)
    assert.ok(copy instanceof ConnectionError)
    assert.equal(copy.code, 'ERR_CONNECTION_CLOSED')
    assert.equal(copy.message, 'the connection closed')
    assert.equal(copy.cause, cause)
    assert.equal(wasNeverSent(copy), true)
    assert.equal(wasNeverSent(failure), false)
  })

  it('neverSent marks the error it is given and returns it', () => {
    const error = new QueryError('ERR_CONNECTION_CLOSED', 'closed')
    assert.equal(wasNeverSent(error), false)
    assert.equal(neverSent(error), error)
    assert.equal(wasNeverSent(error), true)
  })

  it('wasNeverSent is false for anything not marked', () => {
    for (const value of [
      undefined,
      null,
      'ERR_CONNECTION_CLOSED',
      new Error('x'),
      new CovetError('ERR_X', 'x'),
    ]) {
      assert.equal(wasNeverSent(value), false)
    }
  })

  it('is one mark for both drivers: either driver module answers for an error the other marked', () => {
    const error = neverSent(new ConnectionError('ERR_CONNECTION_CLOSED', 'closed'))
    assert.equal(mysqlWasNeverSent, wasNeverSent)
    assert.equal(pgWasNeverSent, wasNeverSent)
    assert.equal(mysqlWasNeverSent(error), true)
    assert.equal(pgWasNeverSent(error), true)
  })
})
