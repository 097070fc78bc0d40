// Typed rows (issue 17): a builder typed with a table map checks the names select() takes and
// infers the row it yields; driver.execute(builder) keeps that row type. The type assertions are
// checked by tsc (the typecheck phase runs over test/); the runtime ones by node:test.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { PostgresDriver } from '../../../src/postgres/driver.js'
import type { QueryResult } from '../../../src/postgres/query-handlers.js'
import { QueryBuilder, type RowOf } from '../../../src/query/builder.js'
import type { CompiledQuery } from '../../../src/query/compiler/dialects.js'
import { fn, sql } from '../../../src/query/expressions.js'

/** True only when A and B are the same type (not merely assignable). */
type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false
function expectType<_Check extends true>(): void {}

interface DB {
  users: { id: number; name: string; email: string | null; created_at: Date }
  posts: { id: number; user_id: number; title: string; published: boolean }
}

const db = () => new QueryBuilder<DB>('postgresql')

describe('typed rows: a table map', () => {
  it('select() narrows the row to the selected columns of the aliased tables', () => {
    const q = db()
      .from('users', 'u')
      .join('posts', 'u.id = p.user_id', 'inner', 'p')
      .select('u.id', 'u.name', 'p.title')
      .where('p.published', true)
    expectType<Equal<RowOf<typeof q>, { id: number; name: string; title: string }>>()
    const built: CompiledQuery<{ id: number; name: string; title: string }> = q.build()
    assert.equal(
      built.sql,
      'SELECT u.id, u.name, p.title FROM users AS u INNER JOIN posts AS p ON u.id = p.user_id WHERE p.published = $1',
    )
    assert.deepEqual(built.params, [true])
  })

  it('aliases, stars, plain names and named expressions', () => {
    const q = db()
      .from('users as u')
      .leftJoin('posts', 'p', 'u.id = p.user_id')
      .select('u.name as author', 'title', fn('count', '*').over().as('n'), 'u.*')
    expectType<
      Equal<
        RowOf<typeof q>,
        {
          author: string
          title: string | null
          n: unknown
          id: number
          name: string
          email: string | null
          created_at: Date
        }
      >
    >()
    assert.equal(
      q.build().sql,
      'SELECT u.name AS author, title, count(*) OVER () AS n, u.* FROM users AS u LEFT JOIN posts AS p ON u.id = p.user_id',
    )
  })

  it('a LEFT join makes the joined columns nullable, a RIGHT join the others, FULL both', () => {
    const left = db().from('users', 'u').leftJoin('posts', 'p', 'u.id = p.user_id').select('u.id', 'p.title')
    expectType<Equal<RowOf<typeof left>, { id: number; title: string | null }>>()
    const right = db().from('users', 'u').rightJoin('posts', 'p', 'u.id = p.user_id').select('u.name', 'p.id')
    expectType<Equal<RowOf<typeof right>, { name: string | null; id: number }>>()
    const full = db()
      .from('users', 'u')
      .fullJoin('posts', 'p', 'u.id = p.user_id')
      .select('u.name', 'p.title')
    expectType<Equal<RowOf<typeof full>, { name: string | null; title: string | null }>>()
    assert.match(full.build().sql, /FULL JOIN posts AS p ON u\.id = p\.user_id$/)
  })

  it('select() calls add up; a single table without select() yields its rows', () => {
    const twice = db().from('posts', 'p').select('p.id').select('p.title')
    expectType<Equal<RowOf<typeof twice>, { id: number; title: string }>>()
    const all = db().from('posts')
    expectType<Equal<RowOf<typeof all>, DB['posts']>>()
    const joined = db().from('posts', 'p').innerJoin('users', 'u', 'p.user_id = u.id')
    expectType<Equal<RowOf<typeof joined>, Record<string, unknown>>>()
    assert.equal(twice.build().sql, 'SELECT p.id, p.title FROM posts AS p')
  })

  it('a typed subquery in FROM brings its own row into scope', () => {
    const sub = db().from('posts', 'p').select('p.user_id', fn('count', '*').as('posts'))
    const q = db().from(sub.groupBy('p.user_id'), 'c').select('c.user_id', 'c.posts')
    expectType<Equal<RowOf<typeof q>, { user_id: number; posts: unknown }>>()
    assert.equal(
      q.build().sql,
      'SELECT c.user_id, c.posts FROM (SELECT p.user_id, count(*) AS posts FROM posts AS p GROUP BY p.user_id) AS c',
    )
  })

  it('returning() narrows an INSERT, UPDATE or DELETE', () => {
    const ins = db().insert('users').values({ name: 'a' }).returning('id', 'email')
    expectType<Equal<RowOf<typeof ins>, { id: number; email: string | null }>>()
    const upd = db().update('posts', 'p').set({ published: true }).where('p.id', 1).returning('p.published')
    expectType<Equal<RowOf<typeof upd>, { published: boolean }>>()
    const del = db().delete('posts').where('id', 2).returning('title as gone')
    expectType<Equal<RowOf<typeof del>, { gone: string }>>()
    assert.equal(del.build().sql, 'DELETE FROM posts WHERE id = $1 RETURNING title AS gone')
  })

  it('wrong table and column names do not compile', () => {
    // Each statement below is refused by tsc; at run time the builder still records it.
    // @ts-expect-error no such column in users
    db().from('users', 'u').select('u.nmae')
    // @ts-expect-error p is not in scope
    db().from('users', 'u').select('p.title')
    // @ts-expect-error no such table
    db().from('userz', 'u')
    // @ts-expect-error a table map needs its tables in scope before select()
    db().select('u.id').from('users', 'u')
    // @ts-expect-error no such column to return
    db().insert('posts').values({ title: 'x' }).returning('name')
    // @ts-expect-error a plain name must be a column of a table in scope
    db().from('posts').select('email')
    const ok = db().from('users', 'u').select('u.name')
    // @ts-expect-error email was not selected
    const wrong: CompiledQuery<{ email: string | null }> = ok.build()
    assert.equal(wrong.sql, 'SELECT u.name FROM users AS u')
  })

  it('driver.execute(builder) resolves to rows of the builder type', () => {
    // Type-level only: never called (no server here), checked by tsc.
    async function typed(driver: PostgresDriver) {
      const q = db().from('users', 'u').select('u.id', 'u.email')
      const rows = await driver.execute(q)
      expectType<Equal<typeof rows, QueryResult<{ id: number; email: string | null }>>>()
      const one = await driver.executeOne(q)
      expectType<Equal<typeof one, { id: number; email: string | null } | null>>()
      const explicit = await driver.execute<{ n: number }>(q)
      expectType<Equal<typeof explicit, QueryResult<{ n: number }>>>()
      const text = await driver.execute('select 1')
      expectType<Equal<typeof text, QueryResult<Record<string, unknown>>>>()
      const tx = await driver.transaction((t) => t.execute(q))
      expectType<Equal<typeof tx, QueryResult<{ id: number; email: string | null }>>>()
    }
    assert.equal(typeof typed, 'function')
  })
})

