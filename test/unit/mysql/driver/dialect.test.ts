import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DatabaseError } from '../../../../src/errors/database-error.js'
import type { MySqlConnection } from '../../../../src/mysql/connection.js'
import { beginStatements, isRetryable } from '../../../../src/mysql/driver/dialect.js'
import { resolveMySqlDriverOptions } from '../../../../src/mysql/driver/options.js'
import { MySqlSessionState } from '../../../../src/mysql/driver/session-state.js'

describe('MySqlDriver dialect', () => {
  it('spells START TRANSACTION with SET TRANSACTION before it', () => {
    assert.deepEqual(beginStatements({}), ['START TRANSACTION'])
    assert.deepEqual(beginStatements({ isolation: 'read committed', readOnly: true }), [
      'SET TRANSACTION ISOLATION LEVEL READ COMMITTED',
      'START TRANSACTION READ ONLY',
    ])
    assert.deepEqual(beginStatements({ consistentSnapshot: true, readOnly: false }), [
      'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ WRITE',
    ])
    assert.throws(() => beginStatements({ isolation: 'snapshot' as never }), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('retries deadlocks (1213), lock wait timeouts (1205) and 40001 only', () => {
    assert.equal(isRetryable(new DatabaseError('x', { errno: 1213, sqlState: '40001' })), true)
    assert.equal(isRetryable(new DatabaseError('x', { errno: 1205, sqlState: 'HY000' })), true)
    assert.equal(isRetryable(new DatabaseError('x', { sqlState: '40001' })), true)
    assert.equal(isRetryable(new DatabaseError('x', { errno: 1062, sqlState: '23000' })), false)
    assert.equal(isRetryable(new Error('x')), false)
  })

  it('marks a connection for reset unless the statement is plain data access', () => {
    const state = new MySqlSessionState()
    const fresh = () => ({ inTransaction: false }) as MySqlConnection
    const dirtyAfter = (sql: string) => {
      const conn = fresh()
      state.observe(conn, sql)
      return state.dirty(conn)
    }
    for (const sql of [
      'SELECT * FROM t WHERE id = ?',
      '  /* app */ (SELECT 1) UNION (SELECT 2)',
      'insert into t values (?)',
      'UPDATE t SET a = ? WHERE id = ?',
      'WITH x AS (SELECT 1) SELECT * FROM x',
      'SHOW TABLES',
      'SELECT @a, @@session.time_zone',
    ]) {
      assert.equal(dirtyAfter(sql), false, sql)
    }
    for (const sql of [
      'SET @a = 1',
      "SET SESSION sql_mode = 'ANSI'",
      'SELECT @a := 1',
      'SELECT id INTO @v FROM t',
      "SELECT GET_LOCK('x', 0)",
      'CREATE TEMPORARY TABLE t (id INT)',
      'LOCK TABLES t WRITE',
      'USE other',
      'CALL p()',
      'START TRANSACTION',
      '/*!40101 SET NAMES latin1 */ SELECT 1',
      'SELECT 1; SET @a = 1',
      '-- comment\nSELECT 1',
    ]) {
      assert.equal(dirtyAfter(sql), true, sql)
    }
    const conn = fresh()
    state.observe(conn, 'SET @a = 1')
    state.clear(conn)
    assert.equal(state.dirty(conn), false)
    assert.equal(state.dirty({ inTransaction: true } as MySqlConnection), true)
  })

  it('options: checked at construction, the pool keys split from the connection settings', () => {
    const o = resolveMySqlDriverOptions('mysql://u:p@db.example:3307/app', { poolSize: 4 })
    assert.equal(o.pool.max, 4)
    assert.equal(o.settings.host, 'db.example')
    assert.equal('poolSize' in o.settings, false)
    assert.equal(o.closeTimeoutMs, 10_000)
    assert.throws(() => resolveMySqlDriverOptions({ poolSize: 0 }), {
      message: /MySqlDriver option poolSize/,
    })
    assert.throws(() => resolveMySqlDriverOptions({ onConnect: 1 as never }), { message: /onConnect/ })
    assert.throws(() => resolveMySqlDriverOptions({ rowMode: 'x' as never }), { message: /rowMode/ })
    assert.throws(() => resolveMySqlDriverOptions('mysql://h/db?nope=1'), { message: /nope/ })
    assert.throws(() => resolveMySqlDriverOptions(null as never), { code: 'ERR_INVALID_ARGUMENT' })
  })
})
