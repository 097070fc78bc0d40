import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { QueryBuilderError } from '../../../src/errors/classes.js'
import { QueryBuilder, type RowOf } from '../../../src/query/builder.js'
import type { CompiledQuery } from '../../../src/query/compiler/dialects.js'
import { col, excluded, fn, sql, val } from '../../../src/query/expressions.js'
import type { Dialect } from '../../../src/query/nodes.js'

const q = (d: Dialect = 'postgres') => new QueryBuilder(d)
const argument = { code: 'ERR_INVALID_ARGUMENT' }
const unsupported = { code: 'ERR_UNSUPPORTED' }

describe('QueryBuilder behaviour', () => {
  it('accepts the five dialect names and postgresql; refuses others', () => {
    for (const d of ['postgresql', 'postgres', 'mysql', 'mariadb', 'sqlite', 'mssql'] as const)
      new QueryBuilder(d)
    assert.equal(new QueryBuilder('postgresql').dialect, 'postgres')
    assert.throws(() => new QueryBuilder('oracle' as never), argument)
    assert.throws(() => new QueryBuilder('toString' as never), argument)
    assert.throws(() => q().build('db2' as never), argument)
  })

  it('is mutable and chainable: every method returns the same builder', () => {
    const b = q()
    assert.equal(b.select('id').from('t').where('a', 1).orderBy('id').limit(1), b)
    assert.equal(b.build().sql, 'SELECT id FROM t WHERE a = $1 ORDER BY id ASC LIMIT 1')
  })

  it('clone() gives an independent copy', () => {
    const base = q().select('id').from('users').where('status', 'active')
    const copy = base.clone().where('age', '>', 18).orderBy('id')
    base.where('id', 1)
    assert.equal(copy.build().sql, 'SELECT id FROM users WHERE status = $1 AND age > $2 ORDER BY id ASC')
    assert.equal(base.build().sql, 'SELECT id FROM users WHERE status = $1 AND id = $2')
  })

  it('a builder used as a subquery is a snapshot: later changes to it do not leak in', () => {
    const sub = q().select('user_id').from('posts')
    const outer = q().select('name').from('users').whereIn('id', sub)
    sub.where('published', true)
    assert.equal(outer.build().sql, 'SELECT name FROM users WHERE id IN (SELECT user_id FROM posts)')
  })

  it('binds strings, numbers, bigint, booleans, Date, Buffer and null as parameters', () => {
    const at = new Date('2024-01-01T00:00:00Z')
    const bytes = Buffer.from([0, 1, 2])
    const values = ['s', 1.5, 2n ** 63n - 1n, true, at, bytes]
    const b = q()
      .insert('t')
      .values({ a: values[0], b: values[1], c: values[2], d: values[3], e: values[4], f: values[5], g: null })
    assert.deepEqual(b.build().params, [...values, null])
    assert.deepEqual(b.build('sqlite').params, ['s', 1.5, 2n ** 63n - 1n, 1, at, bytes, null])
    assert.equal(
      b.build('mssql').sql,
      'INSERT INTO t (a, b, c, d, e, f, g) VALUES (@p1, @p2, @p3, @p4, @p5, @p6, @p7)',
    )
  })

  it('arrays and JSON objects are single values on PostgreSQL only', () => {
    const b = q()
      .update('t')
      .set({ tags: ['a', 'b'], doc: { k: 1 } })
      .where('id', 1)
    assert.deepEqual(b.build().params, [['a', 'b'], { k: 1 }, 1])
    for (const d of ['mysql', 'mariadb', 'sqlite', 'mssql'] as const)
      assert.throws(() => b.build(d), unsupported)
  })

  it('refuses undefined, functions and symbols as values, and never puts a value in a message', () => {
    assert.throws(() => q().from('t').where('a', undefined), argument)
    assert.throws(() => q().from('t').where('a', '=', undefined), argument)
    assert.throws(() => val(undefined), argument)
    assert.throws(
      () =>
        q()
          .from('t')
          .where('a', () => 1)
          .build(),
      argument,
    )
    assert.throws(() => q().from('t').where('a', Symbol('s')).build(), argument)
    const secret = 's3cret-value'
    for (const d of ['mysql', 'sqlite'] as const) {
      assert.throws(
        () => q(d).from('t').where('a', [secret]).build(),
        (e: Error) => e instanceof QueryBuilderError && !e.message.includes(secret),
      )
    }
  })

  it('where(col, null) is IS NULL; <> null is IS NOT NULL; other operators with null are refused', () => {
    assert.equal(
      q().from('t').where('a', null).where('b', '<>', null).build().sql,
      'SELECT * FROM t WHERE a IS NULL AND b IS NOT NULL',
    )
    assert.throws(() => q().from('t').where('a', '<', null), argument)
  })

  it('operators come from a fixed list (case-insensitive); in/not in route to IN', () => {
    assert.equal(
      q().from('t').where('a', 'LIKE', 'x').where('b', 'in', [1, 2]).where('c', 'NOT IN', []).build().sql,
      'SELECT * FROM t WHERE a LIKE $1 AND b IN ($2, $3) AND 1 = 1',
    )
    for (const op of ['union', '=; DROP', '==', 'is', '', 'like ', 'toString', '__proto__', 'constructor']) {
      assert.throws(
        () =>
          q()
            .from('t')
            .where('a', op as never, 1),
        argument,
        op,
      )
    }
    assert.throws(
      () =>
        q()
          .from('t')
          .whereIn('a', 'x' as never),
      argument,
    )
    assert.throws(
      () =>
        q()
          .from('t')
          .whereExists({} as never),
      argument,
    )
  })

  it('every or-variant joins with OR, in the order written', () => {
    const built = q()
      .select('id')
      .from('users')
      .where('a', 1)
      .orWhereIn('id', [2, 3])
      .orWhereNotIn('id', [4])
      .orWhereBetween('age', 5, 6)
      .orWhereNull('deleted_at')
      .orWhereNotNull('email')
      .orWhereExists(q().select(sql`1`).from('posts').where('published', true))
      .orWhere((w) => w.where('b', 7).orWhere('c', 8))
      .build()
    assert.equal(
      built.sql,
      'SELECT id FROM users WHERE a = $1 OR id IN ($2, $3) OR id NOT IN ($4) OR age BETWEEN $5 AND $6' +
        ' OR deleted_at IS NULL OR email IS NOT NULL OR EXISTS (SELECT 1 FROM posts WHERE published = $7)' +
        ' OR (b = $8 OR c = $9)',
    )
    assert.deepEqual(built.params, [1, 2, 3, 4, 5, 6, true, 7, 8])
    assert.throws(
      () =>
        q()
          .from('t')
          .orWhereExists([] as never),
      argument,
    )
  })

  it('a join condition compares columns with on() and orOn(), and refuses IN there', () => {
    const built = q()
      .select('u.id')
      .from('users', 'u')
      .join('posts', (j) => j.on('u.id', '=', 'p.user_id').orOn('u.alias_id', '>=', 'p.user_id'), 'left', 'p')
      .build()
    assert.equal(
      built.sql,
      'SELECT u.id FROM users AS u LEFT JOIN posts AS p ON (u.id = p.user_id OR u.alias_id >= p.user_id)',
    )
    assert.deepEqual(built.params, [])
    for (const op of ['in', 'not in'] as const) {
      assert.throws(
        () =>
          q()
            .from('u')
            .join('p', (j) => j.on('u.id', op, 'p.id')),
        {
          code: 'ERR_INVALID_ARGUMENT',
          message: /on\(\) compares two columns/,
        },
      )
    }
  })

  it('a one-argument where() takes only a callback or an sql`` fragment', () => {
    for (const bad of [42, 'a = 1', col('a'), null]) {
      assert.throws(
        () =>
          q()
            .from('t')
            .where(bad as never),
        {
          code: 'ERR_INVALID_ARGUMENT',
          message: /one-argument where\(\)/,
        },
      )
    }
    // The fragment is parenthesised, so an OR inside it cannot swallow its neighbours.
    assert.equal(
      q().from('t').where(sql`a > ${1} or a < ${0}`).where('b', 2).build().sql,
      'SELECT * FROM t WHERE (a > $1 or a < $2) AND b = $3',
    )
  })

  it('LIMIT and OFFSET are non-negative safe integers, inlined', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '10', 10n]) {
      assert.throws(() => q().limit(bad as never), argument, String(bad))
      assert.throws(() => q().offset(bad as never), argument, String(bad))
    }
    assert.equal(q().from('t').limit(0).offset(0).build().sql, 'SELECT * FROM t LIMIT 0 OFFSET 0')
  })

  it('order directions and nulls are checked', () => {
    assert.throws(() => q().orderBy('a', 'up' as never), argument)
    assert.throws(() => q().orderBy('a', 'asc', 'middle' as never), argument)
    assert.equal(
      q()
        .from('t')
        .orderBy('a', 'DESC' as never)
        .build().sql,
      'SELECT * FROM t ORDER BY a DESC',
    )
  })

  it('joins need a condition (except CROSS), a subquery needs an alias, the type is checked', () => {
    assert.throws(() => q().from('a').innerJoin('b'), argument)
    assert.throws(
      () =>
        q()
          .from('a')
          .join('b', 'a.id = b.id', 'outer' as never),
      argument,
    )
    assert.throws(() => q().from(q().from('t')), argument)
    assert.throws(() => q().from(42 as never), argument)
    assert.throws(() => q().from('users as u', 'x'), argument)
    assert.equal(q().from('users AS u').build().sql, 'SELECT * FROM users AS u')
  })

  it('clauses that do not fit the statement are refused, not dropped', () => {
    assert.throws(() => q().insert('t').values({ a: 1 }).select('a').build(), argument)
    assert.throws(() => q().update('t').set({ a: 1 }).groupBy('a').build(), argument)
    assert.throws(() => q().delete('t').union(q().from('u')).build(), argument)
    assert.throws(() => q().delete('t').limit(1).build(), unsupported)
    assert.throws(() => q().insert('t').values({ a: 1 }).from('u').build(), unsupported)
    assert.throws(() => q().insert('t').build(), argument)
    assert.throws(() => q().update('t').build(), argument)
    assert.throws(() => q().insert('t').values({ a: 1 }).values(q().from('u')).build(), argument)
    assert.throws(() => q().insert('t').values([{}, {}]).build(), unsupported)
    assert.throws(
      () =>
        q()
          .insert('t')
          .values([1] as never),
      argument,
    )
    assert.equal(
      q('mysql').delete('t').where('a', 1).orderBy('id').limit(5).build().sql,
      'DELETE FROM t WHERE a = ? ORDER BY id ASC LIMIT 5',
    )
    assert.equal(
      q('mysql').update('t').set({ a: 1 }).orderBy('id').limit(5).build().sql,
      'UPDATE t SET a = ? ORDER BY id ASC LIMIT 5',
    )
    assert.throws(() => q('mysql').delete('t').limit(1).offset(1).build(), unsupported)
  })

  it('upsert needs conflict columns for DO UPDATE (PG, SQLite, MERGE) and at least one column', () => {
    assert.throws(() => q().insert('t').values({ a: 1 }).onConflict([]).doUpdate(['a']).build(), argument)
    assert.throws(() => q('mssql').insert('t').values({ a: 1 }).onConflict([]).doNothing().build(), argument)
    assert.throws(() => q().insert('t').values({ a: 1 }).onConflict('a').doUpdate({}), argument)
    assert.equal(
      q().insert('t').values({ a: 1 }).onConflict([]).doNothing().build().sql,
      'INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING',
    )
    assert.throws(
      () => q('mysql').insert('t').columns('a').values(q().from('u')).onConflict('a').doUpdate(['a']).build(),
      unsupported,
    )
    assert.throws(
      () =>
        q('mssql')
          .insert('t')
          .values([{ a: 1, b: 2 }, { a: 2 }])
          .onConflict('a')
          .doNothing()
          .build(),
      unsupported,
    )
    assert.equal(
      q('mssql')
        .insert('t')
        .columns('a')
        .values(q().select('a').from('u'))
        .onConflict('a')
        .doUpdate({ b: excluded('a') })
        .build().sql,
      'MERGE INTO t WITH (HOLDLOCK) USING (SELECT a FROM u) AS excluded (a) ON t.a = excluded.a WHEN MATCHED THEN UPDATE SET b = excluded.a WHEN NOT MATCHED THEN INSERT (a) VALUES (excluded.a);',
    )
  })

  it('MSSQL: TOP for a limit alone, OFFSET … FETCH only after ORDER BY, APPLY without ON, DELETE with an alias', () => {
    assert.equal(
      q('mssql').select('id').distinct().from('t').limit(5).build().sql,
      'SELECT DISTINCT TOP (5) id FROM t',
    )
    assert.throws(() => q('mssql').from('t').offset(5).build(), unsupported)
    assert.throws(() => q('mssql').from('t').union(q().from('u')).limit(5).build(), unsupported)
    assert.throws(
      () => q('mssql').from('t', 'a').leftJoinLateral(q().from('u'), 'x', 'x.id = a.id').build(),
      unsupported,
    )
    assert.equal(
      q('mssql').delete('t', 'a').where('a.id', 1).returning('id').build().sql,
      'DELETE a OUTPUT DELETED.id FROM t AS a WHERE a.id = @p1',
    )
  })

  it('window functions take PARTITION BY and ORDER BY lists', () => {
    const w = fn('sum', 'amount').over({
      partitionBy: ['a', col('b')],
      orderBy: ['c', ['d', 'desc', 'last']],
    })
    assert.equal(
      q().select(w.as('s')).from('t').build().sql,
      'SELECT sum(amount) OVER (PARTITION BY a, b ORDER BY c ASC, d DESC NULLS LAST) AS s FROM t',
    )
    assert.equal(
      q().select(fn('rank').over().as('r')).from('t').build().sql,
      'SELECT rank() OVER () AS r FROM t',
    )
    assert.throws(() => fn('count(*); --'), { code: 'ERR_INVALID_IDENTIFIER' })
  })

  it('raw sql fragments number their values in order, including nested expressions and subqueries', () => {
    const frag = sql`coalesce(${col('a')}, ${1}) + (${q().select(fn('max', 'b')).from('u').where('c', 2)})`
    const b = q().select(frag.as('x')).from('t').where('d', 3)
    assert.deepEqual(b.build(), {
      sql: 'SELECT coalesce(a, $1) + ((SELECT max(b) FROM u WHERE c = $2)) AS x FROM t WHERE d = $3',
      params: [1, 2, 3],
    })
  })

  it('a typed builder carries its row type to build(); selecting plain columns narrows it', () => {
    interface User {
      id: number
      name: string
      email: string
    }
    const all: CompiledQuery<User> = new QueryBuilder<User>('postgres').from('users').build()
    const narrowed = new QueryBuilder<User>('postgres').select('id', 'name').from('users').where('id', 1)
    const picked: CompiledQuery<{ id: number; name: string }> = narrowed.build()
    const row: RowOf<typeof narrowed> = { id: 1, name: 'a' }
    // @ts-expect-error email was not selected, so it is not in the row type
    const wrong: CompiledQuery<{ email: string }> = narrowed.build()
    // Untyped builders keep Record<string, unknown>; expressions and dotted paths keep the row type.
    const untyped: CompiledQuery<Record<string, unknown>> = new QueryBuilder()
      .select('u.id')
      .from('users', 'u')
      .build()
    assert.equal(all.sql, 'SELECT * FROM users')
    assert.equal(picked.sql, 'SELECT id, name FROM users WHERE id = $1')
    assert.equal(wrong.sql, picked.sql)
    assert.equal(untyped.sql, 'SELECT u.id FROM users AS u')
    assert.deepEqual(row, { id: 1, name: 'a' })
  })
})

