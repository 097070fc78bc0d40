import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isShareable, toQuery } from '../../../../src/postgres/driver/query-input.js'
import {
  createSqlTag,
  quoteIdentifier,
  SqlFragment,
  SqlQuery,
} from '../../../../src/postgres/driver/sql-tag.js'

const sql = createSqlTag((f) => f)

describe('sql tag', () => {
  it('turns every interpolation into a numbered parameter', () => {
    const evil = "'; drop table users; --"
    assert.deepEqual(sql`select * from t where a = ${1} and b = ${evil}`.render(), {
      sql: 'select * from t where a = $1 and b = $2',
      params: [1, evil],
    })
  })

  it('splices identifiers quoted and IN lists as parameters', () => {
    const q = sql`select ${sql.id('we"ird')} from ${sql.id('s', 't')} where id in ${sql.in([1, 2, 3])} and x = ${4}`
    assert.deepEqual(q.render(), {
      sql: 'select "we""ird" from "s"."t" where id in ($1, $2, $3) and x = $4',
      params: [1, 2, 3, 4],
    })
    assert.equal(sql`x in ${sql.in([])}`.render().sql, 'x in (NULL)')
  })

  it('renumbers the parameters of nested fragments', () => {
    const inner = sql.fragment`a = ${'x'} and b = ${'y'}`
    const q = sql`select ${0} where ${inner} or c = ${'z'}`
    assert.deepEqual(q.render(), {
      sql: 'select $1 where a = $2 and b = $3 or c = $4',
      params: [0, 'x', 'y', 'z'],
    })
  })

  it('refuses bad identifiers and lists', () => {
    assert.throws(() => sql.id(''), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => sql.id('a\0b'), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => sql.id(), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => sql.in('abc' as never), { code: 'ERR_INVALID_ARGUMENT' })
    assert.equal(quoteIdentifier('Users'), '"Users"')
  })

  it('SqlQuery runs once, when awaited', async () => {
    let runs = 0
    const q = new SqlQuery(new SqlFragment(['select ', ''], [1]), async (built) => {
      runs++
      return built
    })
    assert.equal(runs, 0)
    assert.deepEqual(await q, { sql: 'select $1', params: [1] })
    await q
    assert.equal(runs, 1)
  })
})

describe('toQuery', () => {
  it('takes text + params, fragments and builders', () => {
    assert.deepEqual(toQuery('select 1', undefined), { sql: 'select 1', params: [] })
    assert.deepEqual(toQuery(sql`select ${2}`, undefined), { sql: 'select $1', params: [2] })
    const builder = { dialect: 'postgres', build: () => ({ sql: 'select $1', params: [3] }) }
    assert.deepEqual(toQuery(builder, undefined), { sql: 'select $1', params: [3] })
    const named = { dialect: { name: 'postgresql' }, build: () => ({ sql: 'x', params: [] }) }
    assert.deepEqual(toQuery(named, undefined), { sql: 'x', params: [] })
  })

  it('refuses other dialects, bad builders and params beside a fragment', () => {
    const mysql = { dialect: 'mysql', build: () => ({ sql: 'select ?', params: [1] }) }
    assert.throws(() => toQuery(mysql, undefined), { code: 'ERR_INVALID_ARGUMENT', message: /mysql/ })
    assert.throws(() => toQuery({ build: () => 42 } as never, undefined), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => toQuery({} as never, undefined), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => toQuery(sql`x`, [1]), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => toQuery('x', 'y' as never), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('shares only statements that change no session state', () => {
    for (const s of [
      'select 1',
      '  WITH x AS (select 1) select * from x',
      'insert into t values (1)',
      'update t set a=1',
      'delete from t',
      'values (1)',
    ]) {
      assert.equal(isShareable(s), true, s)
    }
    for (const s of [
      'set search_path = x',
      'begin',
      'listen x',
      'create temp table t (a int)',
      'copy t from stdin',
      'selector',
    ]) {
      assert.equal(isShareable(s), false, s)
    }
  })
})
