import { col, excluded, sql } from '../../../../src/query/expressions.js'
import { portable, type SqlCase } from './case.js'

/** INSERT, UPDATE, DELETE, upserts and RETURNING/OUTPUT (issue 6, Features), in every dialect. */
export const mutationCases: SqlCase[] = [
  {
    name: 'INSERT one row',
    build: (q) => q().insert('items').values({ id: 1, label: 'pen', qty: 3 }),
    expect: portable('INSERT INTO items (id, label, qty) VALUES ($1, $2, $3)', [1, 'pen', 3]),
    check: { sql: 'SELECT id, label, qty FROM items', rows: [['1', 'pen', '3']] },
  },
  {
    name: 'INSERT several rows; a left-out column is DEFAULT (not in SQLite)',
    build: (q) =>
      q()
        .insert('items')
        .values([
          { id: 1, label: 'a', qty: 2 },
          { id: 2, label: 'b' },
        ]),
    expect: portable(
      'INSERT INTO items (id, label, qty) VALUES ($1, $2, $3), ($4, $5, DEFAULT)',
      [1, 'a', 2, 2, 'b'],
      {
        sqlite: 'ERR_UNSUPPORTED',
      },
    ),
    check: {
      sql: 'SELECT id, label, qty FROM items',
      rows: [
        ['1', 'a', '2'],
        ['2', 'b', '1'],
      ],
    },
    mysqlParserGap: 'DEFAULT in VALUES',
  },
  {
    name: 'INSERT several rows with the same columns',
    build: (q) =>
      q()
        .insert('items')
        .values([
          { id: 1, label: 'a' },
          { id: 2, label: null },
        ]),
    expect: portable('INSERT INTO items (id, label) VALUES ($1, $2), ($3, $4)', [1, 'a', 2, null]),
    check: {
      sql: 'SELECT id, label, qty FROM items',
      rows: [
        ['1', 'a', '1'],
        ['2', null, '1'],
      ],
    },
  },
  {
    name: 'INSERT of defaults only',
    build: (q) => q().insert('logs').values({}),
    expect: portable('INSERT INTO logs DEFAULT VALUES', [], { mysql: ['INSERT INTO logs () VALUES ()', []] }),
    check: { sql: 'SELECT note FROM logs', rows: [['none']] },
    mssqlParserGap: 'DEFAULT VALUES',
    mysqlParserGap: 'an empty column list',
  },
  {
    name: 'INSERT … SELECT',
    build: (q) =>
      q()
        .insert('items')
        .columns('id', 'label')
        .values(q().select('id', 'name').from('users').where('id', '<', 3)),
    expect: portable('INSERT INTO items (id, label) SELECT id, name FROM users WHERE id < $1', [3]),
    check: {
      sql: 'SELECT id, label, qty FROM items',
      rows: [
        ['1', 'alice', '1'],
        ['2', 'bob', '1'],
      ],
    },
  },
  {
    name: 'INSERT … RETURNING / OUTPUT INSERTED (not MySQL)',
    build: (q) => q().insert('items').values({ id: 5, label: 'x' }).returning('id', 'label as l'),
    expect: portable('INSERT INTO items (id, label) VALUES ($1, $2) RETURNING id, label AS l', [5, 'x'], {
      mysql: 'ERR_UNSUPPORTED',
      mariadb: ['INSERT INTO items (id, label) VALUES (?, ?) RETURNING id, label AS l', [5, 'x']],
      mssql: [
        'INSERT INTO items (id, label) OUTPUT INSERTED.id, INSERTED.label AS l VALUES (@p1, @p2)',
        [5, 'x'],
      ],
    }),
    rows: [['5', 'x']],
    mssqlParserGap: 'OUTPUT',
  },
  {
    name: 'UPDATE',
    build: (q) => q().update('users').set({ status: 'gone', age: 1, email: undefined }).where('id', 2),
    expect: portable('UPDATE users SET status = $1, age = $2 WHERE id = $3', ['gone', 1, 2]),
    check: { sql: "SELECT id FROM users WHERE status = 'gone' AND age = 1", rows: [['2']] },
  },
  {
    name: 'UPDATE with an expression … RETURNING (not MySQL/MariaDB)',
    build: (q) =>
      q()
        .update('users')
        .set({ age: sql`${col('age')} + ${1}` })
        .where('id', 1)
        .returning('age'),
    expect: portable('UPDATE users SET age = age + $1 WHERE id = $2 RETURNING age', [1, 1], {
      mysql: 'ERR_UNSUPPORTED',
      mssql: ['UPDATE users SET age = age + @p1 OUTPUT INSERTED.age WHERE id = @p2', [1, 1]],
    }),
    rows: [['31']],
    mssqlParserGap: 'OUTPUT',
  },
  {
    name: 'UPDATE … FROM another table',
    build: (q) =>
      q()
        .update('users', 'u')
        .set({ status: 'author' })
        .from('posts', 'p')
        .where('p.user_id', col('u.id'))
        .where('p.published', true),
    expect: {
      postgres: [
        'UPDATE users AS u SET status = $1 FROM posts AS p WHERE p.user_id = u.id AND p.published = $2',
        ['author', true],
      ],
      mysql: [
        'UPDATE users AS u, posts AS p SET status = ? WHERE p.user_id = u.id AND p.published = ?',
        ['author', true],
      ],
      sqlite: [
        'UPDATE users AS u SET status = ? FROM posts AS p WHERE p.user_id = u.id AND p.published = ?',
        ['author', 1],
      ],
      mssql: [
        'UPDATE u SET status = @p1 FROM users AS u, posts AS p WHERE p.user_id = u.id AND p.published = @p2',
        ['author', true],
      ],
    },
    check: { sql: "SELECT id FROM users WHERE status = 'author'", rows: [['1'], ['3']] },
  },
  {
    name: 'UPDATE with a JOIN (MySQL, MSSQL; PostgreSQL and SQLite need from())',
    build: (q) =>
      q()
        .update('users', 'u')
        .join('posts', 'u.id = p.user_id', 'inner', 'p')
        .set({ status: 'author' })
        .where('p.published', true),
    expect: {
      postgres: 'ERR_UNSUPPORTED',
      mysql: [
        'UPDATE users AS u INNER JOIN posts AS p ON u.id = p.user_id SET status = ? WHERE p.published = ?',
        ['author', true],
      ],
      sqlite: 'ERR_UNSUPPORTED',
      mssql: [
        'UPDATE u SET status = @p1 FROM users AS u INNER JOIN posts AS p ON u.id = p.user_id WHERE p.published = @p2',
        ['author', true],
      ],
    },
    check: { sql: "SELECT id FROM users WHERE status = 'author'", rows: [['1'], ['3']] },
  },
  {
    name: 'DELETE',
    build: (q) => q().delete('posts').where('published', false).where('user_id', 9),
    expect: portable('DELETE FROM posts WHERE published = $1 AND user_id = $2', [false, 9], {
      sqlite: ['DELETE FROM posts WHERE published = ? AND user_id = ?', [0, 9]],
    }),
    check: { sql: 'SELECT id FROM posts', rows: [['1'], ['2'], ['3']] },
  },
  {
    name: 'DELETE … RETURNING / OUTPUT DELETED (not MySQL)',
    build: (q) => q().delete('posts').whereIn('id', [2, 4]).returning('id'),
    expect: portable('DELETE FROM posts WHERE id IN ($1, $2) RETURNING id', [2, 4], {
      mysql: 'ERR_UNSUPPORTED',
      mariadb: ['DELETE FROM posts WHERE id IN (?, ?) RETURNING id', [2, 4]],
      mssql: ['DELETE FROM posts OUTPUT DELETED.id WHERE id IN (@p1, @p2)', [2, 4]],
    }),
    rows: [['2'], ['4']],
    mssqlParserGap: 'OUTPUT',
  },
  {
    name: 'upsert: DO UPDATE with the proposed value',
    build: (q) =>
      q()
        .insert('counters')
        .values([
          { k: 'a', n: 1 },
          { k: 'b', n: 2 },
        ])
        .onConflict('k')
        .doUpdate({ n: sql`${col('counters.n')} + ${excluded('n')}` }),
    expect: {
      postgres: [
        'INSERT INTO counters (k, n) VALUES ($1, $2), ($3, $4) ON CONFLICT (k) DO UPDATE SET n = counters.n + excluded.n',
        ['a', 1, 'b', 2],
      ],
      mysql: [
        'INSERT INTO counters (k, n) VALUES (?, ?), (?, ?) AS excluded ON DUPLICATE KEY UPDATE n = counters.n + excluded.n',
        ['a', 1, 'b', 2],
      ],
      mariadb: [
        'INSERT INTO counters (k, n) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE n = counters.n + VALUES(n)',
        ['a', 1, 'b', 2],
      ],
      sqlite: [
        'INSERT INTO counters (k, n) VALUES (?, ?), (?, ?) ON CONFLICT (k) DO UPDATE SET n = counters.n + excluded.n',
        ['a', 1, 'b', 2],
      ],
      mssql: [
        'MERGE INTO counters WITH (HOLDLOCK) USING (VALUES (@p1, @p2), (@p3, @p4)) AS excluded (k, n) ON counters.k = excluded.k WHEN MATCHED THEN UPDATE SET n = counters.n + excluded.n WHEN NOT MATCHED THEN INSERT (k, n) VALUES (excluded.k, excluded.n);',
        ['a', 1, 'b', 2],
      ],
    },
    check: {
      sql: 'SELECT k, n FROM counters',
      rows: [
        ['a', '6'],
        ['b', '2'],
      ],
    },
    mssqlParserGap: 'MERGE',
    mysqlParserGap: 'the INSERT row alias (MySQL 8.0.19)',
  },
  {
    name: 'upsert: DO UPDATE from column names … RETURNING',
    build: (q) =>
      q().insert('counters').values({ k: 'a', n: 9 }).onConflict(['k']).doUpdate(['n']).returning('n'),
    expect: {
      postgres: [
        'INSERT INTO counters (k, n) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET n = excluded.n RETURNING n',
        ['a', 9],
      ],
      mysql: 'ERR_UNSUPPORTED',
      mariadb: [
        'INSERT INTO counters (k, n) VALUES (?, ?) ON DUPLICATE KEY UPDATE n = VALUES(n) RETURNING n',
        ['a', 9],
      ],
      sqlite: [
        'INSERT INTO counters (k, n) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET n = excluded.n RETURNING n',
        ['a', 9],
      ],
      mssql: [
        'MERGE INTO counters WITH (HOLDLOCK) USING (VALUES (@p1, @p2)) AS excluded (k, n) ON counters.k = excluded.k WHEN MATCHED THEN UPDATE SET n = excluded.n WHEN NOT MATCHED THEN INSERT (k, n) VALUES (excluded.k, excluded.n) OUTPUT INSERTED.n;',
        ['a', 9],
      ],
    },
    rows: [['9']],
    mssqlParserGap: 'MERGE',
  },
  {
    name: 'upsert: DO NOTHING',
    build: (q) =>
      q()
        .insert('counters')
        .values([
          { k: 'a', n: 1 },
          { k: 'b', n: 2 },
        ])
        .onConflict('k')
        .doNothing(),
    expect: {
      postgres: [
        'INSERT INTO counters (k, n) VALUES ($1, $2), ($3, $4) ON CONFLICT (k) DO NOTHING',
        ['a', 1, 'b', 2],
      ],
      mysql: [
        'INSERT INTO counters (k, n) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE k = k',
        ['a', 1, 'b', 2],
      ],
      sqlite: [
        'INSERT INTO counters (k, n) VALUES (?, ?), (?, ?) ON CONFLICT (k) DO NOTHING',
        ['a', 1, 'b', 2],
      ],
      mssql: [
        'MERGE INTO counters WITH (HOLDLOCK) USING (VALUES (@p1, @p2), (@p3, @p4)) AS excluded (k, n) ON counters.k = excluded.k WHEN NOT MATCHED THEN INSERT (k, n) VALUES (excluded.k, excluded.n);',
        ['a', 1, 'b', 2],
      ],
    },
    check: {
      sql: 'SELECT k, n FROM counters',
      rows: [
        ['a', '5'],
        ['b', '2'],
      ],
    },
    mssqlParserGap: 'MERGE',
  },
  {
    name: 'upsert from INSERT … SELECT (SQLite needs WHERE true)',
    build: (q) =>
      q()
        .insert('counters')
        .columns('k', 'n')
        .values(q().select('name', 'age').from('users'))
        .onConflict('k')
        .doNothing(),
    expect: {
      postgres: ['INSERT INTO counters (k, n) SELECT name, age FROM users ON CONFLICT (k) DO NOTHING', []],
      mysql: ['INSERT INTO counters (k, n) SELECT name, age FROM users ON DUPLICATE KEY UPDATE k = k', []],
      sqlite: [
        'INSERT INTO counters (k, n) SELECT name, age FROM users WHERE (true) ON CONFLICT (k) DO NOTHING',
        [],
      ],
      mssql: [
        'MERGE INTO counters WITH (HOLDLOCK) USING (SELECT name, age FROM users) AS excluded (k, n) ON counters.k = excluded.k WHEN NOT MATCHED THEN INSERT (k, n) VALUES (excluded.k, excluded.n);',
        [],
      ],
    },
    check: { sql: 'SELECT count(*) FROM counters', rows: [['5']] },
    mssqlParserGap: 'MERGE',
  },
]
