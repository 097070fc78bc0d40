import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MYSQL_ERRNO_NAMES } from '../../../src/errors/mysql-errno.generated.js'
import { mysqlErrnoName, sqlStateClass, sqlStateName } from '../../../src/errors/server-codes.js'
import { SQLSTATE_CLASSES, SQLSTATE_NAMES } from '../../../src/errors/sqlstate.generated.js'

describe('SQLSTATE table (generated from PostgreSQL errcodes.txt)', () => {
  it('names well-known conditions', () => {
    assert.equal(sqlStateName('23505'), 'unique_violation')
    assert.equal(sqlStateName('40001'), 'serialization_failure')
    assert.equal(sqlStateName('0A000'), 'feature_not_supported')
    assert.equal(sqlStateName('40P01'), 'deadlock_detected')
    assert.equal(sqlStateName('57014'), 'query_canceled')
    assert.equal(sqlStateName('28P01'), 'invalid_password')
    // 22008 has two macros in errcodes.txt; the named first line wins.
    assert.equal(sqlStateName('22008'), 'datetime_field_overflow')
  })

  it('names classes and answers undefined for unknown codes', () => {
    assert.equal(sqlStateClass('23505'), 'Integrity Constraint Violation')
    assert.equal(sqlStateClass('40001'), 'Transaction Rollback')
    assert.equal(sqlStateClass('0A000'), 'Feature Not Supported')
    assert.equal(sqlStateClass('23'), undefined)
    assert.equal(sqlStateName('ZZ999'), undefined)
    assert.equal(sqlStateName('constructor'), undefined)
    assert.equal(sqlStateClass('ZZ999'), undefined)
  })

  it('has a class for every code and only well-formed codes', () => {
    assert.ok(SQLSTATE_NAMES.size > 200)
    for (const [code, name] of SQLSTATE_NAMES) {
      assert.match(code, /^[0-9A-Z]{5}$/)
      assert.match(name, /^[a-z_0-9]+$/)
      assert.ok(SQLSTATE_CLASSES.has(code.slice(0, 2)), code)
    }
  })
})

describe('MariaDB errno table (generated from errmsg-utf8.txt)', () => {
  it('names well-known errors across the numbered ranges', () => {
    assert.equal(mysqlErrnoName(1000), 'ER_HASHCHK')
    assert.equal(mysqlErrnoName(1045), 'ER_ACCESS_DENIED_ERROR')
    assert.equal(mysqlErrnoName(1062), 'ER_DUP_ENTRY')
    assert.equal(mysqlErrnoName(1064), 'ER_PARSE_ERROR')
    assert.equal(mysqlErrnoName(1146), 'ER_NO_SUCH_TABLE')
    assert.equal(mysqlErrnoName(1205), 'ER_LOCK_WAIT_TIMEOUT')
    assert.equal(mysqlErrnoName(1213), 'ER_LOCK_DEADLOCK')
    assert.equal(mysqlErrnoName(1969), 'ER_STATEMENT_TIMEOUT')
    assert.equal(mysqlErrnoName(3000), 'ER_FILE_CORRUPT')
  })

  it('leaves the skipped ranges empty', () => {
    assert.equal(mysqlErrnoName(999), undefined)
    assert.equal(mysqlErrnoName(2000), undefined)
    assert.equal(mysqlErrnoName(2999), undefined)
    for (const [errno, name] of MYSQL_ERRNO_NAMES) {
      assert.ok(errno >= 1000 && (errno < 2000 || errno >= 3000), String(errno))
      assert.match(name, /^[A-Z][A-Z0-9_]*$/)
    }
  })
})
