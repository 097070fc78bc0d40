/**
 * The schema, created at every start. `IF NOT EXISTS` alone is not enough when two instances start
 * together against one server (both can pass the check, one then fails on pg_type's unique index), so
 * the statements run as one atomic batch behind a transaction-scoped advisory lock.
 */
import type { Database } from './database.js'

/** An arbitrary constant that names this service's schema lock (pg_advisory_xact_lock takes a bigint). */
const SCHEMA_LOCK = 7_246_811_309

const STATEMENTS = [
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

export async function createSchema(db: Database): Promise<void> {
  await db.transaction([
    ['SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]],
    ...STATEMENTS.map((sql) => [sql, []] as const),
  ])
}
