import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  CovetError,
  DatabaseError,
  ERROR_CODES,
  InvalidArgumentError,
  isCovetError,
  PoolError,
  ProtocolError,
} from '../../../src/errors/index.js'
import { vm } from '../../support/vm.js'

describe('CovetError', () => {
  it('carries a stable code, message and ES2022 cause', () => {
    const cause = new Error('socket hang up')
    const err = new PoolError('ERR_POOL_TIMEOUT', 'timed out', { cause })
    assert.equal(err.code, 'ERR_POOL_TIMEOUT')
    assert.equal(err.message, 'timed out')
    assert.equal(err.cause, cause)
    assert.equal(err.name, 'PoolError')
    assert.ok(err.stack?.includes('covet-error.test.ts'))
  })

  it('subclasses answer instanceof along their chain only', () => {
    const err = new ProtocolError('bad length')
    assert.ok(err instanceof ProtocolError)
    assert.ok(err instanceof CovetError)
    assert.ok(err instanceof Error)
    assert.ok(!(err instanceof DatabaseError))
    assert.ok(!(err instanceof InvalidArgumentError))
    assert.equal(err.code, 'ERR_PROTOCOL')
    assert.ok(!(new Error('x') instanceof CovetError))
    assert.ok(!((null as unknown) instanceof CovetError))
  })

  it('instanceof holds across two loaded copies of the module', async () => {
    const other = await vm.importFresh<typeof import('../../../src/errors/index.js')>(
      '../../../src/errors/index.ts',
      import.meta.url,
    )
    assert.notEqual(other.CovetError, CovetError, 'the fresh copy must be a different class')
    const foreign = new other.DatabaseError('duplicate key', { sqlState: '23505' })
    assert.ok(foreign instanceof DatabaseError)
    assert.ok(foreign instanceof CovetError)
    assert.ok(isCovetError(foreign))
    assert.ok(!(foreign instanceof PoolError))
    assert.ok(new DatabaseError('x', {}) instanceof other.CovetError)
  })

  it('a user subclass without its own kind uses the prototype chain', () => {
    class MyError extends DatabaseError {}
    assert.ok(new MyError('m', {}) instanceof MyError)
    assert.ok(!(new DatabaseError('d', {}) instanceof MyError))
  })

  it('DatabaseError keeps every server field and drops undefined ones', () => {
    const err = new DatabaseError('relation "x" does not exist', {
      sqlState: '42P01',
      sqlStateName: 'undefined_table',
      position: 15,
      routine: 'parserOpenTable',
      hint: undefined,
    })
    assert.equal(err.code, '42P01')
    assert.equal(err.sqlState, '42P01')
    assert.equal(err.position, 15)
    assert.ok(!Object.hasOwn(err, 'hint'))
    const json = err.toJSON()
    assert.equal(json.code, '42P01')
    assert.equal(json.sqlStateName, 'undefined_table')
    assert.equal(json.message, 'relation "x" does not exist')
  })

  it("DatabaseError's code is the server's: SQLSTATE, MySQL error symbol, else ERR_DATABASE", () => {
    const mysql = new DatabaseError("Duplicate entry '1' for key 'PRIMARY'", {
      errno: 1062,
      errnoName: 'ER_DUP_ENTRY',
      sqlState: '23000',
    })
    assert.equal(mysql.code, 'ER_DUP_ENTRY')
    assert.equal(mysql.errno, 1062)
    assert.equal(mysql.sqlState, '23000')
    assert.equal(new DatabaseError('no fields', {}).code, 'ERR_DATABASE')
  })

  it('every code has a description', () => {
    for (const [code, text] of Object.entries(ERROR_CODES)) {
      assert.match(code, /^ERR_[A-Z0-9_]+$/)
      assert.ok(text.length > 10, code)
    }
  })
})
