import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { QueryBuilderError } from '../../../src/errors/classes.js'
import { QueryBuilder } from '../../../src/query/builder.js'
import { ident } from '../../../src/query/expressions.js'
import type { Dialect } from '../../../src/query/nodes.js'
import { HOSTILE_IDENTIFIERS } from './cases/injection.js'

const q = (d: Dialect = 'postgres') => new QueryBuilder(d)
const invalid = { code: 'ERR_INVALID_IDENTIFIER' }

describe('identifiers', () => {
  it('plain lower-case names stay bare; capitals and reserved words are quoted per dialect', () => {
    const build = (d: Dialect) =>
      q(d).select('id', 'Name', 'order', 'u.user', 's.t.c', 'u.*').from('app.Users', 'u').build().sql
    assert.equal(build('postgres'), 'SELECT id, "Name", "order", u."user", s.t.c, u.* FROM app."Users" AS u')
    assert.equal(build('mysql'), 'SELECT id, `Name`, `order`, u.`user`, s.t.c, u.* FROM app.`Users` AS u')
    assert.equal(build('sqlite'), 'SELECT id, "Name", "order", u."user", s.t.c, u.* FROM app."Users" AS u')
    assert.equal(build('mssql'), 'SELECT id, [Name], [order], u.[user], s.t.c, u.* FROM app.[Users] AS u')
  })

  it('hostile strings are refused wherever an identifier is expected', () => {
    const hostile = [
      ...HOSTILE_IDENTIFIERS.filter((h) => h !== 'UPPER' && h !== 'select'),
      'a.b.c.d',
      '',
      '1abc',
      'a..b',
      '*.a',
      'x; DROP TABLE users',
      'id--',
      'ｉｄ',
    ]
    for (const h of hostile) {
      assert.throws(() => q().select(h).from('t').build(), invalid, `select ${JSON.stringify(h)}`)
      assert.throws(() => q().from(h).build(), invalid, `from ${JSON.stringify(h)}`)
      assert.throws(() => q().from('t').where(h, 1).build(), invalid, `where ${JSON.stringify(h)}`)
      assert.throws(() => q().from('t').orderBy(h).build(), invalid, `orderBy ${JSON.stringify(h)}`)
      assert.throws(() => q().from('t', h), invalid, `alias ${JSON.stringify(h)}`)
      assert.throws(
        () =>
          q()
            .insert('t')
            .values({ [h]: 1 })
            .build(),
        invalid,
        `insert column ${JSON.stringify(h)}`,
      )
      assert.throws(
        () =>
          q()
            .update('t')
            .set({ [h]: 1 }),
        invalid,
        `set column ${JSON.stringify(h)}`,
      )
    }
    assert.throws(() => q().select('*').from('t.*').build(), invalid)
    assert.throws(() => q().with('a b', q().from('t')), invalid)
    assert.throws(
      () =>
        q()
          .select(1 as never)
          .build(),
      { code: 'ERR_INVALID_ARGUMENT' },
    )
  })

  it('a rejection is a QueryBuilderError that names the identifier and suggests ident()', () => {
    let err: unknown
    try {
      q().select('x; DROP TABLE users').build()
    } catch (e) {
      err = e
    }
    assert.ok(err instanceof QueryBuilderError)
    assert.match((err as Error).message, /"x; DROP TABLE users" is not a valid identifier.*ident\(\)/)
  })

  it('ident() quotes anything but NUL by doubling the closing quote character', () => {
    const names = ['we"ird', 'back`tick', 'br]ack[et']
    const sqlOf = (d: Dialect) =>
      q(d)
        .select(...names.map((n) => ident(n)))
        .from(ident('my schema', 't'))
        .build().sql
    assert.equal(sqlOf('postgres'), 'SELECT "we""ird", "back`tick", "br]ack[et" FROM "my schema"."t"')
    assert.equal(sqlOf('sqlite'), 'SELECT "we""ird", "back`tick", "br]ack[et" FROM "my schema"."t"')
    assert.equal(sqlOf('mysql'), 'SELECT `we"ird`, `back``tick`, `br]ack[et` FROM `my schema`.`t`')
    assert.equal(sqlOf('mssql'), 'SELECT [we"ird], [back`tick], [br]]ack[et] FROM [my schema].[t]')
    assert.throws(() => ident('a\0b'), invalid)
    assert.throws(() => ident(''), invalid)
    assert.throws(() => ident(), invalid)
    assert.throws(() => ident('a', 'b', 'c', 'd'), invalid)
  })

  it('MySQL/MariaDB refuse names they cannot store: trailing space, supplementary characters', () => {
    for (const d of ['mysql', 'mariadb'] as const) {
      assert.throws(() => q(d).select(ident('x ')).build(), invalid)
      assert.throws(() => q(d).select(ident('\u{1f600}')).build(), invalid)
    }
    assert.equal(q('postgres').select(ident('x ')).build().sql, 'SELECT "x "')
  })

  it('names longer than the dialect keeps are refused instead of truncated (PostgreSQL: 63 bytes)', () => {
    const n63 = 'a'.repeat(63)
    assert.equal(q().select(n63).build().sql, `SELECT ${n63}`)
    assert.throws(() => q().select(`${n63}a`).build(), invalid)
    assert.throws(
      () =>
        q()
          .select(ident('é'.repeat(32)))
          .build(),
      invalid,
    ) // 64 bytes
    assert.equal(q('mssql').select(`${n63}a`).build().sql, `SELECT ${n63}a`)
    assert.throws(() => q('mysql').select('a'.repeat(65)).build(), invalid)
    assert.equal(
      q('mysql')
        .select(ident('é'.repeat(64)))
        .build().sql,
      `SELECT \`${'é'.repeat(64)}\``,
    )
  })

  it('join ON strings take column comparisons only', () => {
    const bad = [
      'u.id = 1',
      "u.id = 'x'",
      'u.id = p.user_id; DROP TABLE users',
      'u.id = p.user_id -- x',
      'u.id = p.user_id /* x */',
      '(u.id = p.user_id',
      'u.id = p.user_id)',
      'u.id',
      'u.id = p.user_id AND',
      'u.id = p.user_id OR OR p.a = u.b',
      'u.id = and',
      'lower(u.name) = p.name',
      'u.id IS NULL',
    ]
    for (const on of bad) {
      assert.throws(
        () => q().from('users', 'u').join('posts', on, 'inner', 'p'),
        { code: 'ERR_INVALID_ARGUMENT' },
        on,
      )
    }
    const ok = q()
      .from('users', 'u')
      .join('posts', ' u.id=p.user_id and(p.a!=u.b or p.c<=u.d) ', 'inner', 'p')
    assert.equal(
      ok.build().sql,
      'SELECT * FROM users AS u INNER JOIN posts AS p ON u.id = p.user_id AND (p.a <> u.b OR p.c <= u.d)',
    )
    assert.throws(() => q().from('users', 'u').join('posts', 'u.id = p."x"', 'inner', 'p'), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    assert.throws(() => q().from('users', 'u').join('posts', 'u.id = p.Bad-Name', 'inner', 'p'), {
      code: 'ERR_INVALID_ARGUMENT',
    })
  })
})