describe('typed rows: a row type and untyped builders', () => {
  interface User {
    id: number
    name: string
    email: string
  }

  it('a row type checks plain and dotted column names', () => {
    const q = new QueryBuilder<User>('postgres').select('id', 'u.name as n').from('users', 'u')
    expectType<Equal<RowOf<typeof q>, { id: number; n: string }>>()
    // @ts-expect-error no such column in User
    new QueryBuilder<User>('postgres').select('emial').from('users')
    assert.equal(q.build().sql, 'SELECT id, u.name AS n FROM users AS u')
  })

  it('an untyped builder takes any names and yields plain objects', () => {
    const q = new QueryBuilder('postgresql')
    q.select('u.id', 'u.name', 'p.title', sql`1`.as('one'))
    q.from('users', 'u')
    q.join('posts', 'u.id = p.user_id', 'left', 'p')
    expectType<Equal<RowOf<typeof q>, Record<string, unknown>>>()
    const chained: QueryBuilder = new QueryBuilder().from(new QueryBuilder().from('t'), 'x').select('x.a')
    expectType<Equal<RowOf<typeof chained>, Record<string, unknown>>>()
    assert.equal(
      q.build().sql,
      'SELECT u.id, u.name, p.title, 1 AS one FROM users AS u LEFT JOIN posts AS p ON u.id = p.user_id',
    )
    assert.equal(chained.build().sql, 'SELECT x.a FROM (SELECT * FROM t) AS x')
  })
})
