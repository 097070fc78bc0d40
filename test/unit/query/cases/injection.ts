import { ident } from '../../../../src/query/expressions.js'
import type { Dialect } from '../../../../src/query/nodes.js'
import { portable, type SqlCase } from './case.js'

/**
 * Hostile input (issue 6, Tests: injection): quotes of every dialect, backslashes, `;`, comments,
 * placeholders, LIKE wildcards and Unicode look-alikes of the quote characters. As values they
 * must only ever travel as parameters (the SQL text is the same for all of them) and come back
 * unchanged; as identifiers they are refused as strings (see identifiers.test.ts) and quoted by
 * `ident()`, and the executed statement finds exactly the table and column created with that name.
 */
export const HOSTILE_VALUES: readonly string[] = [
  "'; DROP TABLE users; --",
  "\\'; DROP TABLE users; --",
  '\\',
  '"; DROP TABLE users; --',
  '`; DROP TABLE users; --',
  ']; DROP TABLE users; --',
  "' OR '1'='1",
  '/* comment */ 1',
  '-- comment',
  '$1 ? @p1 :name',
  '%_[]',
  '\u02bc OR 1=1 --', // modifier letter apostrophe, a classic charset-conversion quote
  '\uff07 OR \uff071\uff07=\uff071', // fullwidth apostrophe
  '\u2019; DROP TABLE users; --', // right single quotation mark
  'e\u0301t\u00e9 \u{1f600}', // combining accent, precomposed letter, an emoji (4-byte UTF-8)
  'line\nbreak\ttab\r',
]

export const HOSTILE_IDENTIFIERS: readonly string[] = [
  'we"ird',
  'back`tick',
  'br]ack[et',
  "semi;colon -- 'x'",
  'space name',
  'Ünïcödé',
  '\u02bcquote\u02bc',
  'UPPER',
  'select',
]

/** How the test's own DDL quotes a name: the doubling rule of each dialect's manual. */
export function quoteForTest(dialect: Dialect, name: string): string {
  if (dialect === 'mysql' || dialect === 'mariadb') return `\`${name.replaceAll('`', '``')}\``
  if (dialect === 'mssql') return `[${name.replaceAll(']', ']]')}]`
  return `"${name.replaceAll('"', '""')}"`
}

function valueCases(): SqlCase[] {
  return HOSTILE_VALUES.map((value, i) => ({
    name: `hostile value #${i + 1} ${JSON.stringify(value)} is bound, stored and found unchanged`,
    build: (q) =>
      q()
        .insert('items')
        .values({ id: 100 + i, label: value })
        .returning('id'),
    expect: portable('INSERT INTO items (id, label) VALUES ($1, $2) RETURNING id', [100 + i, value], {
      mysql: 'ERR_UNSUPPORTED',
      mariadb: ['INSERT INTO items (id, label) VALUES (?, ?) RETURNING id', [100 + i, value]],
      mssql: ['INSERT INTO items (id, label) OUTPUT INSERTED.id VALUES (@p1, @p2)', [100 + i, value]],
    }),
    rows: [[String(100 + i)]],
    check: { sql: 'SELECT id, label FROM items', rows: [[String(100 + i), value]] },
    mssqlParserGap: 'OUTPUT',
  }))
}

function lookupCases(): SqlCase[] {
  return HOSTILE_VALUES.map((value, i) => ({
    name: `hostile value #${i + 1} in WHERE matches only itself`,
    build: (q) => q().select('id').from('items').where('label', value),
    expect: portable('SELECT id FROM items WHERE label = $1', [value]),
    setup: () => ["INSERT INTO items (id, label) VALUES (1, 'harmless')"],
    rows: [],
    check: { sql: 'SELECT count(*) FROM users', rows: [['4']] },
  }))
}

function identifierCases(): SqlCase[] {
  return HOSTILE_IDENTIFIERS.map((name, i) => {
    const table = `${name}_t${i}`
    const ddl = (d: Dialect) => [
      `CREATE TABLE ${quoteForTest(d, table)} (${quoteForTest(d, name)} int)`,
      `INSERT INTO ${quoteForTest(d, table)} VALUES (${i})`,
    ]
    const sqlFor = (d: Dialect, p: string) =>
      `SELECT ${quoteForTest(d, name)} AS v FROM ${quoteForTest(d, table)} WHERE ${quoteForTest(d, name)} = ${p}`
    return {
      name: `hostile identifier ${JSON.stringify(name)} through ident() is quoted, not interpreted`,
      build: (q) => q().select(ident(name).as('v')).from(ident(table)).where(ident(name), i),
      expect: {
        postgres: [sqlFor('postgres', '$1'), [i]],
        mysql: [sqlFor('mysql', '?'), [i]],
        sqlite: [sqlFor('sqlite', '?'), [i]],
        mssql: [sqlFor('mssql', '@p1'), [i]],
      },
      setup: ddl,
      teardown: (d) => [`DROP TABLE IF EXISTS ${quoteForTest(d, table)}`],
      rows: [[String(i)]],
      ...(name.includes(']') ? { mssqlParserGap: 'a doubled ] inside brackets' } : {}),
    }
  })
}

/** NUL: bound like any value; PostgreSQL text cannot hold it (postgres.test.ts checks the refusal). */
const nulCase: SqlCase = {
  name: 'a value with NUL is bound and kept whole',
  build: (q) => q().insert('items').values({ id: 7, label: 'a\0b' }),
  expect: portable('INSERT INTO items (id, label) VALUES ($1, $2)', [7, 'a\0b']),
  // hex(): the sqlite3 shell prints text as a C string, which would end at the NUL.
  check: { sql: 'SELECT id, hex(label) FROM items', rows: [['7', '610062']] },
  notOn: { postgres: 'text cannot contain NUL (SQLSTATE 22021); postgres.test.ts asserts the refusal' },
}

export const injectionCases: SqlCase[] = [...valueCases(), ...lookupCases(), ...identifierCases(), nulCase]
