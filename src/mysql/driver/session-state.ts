import type { MySqlConnection } from '../connection.js'

/**
 * Which borrowed connections may carry session state a borrower left behind, so that the
 * release resets only those (HikariCP's dirty bits): COM_RESET_CONNECTION costs a round trip
 * plus covet's session set-up again, and drops every prepared statement of the connection.
 *
 * MySQL reports session changes (SERVER_SESSION_STATE_CHANGED) only for what the session_track_*
 * variables name, and not for user variables or temporary tables by default, so the SQL text
 * decides, erring towards a reset: anything but a plain data statement (SET, USE, CREATE
 * TEMPORARY, LOCK TABLES, CALL, PREPARE, HANDLER, XA, BEGIN...), an assignment to a user
 * variable (`SELECT @a := 1`, `INTO @v`), named locks (GET_LOCK lasts until the session ends)
 * and a `;`. A transaction left open is caught by the status flag instead.
 */
export class MySqlSessionState {
  readonly #changed = new WeakSet<MySqlConnection>()

  /** Records what `sql` may change; one or two regex tests. */
  observe(conn: MySqlConnection, sql: string): void {
    if (!DATA_STATEMENT.test(sql) || SESSION_MARKER.test(sql)) this.#changed.add(conn)
  }

  /** True when a reset is due: the session may have changed, or a transaction was left open. */
  dirty(conn: MySqlConnection): boolean {
    return this.#changed.has(conn) || conn.inTransaction
  }

  clear(conn: MySqlConnection): void {
    this.#changed.delete(conn)
  }
}

// Leading comments and parentheses allowed: `/* app */ (SELECT ...)`; not an executable comment
// (`/*!40101 SET ... */`, MariaDB's `/*M! ... */`): the server runs what is inside.
const DATA_STATEMENT =
  /^(?:\s|\/\*(?!!|M!)(?:[^*]|\*(?!\/))*\*\/|\()*(?:select|insert|update|delete|replace|with|values|table|show|explain|describe|desc)\b/i
// `:=` and `INTO @v` assign user variables (reading one, `@v` or `@@x`, changes nothing); a `;`
// may start another statement (multipleStatements).
const SESSION_MARKER = /:=|\binto\s+@|;|\bget_lock\s*\(/i
