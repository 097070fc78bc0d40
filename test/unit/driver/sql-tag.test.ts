import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { QueryDialect } from '../../../src/driver/contract.js'
import { toQuery } from '../../../src/driver/query-input.js'
import { createSqlTag, quoteIdentifier, SqlFragment, SqlQuery } from '../../../src/driver/sql-tag.js'
import { sqlSyntax } from '../../../src/query/compiler/dialects.js'

const PG: QueryDialect = {
  syntax: sqlSyntax('postgres'),
  builderDialects: new Set(['postgres', 'postgresql']),
}
const MYSQL: QueryDialect = { syntax: sqlSyntax('mariadb'), builderDialects: new Set(['mysql', 'mariadb']) }
const sql = createSqlTag(PG.syntax, (f) => f)
const my = createSqlTag(MYSQL.syntax, (f) => f)

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
    assert.equal(quoteIdentifier('Users', PG.syntax), '"Users"')
  })

  it("takes MySQL's placeholders and quoting from its compiler", () => {
    const inner = my.fragment`b = ${'y'}`
    const q = my`select ${my.id('we`ird')} from ${my.id('s', 't')} where id in ${my.in([1, 2])} and ${inner}`
    assert.deepEqual(q.render(), {
      sql: 'select `we``ird` from `s`.`t` where id in (?, ?) and b = ?',
      params: [1, 2, 'y'],
    })
    assert.throws(() => my.id('a\0b'), { code: 'ERR_INVALID_ARGUMENT' })
    // MySQL manual 11.2: a name may not end with a space (the compiler's rule).
    assert.throws(() => my.id('a '), { code: 'ERR_INVALID_IDENTIFIER' })
  })

  it('SqlQuery runs once, when awaited', async () => {
    let runs = 0
    const q = new SqlQuery(new SqlFragment(['select ', ''], [1], PG.syntax), async (built) => {
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
    assert.deepEqual(toQuery('select 1', undefined, PG), { sql: 'select 1', params: [] })
    assert.deepEqual(toQuery(sql`select ${2}`, undefined, PG), { sql: 'select $1', params: [2] })
    const builder = { dialect: 'postgres', build: () => ({ sql: 'select $1', params: [3] }) }
    assert.deepEqual(toQuery(builder, undefined, PG), { sql: 'select $1', params: [3] })
    const named = { dialect: { name: 'postgresql' }, build: () => ({ sql: 'x', params: [] }) }
    assert.deepEqual(toQuery(named, undefined, PG), { sql: 'x', params: [] })
  })

  it('refuses other dialects, bad builders and params beside a fragment', () => {
    const mysql = { dialect: 'mysql', build: () => ({ sql: 'select ?', params: [1] }) }
    assert.throws(() => toQuery(mysql, undefined, PG), { code: 'ERR_INVALID_ARGUMENT', message: /mysql/ })
    assert.throws(() => toQuery({ build: () => 42 } as never, undefined, PG), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    assert.throws(() => toQuery({} as never, undefined, PG), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => toQuery(sql`x`, [1], PG), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => toQuery('x', 'y' as never, PG), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it("refuses a fragment written for another dialect's placeholders", () => {
    assert.throws(() => toQuery(my`select ${1}`, undefined, PG), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /MariaDB, not PostgreSQL/,
    })
    assert.deepEqual(toQuery(my`select ${1}`, undefined, MYSQL), { sql: 'select ?', params: [1] })
  })
})
