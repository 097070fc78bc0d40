import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { retryPolicy } from '../../../../src/driver/transactions.js'
import { DatabaseError } from '../../../../src/errors/database-error.js'
import { connect } from '../../../../src/index.js'
import { resolveDriverOptions } from '../../../../src/postgres/driver/options.js'
import { beginSql, isRetryable } from '../../../../src/postgres/driver/transactions.js'

describe('PostgresDriver options', () => {
  it('splits driver options from connection settings, with defaults', () => {
    const o = resolveDriverOptions('postgres://u@h:5433/db', { poolSize: 4, applicationName: 'x' })
    assert.equal(o.pool.max, 4)
    assert.equal(o.settings.host, 'h')
    assert.equal(o.settings.applicationName, 'x')
    assert.equal((o.settings as Record<string, unknown>).poolSize, undefined)
    assert.equal(o.pipelineDepth, 32)
    assert.equal(o.pipelineBeforeGrow, 8)
    assert.equal(resolveDriverOptions({ pipelineDepth: 4 }).pipelineBeforeGrow, 4)
    assert.equal(o.closeTimeoutMs, 10_000)
    assert.deepEqual(o.pool.breaker, { baseBackoffMs: 500, maxBackoffMs: 5000 })
  })

  it('takes ssl as a shorthand for sslmode', () => {
    assert.equal(resolveDriverOptions({ ssl: true }).settings.sslmode, 'verify-full')
    assert.equal(resolveDriverOptions({ ssl: false }).settings.sslmode, 'disable')
    assert.equal(resolveDriverOptions({ ssl: 'require' }).settings.sslmode, 'require')
    assert.equal((resolveDriverOptions({ ssl: true }).settings as Record<string, unknown>).ssl, undefined)
    assert.throws(() => resolveDriverOptions({ ssl: true, sslmode: 'disable' }), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    assert.throws(() => resolveDriverOptions({ ssl: 'sometimes' as never }), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('fails at construction naming the option', () => {
    assert.throws(() => resolveDriverOptions({ poolSize: 1.5 }), { message: /poolSize/ })
    assert.throws(() => resolveDriverOptions({ pipelineDepth: 0 }), { message: /pipelineDepth/ })
    assert.throws(() => resolveDriverOptions({ pipelineBeforeGrow: 0 }), { message: /pipelineBeforeGrow/ })
    assert.throws(() => resolveDriverOptions({ pipelineDepth: 4, pipelineBeforeGrow: 5 }), {
      message: /pipelineBeforeGrow/,
    })
    assert.throws(() => resolveDriverOptions({ pool: 3 as never }), { message: /pool/ })
    assert.throws(() => resolveDriverOptions({ rowMode: 'x' as never }), { message: /rowMode/ })
    assert.throws(() => resolveDriverOptions({ sslmode: 'sometimes' as never }), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    assert.throws(() => resolveDriverOptions(null as never), { code: 'ERR_INVALID_ARGUMENT' })
  })
})

describe('transaction helpers', () => {
  it('spells BEGIN with the options', () => {
    assert.equal(beginSql({}), 'BEGIN')
    assert.equal(
      beginSql({ isolation: 'repeatable read', readOnly: true, deferrable: false }),
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY NOT DEFERRABLE',
    )
    assert.throws(() => beginSql({ isolation: 'snapshot' as never }), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('retry policies', () => {
    assert.equal(retryPolicy(undefined).maxAttempts, 1)
    assert.equal(retryPolicy(true).maxAttempts, 5)
    assert.equal(retryPolicy(2).maxAttempts, 3)
    assert.equal(retryPolicy({ maxAttempts: 9 }).maxAttempts, 9)
    assert.throws(() => retryPolicy(-1), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => retryPolicy({ maxAttempts: 0 }), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('retries serialization failures and deadlocks only', () => {
    assert.equal(isRetryable(new DatabaseError('x', { sqlState: '40001' })), true)
    assert.equal(isRetryable(new DatabaseError('x', { sqlState: '40P01' })), true)
    assert.equal(isRetryable(new DatabaseError('x', { sqlState: '23505' })), false)
    assert.equal(isRetryable(new Error('x')), false)
  })
})

describe('connect()', () => {
  it('picks the MySQL driver for mysql:// and mariadb:// and refuses unknown schemes', async () => {
    // Checked at construction, before any I/O: the MySQL URL parser refuses unknown parameters.
    await assert.rejects(connect('mysql://u@h/db?bogus=1'), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /bogus/,
    })
    await assert.rejects(connect('mariadb://u@h/db?bogus=1'), { code: 'ERR_INVALID_ARGUMENT' })
    await assert.rejects(connect('redis://h'), { code: 'ERR_INVALID_ARGUMENT', message: /redis/ })
    await assert.rejects(connect(42 as never), { code: 'ERR_INVALID_ARGUMENT' })
  })
})