describe('parameter limits', () => {
  const rows = (n: number, cols = 1) =>
    Array.from({ length: n }, (_, i) =>
      Object.fromEntries(Array.from({ length: cols }, (_, c) => [`c${c}`, i])),
    )

  it('exceeding the dialect limit is ERR_TOO_MANY_PARAMETERS at build time', () => {
    const cases: [Dialect, number][] = [
      ['postgres', 65_535],
      ['mysql', 65_535],
      ['sqlite', 32_766],
      ['mssql', 2_100],
    ]
    for (const [d, max] of cases) {
      const ids = Array.from({ length: max }, (_, i) => i)
      assert.equal(q(d).from('t').whereIn('id', ids).build().params.length, max)
      assert.throws(
        () =>
          q(d)
            .from('t')
            .whereIn('id', [...ids, max])
            .build(),
        { code: 'ERR_TOO_MANY_PARAMETERS' },
        d,
      )
    }
  })

  it('buildBatches() splits a multi-row INSERT under the limit, keeping every row once and in order', () => {
    const big = q().insert('t').values(rows(70_000))
    assert.throws(() => big.build(), { code: 'ERR_TOO_MANY_PARAMETERS' })
    const batches = big.buildBatches()
    assert.deepEqual(
      batches.map((b) => b.params.length),
      [65_535, 4_465],
    )
    assert.deepEqual(
      batches.flatMap((b) => b.params),
      rows(70_000).map((r) => r.c0),
    )
  })

  it('MSSQL batches stay under 2,100 parameters and 1,000 rows per INSERT', () => {
    const b = q('mssql').insert('t').values(rows(2_500, 2))
    assert.throws(() => b.build(), unsupported)
    const batches = b.buildBatches()
    assert.deepEqual(
      batches.map((x) => x.params.length / 2),
      [1000, 1000, 500],
    )
    const upsert = q('mssql')
      .insert('t')
      .values(rows(1_500, 2))
      .onConflict('c0')
      .doUpdate({ c1: sql`${excluded('c1')} + ${1}` })
    const merged = upsert.buildBatches()
    assert.ok(merged.every((x) => x.params.length <= 2_100))
    assert.equal(
      merged.reduce((n, x) => n + (x.params.length - 1) / 2, 0),
      1_500,
    )
  })

  it('a statement that is not a multi-row INSERT is one batch', () => {
    assert.equal(q().from('t').buildBatches().length, 1)
    assert.equal(q().insert('t').values({ a: 1 }).buildBatches().length, 1)
  })
})
