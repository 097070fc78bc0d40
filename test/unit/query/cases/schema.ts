import type { Dialect } from '../../../../src/query/nodes.js'

/**
 * The tables every executed case runs against, created by each integration test file. Each case
 * runs in a transaction that is rolled back, so every case sees exactly these rows.
 */
type ServerDialect = Extract<Dialect, 'postgres' | 'mariadb' | 'sqlite'>

const TYPES: Record<ServerDialect, { text: string; bool: string; serial: string; stamp: string }> = {
  postgres: { text: 'varchar(255)', bool: 'boolean', serial: 'serial PRIMARY KEY', stamp: 'timestamp' },
  mariadb: {
    text: 'varchar(255)',
    bool: 'boolean',
    serial: 'int AUTO_INCREMENT PRIMARY KEY',
    stamp: 'datetime',
  },
  sqlite: { text: 'varchar(255)', bool: 'boolean', serial: 'integer PRIMARY KEY', stamp: 'text' },
}

export function schema(dialect: ServerDialect): string[] {
  const t = TYPES[dialect]
  return [
    `CREATE TABLE users (id int PRIMARY KEY, name ${t.text} NOT NULL, status ${t.text}, age int, created_at ${t.stamp}, email ${t.text} UNIQUE)`,
    `CREATE TABLE posts (id int PRIMARY KEY, user_id int, title ${t.text}, published ${t.bool})`,
    `CREATE TABLE items (id int PRIMARY KEY, label ${t.text}, qty int DEFAULT 1)`,
    `CREATE TABLE counters (k ${t.text} PRIMARY KEY, n int NOT NULL)`,
    `CREATE TABLE logs (id ${t.serial}, note ${t.text} DEFAULT 'none')`,
    `INSERT INTO users VALUES (1, 'alice', 'active', 30, '2024-01-01 00:00:00', 'a@x'), (2, 'bob', 'inactive', 17, '2024-02-01 00:00:00', 'b@x'), (3, 'carol', 'active', 45, '2024-03-01 00:00:00', 'c@x'), (4, 'dave', NULL, 70, '2024-04-01 00:00:00', 'd@x')`,
    `INSERT INTO posts VALUES (1, 1, 'Hello', true), (2, 1, 'Again', false), (3, 3, 'Carol''s post', true), (4, 9, 'Orphan', false)`,
    `INSERT INTO counters VALUES ('a', 5)`,
  ]
}
