import { col, fn, sql } from '../../../../src/query/expressions.js'
import { portable, type SqlCase } from './case.js'

/** SELECT features (issue 6, Features: SELECT), in every dialect. */
export const selectCases: SqlCase[] = [
  {
    name: 'the seed example (DESIGN §3)',
    build: (q) =>
      q()
        .select('u.id', 'u.name', 'p.title')
        .from('users', 'u')
        .join('posts', 'u.id = p.user_id', 'left', 'p')
        .where('u.status', '=', 'active')
        .whereBetween('u.age', 18, 65)
        .orderBy('u.created_at', 'desc')
        .limit(100),
    expect: portable(
      'SELECT u.id, u.name, p.title FROM users AS u LEFT JOIN posts AS p ON u.id = p.user_id WHERE u.status = $1 AND u.age BETWEEN $2 AND $3 ORDER BY u.created_at DESC LIMIT 100',
      ['active', 18, 65],
      {
        mssql: [
          'SELECT TOP (100) u.id, u.name, p.title FROM users AS u LEFT JOIN posts AS p ON u.id = p.user_id WHERE u.status = @p1 AND u.age BETWEEN @p2 AND @p3 ORDER BY u.created_at DESC',
          ['active', 18, 65],
        ],
      },
    ),
    rows: [
      ['1', 'alice', 'Again'],
      ['1', 'alice', 'Hello'],
      ['3', 'carol', "Carol's post"],
    ],
  },
  {
    name: 'column aliases and a bound comparison',
    build: (q) => q().select('id', 'name as n').from('users').where('id', 1),
    expect: portable('SELECT id, name AS n FROM users WHERE id = $1', [1]),
    rows: [['1', 'alice']],
  },
  {
    name: 'select * and a table alias',
    build: (q) => q().from('users', 'u').where('u.id', '=', 2).select('u.*'),
    expect: portable('SELECT u.* FROM users AS u WHERE u.id = $1', [2]),
  },
  {
    name: 'no select list is *',
    build: (q) => q().from('counters'),
    expect: portable('SELECT * FROM counters', []),
    rows: [['a', '5']],
  },
  {
    name: 'DISTINCT',
    build: (q) => q().select('status').distinct().from('users').whereNotNull('status'),
    expect: portable('SELECT DISTINCT status FROM users WHERE status IS NOT NULL', []),
    rows: [['active'], ['inactive']],
  },
  {
    name: 'DISTINCT ON (PostgreSQL only)',
    build: (q) =>
      q()
        .distinctOn('user_id')
        .select('user_id', 'title')
        .from('posts')
        .orderBy('user_id')
        .orderBy('id', 'desc'),
    expect: {
      postgres: ['SELECT DISTINCT ON (user_id) user_id, title FROM posts ORDER BY user_id ASC, id DESC', []],
      mysql: 'ERR_UNSUPPORTED',
      sqlite: 'ERR_UNSUPPORTED',
      mssql: 'ERR_UNSUPPORTED',
    },
    rows: [
      ['1', 'Again'],
      ['3', "Carol's post"],
      ['9', 'Orphan'],
    ],
  },
  {
    name: 'FROM a subquery',
    build: (q) =>
      q()
        .select('t.name')
        .from(q().select('name', 'age').from('users').where('age', '>', 40), 't'),
    expect: portable('SELECT t.name FROM (SELECT name, age FROM users WHERE age > $1) AS t', [40]),
    rows: [['carol'], ['dave']],
  },
  {
    name: 'INNER JOIN with a parenthesised ON string',
    build: (q) =>
      q()
        .select('u.name', 'p.title')
        .from('users', 'u')
        .innerJoin('posts', 'p', 'u.id = p.user_id AND (p.id <> u.id OR p.user_id >= u.id)')
        .where('p.id', '<', 3),
    expect: portable(
      'SELECT u.name, p.title FROM users AS u INNER JOIN posts AS p ON u.id = p.user_id AND (p.id <> u.id OR p.user_id >= u.id) WHERE p.id < $1',
      [3],
    ),
    rows: [
      ['alice', 'Again'],
      ['alice', 'Hello'],
    ],
  },
  {
    name: 'a structured join condition with a bound value',
    build: (q) =>
      q()
        .select('u.name', 'p.title')
        .from('users', 'u')
        .join('posts', (j) => j.on('u.id', '=', 'p.user_id').where('p.published', true), 'inner', 'p'),
    expect: portable(
      'SELECT u.name, p.title FROM users AS u INNER JOIN posts AS p ON (u.id = p.user_id AND p.published = $1)',
      [true],
      {
        sqlite: [
          'SELECT u.name, p.title FROM users AS u INNER JOIN posts AS p ON (u.id = p.user_id AND p.published = ?)',
          [1],
        ],
      },
    ),
    rows: [
      ['alice', 'Hello'],
      ['carol', "Carol's post"],
    ],
  },
  {
    name: 'RIGHT JOIN',
    build: (q) =>
      q().select('u.name', 'p.title').from('users', 'u').rightJoin('posts', 'p', 'u.id = p.user_id'),
    expect: portable('SELECT u.name, p.title FROM users AS u RIGHT JOIN posts AS p ON u.id = p.user_id', []),
    rows: [
      ['alice', 'Again'],
      ['alice', 'Hello'],
      ['carol', "Carol's post"],
      [null, 'Orphan'],
    ],
  },
  {
    name: 'FULL JOIN (not in MySQL/MariaDB)',
    build: (q) =>
      q().select('u.name', 'p.title').from('users', 'u').fullJoin('posts', 'p', 'u.id = p.user_id'),
    expect: portable('SELECT u.name, p.title FROM users AS u FULL JOIN posts AS p ON u.id = p.user_id', [], {
      mysql: 'ERR_UNSUPPORTED',
    }),
    rows: [
      ['alice', 'Again'],
      ['alice', 'Hello'],
      ['bob', null],
      ['carol', "Carol's post"],
      ['dave', null],
      [null, 'Orphan'],
    ],
  },
  {
    name: 'CROSS JOIN',
    build: (q) =>
      q()
        .select('u.id', 'p.id as pid')
        .from('users', 'u')
        .crossJoin('posts', 'p')
        .where('u.id', 1)
        .where('p.id', 4),
    expect: portable(
      'SELECT u.id, p.id AS pid FROM users AS u CROSS JOIN posts AS p WHERE u.id = $1 AND p.id = $2',
      [1, 4],
    ),
    rows: [['1', '4']],
  },
  {
    name: 'LEFT JOIN LATERAL / OUTER APPLY',
    build: (q) =>
      q()
        .select('u.name', 'lp.title')
        .from('users', 'u')
        .leftJoinLateral(
          q()
            .select('p.title')
            .from('posts', 'p')
            .where('p.user_id', col('u.id'))
            .orderBy('p.id', 'desc')
            .limit(1),
          'lp',
        ),
    expect: {
      postgres: [
        'SELECT u.name, lp.title FROM users AS u LEFT JOIN LATERAL (SELECT p.title FROM posts AS p WHERE p.user_id = u.id ORDER BY p.id DESC LIMIT 1) AS lp ON TRUE',
        [],
      ],
      mysql: [
        'SELECT u.name, lp.title FROM users AS u LEFT JOIN LATERAL (SELECT p.title FROM posts AS p WHERE p.user_id = u.id ORDER BY p.id DESC LIMIT 1) AS lp ON TRUE',
        [],
      ],
      mariadb: 'ERR_UNSUPPORTED',
      sqlite: 'ERR_UNSUPPORTED',
      mssql: [
        'SELECT u.name, lp.title FROM users AS u OUTER APPLY (SELECT TOP (1) p.title FROM posts AS p WHERE p.user_id = u.id ORDER BY p.id DESC) AS lp',
        [],
      ],
    },
    rows: [
      ['alice', 'Again'],
      ['bob', null],
      ['carol', "Carol's post"],
      ['dave', null],
    ],
  },
  {
    name: 'CROSS JOIN LATERAL / CROSS APPLY',
    build: (q) =>
      q()
        .select('u.name', 'c.n')
        .from('users', 'u')
        .innerJoinLateral(
          q().select(fn('count', '*').as('n')).from('posts', 'p').where('p.user_id', col('u.id')),
          'c',
        )
        .where('u.id', '<', 3),
    expect: {
      postgres: [
        'SELECT u.name, c.n FROM users AS u CROSS JOIN LATERAL (SELECT count(*) AS n FROM posts AS p WHERE p.user_id = u.id) AS c WHERE u.id < $1',
        [3],
      ],
      mysql: [
        'SELECT u.name, c.n FROM users AS u CROSS JOIN LATERAL (SELECT count(*) AS n FROM posts AS p WHERE p.user_id = u.id) AS c WHERE u.id < ?',
        [3],
      ],
      mariadb: 'ERR_UNSUPPORTED',
      sqlite: 'ERR_UNSUPPORTED',
      mssql: [
        'SELECT u.name, c.n FROM users AS u CROSS APPLY (SELECT count(*) AS n FROM posts AS p WHERE p.user_id = u.id) AS c WHERE u.id < @p1',
        [3],
      ],
    },
    rows: [
      ['alice', '2'],
      ['bob', '0'],
    ],
  },
  {
    name: 'GROUP BY and HAVING with an aggregate',
    build: (q) =>
      q()
        .select('status', fn('count', '*').as('n'))
        .from('users')
        .groupBy('status')
        .having(fn('count', '*'), '>', 1),
    expect: portable('SELECT status, count(*) AS n FROM users GROUP BY status HAVING count(*) > $1', [1]),
    rows: [['active', '2']],
  },
  {
    name: 'ORDER BY … NULLS LAST (emulated in MySQL, MariaDB, MSSQL)',
    build: (q) => q().select('name').from('users').orderBy('status', 'asc', 'last').orderBy('id'),
    expect: portable('SELECT name FROM users ORDER BY status ASC NULLS LAST, id ASC', [], {
      mysql: [
        'SELECT name FROM users ORDER BY CASE WHEN status IS NULL THEN 1 ELSE 0 END, status ASC, id ASC',
        [],
      ],
      mssql: [
        'SELECT name FROM users ORDER BY CASE WHEN status IS NULL THEN 1 ELSE 0 END, status ASC, id ASC',
        [],
      ],
    }),
    rows: [['alice'], ['carol'], ['bob'], ['dave']],
    ordered: true,
  },
  {
    name: 'ORDER BY … DESC NULLS FIRST',
    build: (q) => q().select('name').from('users').orderBy('status', 'desc', 'first').orderBy('id', 'desc'),
    expect: portable('SELECT name FROM users ORDER BY status DESC NULLS FIRST, id DESC', [], {
      mysql: [
        'SELECT name FROM users ORDER BY CASE WHEN status IS NULL THEN 0 ELSE 1 END, status DESC, id DESC',
        [],
      ],
      mssql: [
        'SELECT name FROM users ORDER BY CASE WHEN status IS NULL THEN 0 ELSE 1 END, status DESC, id DESC',
        [],
      ],
    }),
    rows: [['dave'], ['bob'], ['carol'], ['alice']],
    ordered: true,
  },
  {
    name: 'LIMIT and OFFSET (OFFSET … FETCH on MSSQL)',
    build: (q) => q().select('id').from('users').orderBy('id').limit(2).offset(1),
    expect: portable('SELECT id FROM users ORDER BY id ASC LIMIT 2 OFFSET 1', [], {
      mssql: ['SELECT id FROM users ORDER BY id ASC OFFSET 1 ROWS FETCH NEXT 2 ROWS ONLY', []],
    }),
    rows: [['2'], ['3']],
    ordered: true,
  },
  {
    name: 'OFFSET alone',
    build: (q) => q().select('id').from('users').orderBy('id').offset(2),
    expect: portable('SELECT id FROM users ORDER BY id ASC OFFSET 2', [], {
      mysql: ['SELECT id FROM users ORDER BY id ASC LIMIT 18446744073709551615 OFFSET 2', []],
      sqlite: ['SELECT id FROM users ORDER BY id ASC LIMIT -1 OFFSET 2', []],
      mssql: ['SELECT id FROM users ORDER BY id ASC OFFSET 2 ROWS', []],
    }),
    rows: [['3'], ['4']],
    ordered: true,
    mssqlParserGap: 'OFFSET n ROWS without FETCH',
  },
  {
    name: 'OFFSET without ORDER BY is refused on MSSQL',
    build: (q) => q().select('id').from('users').limit(1).offset(3),
    expect: portable('SELECT id FROM users LIMIT 1 OFFSET 3', [], { mssql: 'ERR_UNSUPPORTED' }),
    rows: [['4']],
  },
  {
    name: 'a window function',
    build: (q) =>
      q()
        .select(
          'name',
          fn('row_number')
            .over({ partitionBy: 'status', orderBy: [['age', 'desc']] })
            .as('rn'),
        )
        .from('users')
        .whereNotNull('status'),
    expect: portable(
      'SELECT name, row_number() OVER (PARTITION BY status ORDER BY age DESC) AS rn FROM users WHERE status IS NOT NULL',
      [],
    ),
    rows: [
      ['alice', '2'],
      ['bob', '1'],
      ['carol', '1'],
    ],
  },
  {
    name: 'a scalar subquery in the select list',
    build: (q) =>
      q()
        .select(
          'u.name',
          q().select(fn('count', '*')).from('posts', 'p').where('p.user_id', col('u.id')).as('posts'),
        )
        .from('users', 'u')
        .where('u.id', 1),
    expect: portable(
      'SELECT u.name, (SELECT count(*) FROM posts AS p WHERE p.user_id = u.id) AS posts FROM users AS u WHERE u.id = $1',
      [1],
    ),
    rows: [['alice', '2']],
  },
  {
    name: 'raw fragments with bound values in the select list and WHERE',
    build: (q) =>
      q()
        .select(sql`upper(${col('name')})`.as('shout'))
        .from('users')
        .where(sql`${col('age')} % 2 = ${1}`),
    expect: portable('SELECT upper(name) AS shout FROM users WHERE (age % 2 = $1)', [1]),
    rows: [['BOB'], ['CAROL']],
  },
]
