/**
 * The schema, created at every start, one per dialect (storage/dialect.ts). `IF NOT EXISTS` alone
 * is not enough when two instances start together against one server (both can pass the check; on
 * PostgreSQL one then fails on pg_type's unique index), so creation runs behind a lock:
 * - PostgreSQL: one transaction behind a transaction-scoped advisory lock; all or nothing.
 * - MySQL/MariaDB: DDL commits implicitly (MariaDB KB "SQL statements that cause an implicit
 *   commit"), so there is no atomic batch. Each statement is idempotent on its own instead, run in
 *   order under the named lock GET_LOCK takes, on one reserved connection (the lock belongs to the
 *   session that took it).
 */
import type { Database } from './database.js'
import type { SqlDialect } from './dialect.js'

/** An arbitrary constant that names this service's schema lock (pg_advisory_xact_lock takes a bigint). */
const PG_SCHEMA_LOCK = 7_246_811_309

const POSTGRES_STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS users (
    id uuid PRIMARY KEY,
    username text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  // Only a hash of each session token is stored: a leaked table cannot be replayed as logins.
  `CREATE TABLE IF NOT EXISTS sessions (
    token_hash text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
  )`,
  'CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions (user_id)',
  // body holds an AeadCipher sealed value (version, algorithm, key id, nonce, ciphertext, tag).
  `CREATE TABLE IF NOT EXISTS notes (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title text NOT NULL,
    body bytea NOT NULL,
    tags jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  )`,
  'CREATE INDEX IF NOT EXISTS notes_user_id ON notes (user_id, id)',
  'CREATE INDEX IF NOT EXISTS notes_tags ON notes USING gin (tags jsonb_path_ops)',
]

/** GET_LOCK's name (a server-wide namespace) and how long a second instance waits for it, in s. */
const MYSQL_SCHEMA_LOCK = 'covet-notes-schema'
const MYSQL_LOCK_WAIT_S = 30

/**
 * The same tables on MySQL/MariaDB. Ids are CHAR(36) in ascii_bin: the API's lowercase uuid text,
 * which sorts (ORDER BY id, the paging cursor) exactly as PostgreSQL's uuid does. MariaDB's own
 * UUID type (10.7+) stores some versions byte-swapped and sorts them in that order instead.
 * Text is utf8mb4 (every code point, emoji included) with the binary collation: names compare
 * exactly, as on PostgreSQL. DATETIME(6) holds UTC: covet sets the session time zone to '+00:00'.
 * JSON has no GIN index here; tags are filtered after the (user_id, id) index narrows the rows.
 */
const MYSQL_STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS users (
    id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    username VARCHAR(255) NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
  ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`,
  // The token hash is SHA-256 in hex.
  `CREATE TABLE IF NOT EXISTS sessions (
    token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    user_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    INDEX sessions_user_id (user_id),
    CONSTRAINT sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`,
  // A body is at most 100,000 characters, 400 kB of UTF-8 sealed: past BLOB's 64 kB.
  `CREATE TABLE IF NOT EXISTS notes (
    id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    user_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    title TEXT NOT NULL,
    body LONGBLOB NOT NULL,
    tags JSON NOT NULL DEFAULT ('[]'),
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    INDEX notes_user_id (user_id, id),
    CONSTRAINT notes_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`,
]

export async function createSchema(db: Database, dialect: SqlDialect): Promise<void> {
  if (dialect.name === 'postgresql') {
    await db.transaction(async (tx) => {
      await tx.execute('SELECT pg_advisory_xact_lock($1)', [PG_SCHEMA_LOCK])
      for (const statement of POSTGRES_STATEMENTS) await tx.execute(statement)
    })
    return
  }
  const conn = await db.reserve()
  try {
    // 1 once taken, 0 when the wait ran out, NULL on an error (MariaDB KB "GET_LOCK").
    const lock = await conn.executeOne<{ got: unknown }>('SELECT GET_LOCK(?, ?) AS got', [
      MYSQL_SCHEMA_LOCK,
      MYSQL_LOCK_WAIT_S,
    ])
    if (Number(lock?.got) !== 1) {
      throw new Error(`another instance held the schema lock for ${MYSQL_LOCK_WAIT_S} s; is one stuck?`)
    }
    try {
      for (const statement of MYSQL_STATEMENTS) await conn.execute(statement)
    } finally {
      await conn.execute('SELECT RELEASE_LOCK(?)', [MYSQL_SCHEMA_LOCK])
    }
  } finally {
    conn.release()
  }
}
