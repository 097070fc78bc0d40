import { col, fn, sql } from '../../../../src/query/expressions.js'
import { portable, type SqlCase } from './case.js'

/** WHERE predicates, set operations and CTEs (issue 6, Features), in every dialect. */
export const whereCases: SqlCase[] = [
  {
    name: 'comparison operators (!= is spelled <>)',
    build: (q) =>
      q()
        .select('id')
        .from('users')
        .where('age', '<>', 30)
        .where('age', '!=', 31)
        .where('age', '<', 50)
        .where('age', '<=', 45)
        .where('age', '>', 1)
        .where('age', '>=', 2),
    expect: portable(
      'SELECT id FROM users WHERE age <> $1 AND age <> $2 AND age < $3 AND age <= $4 AND age > $5 AND age >= $6',
      [30, 31, 50, 45, 1, 2],
    ),
    rows: [['2'], ['3']],
  },
  {
    name: 'LIKE and NOT LIKE',
    build: (q) =>
      q().select('name').from('users').where('name', 'like', '%a%').where('name', 'not like', 'c%'),
    expect: portable('SELECT name FROM users WHERE name LIKE $1 AND name NOT LIKE $2', ['%a%', 'c%']),
    rows: [['alice'], ['dave']],
  },
  {
    name: 'ILIKE (lower() LIKE lower() where missing)',
    build: (q) =>
      q().select('name').from('users').where('name', 'ilike', 'A%').orWhere('name', 'not ilike', '%E'),
    expect: portable('SELECT name FROM users WHERE name ILIKE $1 OR name NOT ILIKE $2', ['A%', '%E'], {
      mysql: [
        'SELECT name FROM users WHERE lower(name) LIKE lower(?) OR lower(name) NOT LIKE lower(?)',
        ['A%', '%E'],
      ],
      sqlite: [
        'SELECT name FROM users WHERE lower(name) LIKE lower(?) OR lower(name) NOT LIKE lower(?)',
        ['A%', '%E'],
      ],
      mssql: [
        'SELECT name FROM users WHERE lower(name) LIKE lower(@p1) OR lower(name) NOT LIKE lower(@p2)',
        ['A%', '%E'],
      ],
    }),
    rows: [['alice'], ['bob'], ['carol']],
  },
  {
    name: 'IN and NOT IN over values',
    build: (q) => q().select('id').from('users').whereIn('id', [1, 2, 3]).whereNotIn('name', ['bob']),
    expect: portable('SELECT id FROM users WHERE id IN ($1, $2, $3) AND name NOT IN ($4)', [1, 2, 3, 'bob']),
    rows: [['1'], ['3']],
  },
  {
    name: 'an empty IN list is false, never IN ()',
    build: (q) => q().select('id').from('users').whereIn('id', []),
    expect: portable('SELECT id FROM users WHERE 1 = 0', []),
    rows: [],
  },
  {
    name: 'an empty NOT IN list is true',
    build: (q) => q().select('id').from('users').whereNotIn('id', []).where('id', 2),
    expect: portable('SELECT id FROM users WHERE 1 = 1 AND id = $1', [2]),
    rows: [['2']],
  },
  {
    name: 'IN a subquery',
    build: (q) =>
      q()
        .select('name')
        .from('users')
        .whereIn('id', q().select('user_id').from('posts').where('published', '=', true)),
    expect: portable(
      'SELECT name FROM users WHERE id IN (SELECT user_id FROM posts WHERE published = $1)',
      [true],
      {
        sqlite: ['SELECT name FROM users WHERE id IN (SELECT user_id FROM posts WHERE published = ?)', [1]],
      },
    ),
    rows: [['alice'], ['carol']],
  },
  {
    name: 'an array as one bound value (PostgreSQL only): = ANY($1)',
    build: (q) =>
      q()
        .select('name')
        .from('users')
        .where(sql`${col('id')} = ANY(${[1, 3]}::int[])`),
    expect: {
      postgres: ['SELECT name FROM users WHERE (id = ANY($1::int[]))', [[1, 3]]],
      mysql: 'ERR_UNSUPPORTED',
      sqlite: 'ERR_UNSUPPORTED',
      mssql: 'ERR_UNSUPPORTED',
    },
    rows: [['alice'], ['carol']],
  },
  {
    name: 'BETWEEN and NOT BETWEEN',
    build: (q) => q().select('id').from('users').whereBetween('age', 18, 65).whereNotBetween('id', 2, 2),
    expect: portable(
      'SELECT id FROM users WHERE age BETWEEN $1 AND $2 AND id NOT BETWEEN $3 AND $4',
      [18, 65, 2, 2],
    ),
    rows: [['1'], ['3']],
  },
  {
    name: 'IS NULL, IS NOT NULL, and where(col, null)',
    build: (q) =>
      q()
        .select('id')
        .from('users')
        .whereNull('status')
        .orWhere('status', null)
        .orWhereNotNull('email')
        .where('id', '>', 3),
    expect: portable(
      'SELECT id FROM users WHERE status IS NULL OR status IS NULL OR email IS NOT NULL AND id > $1',
      [3],
    ),
    rows: [['4']],
  },
  {
    name: 'EXISTS and NOT EXISTS (correlated)',
    build: (q) =>
      q()
        .select('u.name')
        .from('users', 'u')
        .whereExists(q().select(sql`1`).from('posts', 'p').where('p.user_id', col('u.id')))
        .whereNotExists(
          q().select(sql`1`).from('posts', 'p').where('p.user_id', col('u.id')).where('p.published', false),
        ),
    expect: portable(
      'SELECT u.name FROM users AS u WHERE EXISTS (SELECT 1 FROM posts AS p WHERE p.user_id = u.id) AND NOT EXISTS (SELECT 1 FROM posts AS p WHERE p.user_id = u.id AND p.published = $1)',
      [false],
      {
        sqlite: [
          'SELECT u.name FROM users AS u WHERE EXISTS (SELECT 1 FROM posts AS p WHERE p.user_id = u.id) AND NOT EXISTS (SELECT 1 FROM posts AS p WHERE p.user_id = u.id AND p.published = ?)',
          [0],
        ],
      },
    ),
    rows: [['carol']],
  },
  {
    name: 'nested AND/OR groups',
    build: (q) =>
      q()
        .select('name')
        .from('users')
        .where('status', 'active')
        .where((w) => w.where('age', '<', 40).orWhere((v) => v.where('name', 'carol').whereIn('id', [3])))
        .orWhere('id', 2),
    expect: portable(
      'SELECT name FROM users WHERE status = $1 AND (age < $2 OR (name = $3 AND id IN ($4))) OR id = $5',
      ['active', 40, 'carol', 3, 2],
    ),
    rows: [['alice'], ['bob'], ['carol']],
  },
  {
    name: 'a subquery as a compared value',
    build: (q) =>
      q()
        .select('name')
        .from('users')
        .where('age', '>', q().select(fn('avg', 'age')).from('users')),
    expect: portable('SELECT name FROM users WHERE age > (SELECT avg(age) FROM users)', []),
    rows: [['carol'], ['dave']],
  },
  {
    name: 'UNION',
    build: (q) =>
      q().select('id').from('users').where('id', 1).union(q().select('id').from('users').where('id', 2)),
    expect: portable('SELECT id FROM users WHERE id = $1 UNION SELECT id FROM users WHERE id = $2', [1, 2]),
    rows: [['1'], ['2']],
  },
  {
    name: 'UNION ALL with ORDER BY and LIMIT on the whole',
    build: (q) =>
      q()
        .select('user_id')
        .from('posts')
        .unionAll(q().select('id').from('users'))
        .orderBy('user_id', 'desc')
        .limit(3),
    expect: portable(
      'SELECT user_id FROM posts UNION ALL SELECT id FROM users ORDER BY user_id DESC LIMIT 3',
      [],
      {
        mssql: [
          'SELECT user_id FROM posts UNION ALL SELECT id FROM users ORDER BY user_id DESC OFFSET 0 ROWS FETCH NEXT 3 ROWS ONLY',
          [],
        ],
      },
    ),
    rows: [['9'], ['4'], ['3']],
    ordered: true,
  },
  {
    name: 'INTERSECT',
    build: (q) => q().select('id').from('users').intersect(q().select('user_id').from('posts')),
    expect: portable('SELECT id FROM users INTERSECT SELECT user_id FROM posts', []),
    rows: [['1'], ['3']],
    mssqlParserGap: 'INTERSECT',
  },
  {
    name: 'EXCEPT',
    build: (q) => q().select('id').from('users').except(q().select('user_id').from('posts')),
    expect: portable('SELECT id FROM users EXCEPT SELECT user_id FROM posts', []),
    rows: [['2'], ['4']],
    mssqlParserGap: 'EXCEPT',
  },
  {
    name: 'a set operation operand with its own LIMIT is parenthesised (not in SQLite)',
    build: (q) =>
      q()
        .select('id')
        .from('users')
        .where('id', 4)
        .union(q().select('id').from('users').orderBy('id').limit(1)),
    expect: portable(
      'SELECT id FROM users WHERE id = $1 UNION (SELECT id FROM users ORDER BY id ASC LIMIT 1)',
      [4],
      {
        sqlite: 'ERR_UNSUPPORTED',
        mssql: [
          'SELECT id FROM users WHERE id = @p1 UNION (SELECT TOP (1) id FROM users ORDER BY id ASC)',
          [4],
        ],
      },
    ),
    rows: [['1'], ['4']],
  },
  {
    name: 'a CTE',
    build: (q) =>
      q()
        .with('active_users', q().select('id', 'name').from('users').where('status', 'active'))
        .select('name')
        .from('active_users'),
    expect: portable(
      'WITH active_users AS (SELECT id, name FROM users WHERE status = $1) SELECT name FROM active_users',
      ['active'],
    ),
    rows: [['alice'], ['carol']],
  },
  {
    name: 'a recursive CTE (no RECURSIVE keyword on MSSQL)',
    build: (q) =>
      q()
        .withRecursive(
          'nums',
          q()
            .select(sql`1`.as('n'))
            .unionAll(q().select(sql`n + 1`).from('nums').where('n', '<', 4)),
          ['n'],
        )
        .select('n')
        .from('nums'),
    expect: portable(
      'WITH RECURSIVE nums (n) AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM nums WHERE n < $1) SELECT n FROM nums',
      [4],
      {
        mssql: [
          'WITH nums (n) AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM nums WHERE n < @p1) SELECT n FROM nums',
          [4],
        ],
      },
    ),
    rows: [['1'], ['2'], ['3'], ['4']],
  },
  {
    name: 'a data-modifying CTE (PostgreSQL only)',
    build: (q) =>
      q()
        .with('gone', q().delete('posts').where('user_id', 9).returning('id', 'title'))
        .select('title')
        .from('gone'),
    expect: {
      postgres: [
        'WITH gone AS (DELETE FROM posts WHERE user_id = $1 RETURNING id, title) SELECT title FROM gone',
        [9],
      ],
      mysql: 'ERR_UNSUPPORTED',
      sqlite: 'ERR_UNSUPPORTED',
      mssql: 'ERR_UNSUPPORTED',
    },
    rows: [['Orphan']],
  },
]
