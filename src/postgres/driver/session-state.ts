import type { TransactionStatus } from '../protocol/codes.js'

/**
 * Which parts of a session a borrower changed, so that the connection is reset only as much as
 * needed before the next borrower (issue 5, HikariCP's "dirty bits"). Most borrowers change
 * nothing and pay nothing; `DISCARD ALL` would also drop every cached prepared statement.
 *
 * Two sources: the CommandComplete tag of every statement (reliable, even inside a multi-statement
 * text), and a cheap scan of the SQL text for what no tag reveals (temporary objects created by
 * `CREATE TEMP TABLE ... AS` report `SELECT n`; advisory locks and `set_config` are function calls).
 */
export class SessionTracker {
  /** SET / set_config: RESET ALL (and SET SESSION AUTHORIZATION DEFAULT). */
  settings = false
  /** LISTEN: UNLISTEN *. */
  listening = false
  /** Temporary tables, views or sequences may exist: DISCARD TEMP. */
  temporary = false
  /** Session-level advisory locks may be held: pg_advisory_unlock_all(). */
  advisoryLocks = false
  /** PREPARE by the user: DEALLOCATE ALL (covet's own statements are forgotten with them). */
  prepared = false
  /** DECLARE (WITH HOLD cursors outlive the transaction): CLOSE ALL. */
  cursors = false
  /**
   * RESET, DISCARD, DEALLOCATE or UNLISTEN ran: nothing to undo, but what the driver's onConnect
   * hook set may be gone, so the hook runs again on release. Not part of `dirty`.
   */
  undone = false

  /**
   * Records what a CommandComplete tag says. Returns true when the server dropped every prepared
   * statement of the session (DISCARD ALL, DEALLOCATE ALL), so the statement cache must forget them.
   */
  observe(tag: string): boolean {
    if (UNDOING.test(tag)) this.undone = true
    switch (tag) {
      case 'SET':
        this.settings = true
        return false
      case 'LISTEN':
        this.listening = true
        return false
      case 'PREPARE':
        this.prepared = true
        return false
      case 'DECLARE CURSOR':
        this.cursors = true
        return false
      case 'DISCARD TEMP':
        this.temporary = false
        return false
      case 'DEALLOCATE ALL':
        this.prepared = false
        return true
      case 'DISCARD ALL':
        this.clear()
        this.undone = true
        return true
      default:
        return false
    }
  }

  /** Records what only the SQL text reveals. One regex test on the common path. */
  observeSql(sql: string): void {
    if (!MAYBE_DIRTY.test(sql)) return
    if (TEMPORARY.test(sql)) this.temporary = true
    if (ADVISORY.test(sql)) this.advisoryLocks = true
    if (SET_CONFIG.test(sql)) this.settings = true
  }

  get dirty(): boolean {
    return (
      this.settings || this.listening || this.temporary || this.advisoryLocks || this.prepared || this.cursors
    )
  }

  clear(): void {
    this.settings = false
    this.listening = false
    this.temporary = false
    this.advisoryLocks = false
    this.prepared = false
    this.cursors = false
    this.undone = false
  }

  /**
   * The statements that undo the changes, as one simple-protocol text (one round trip), or ''
   * when there is nothing to undo. An open or failed transaction is rolled back first.
   */
  resetSql(status: TransactionStatus): string {
    const parts: string[] = []
    if (status !== 'I') parts.push('ROLLBACK')
    if (this.cursors) parts.push('CLOSE ALL')
    if (this.settings) parts.push('SET SESSION AUTHORIZATION DEFAULT', 'RESET ALL')
    if (this.prepared) parts.push('DEALLOCATE ALL')
    if (this.listening) parts.push('UNLISTEN *')
    if (this.advisoryLocks) parts.push('SELECT pg_advisory_unlock_all()')
    if (this.temporary) parts.push('DISCARD TEMP')
    return parts.join('; ')
  }
}

const UNDOING = /^(?:RESET|DISCARD|DEALLOCATE|UNLISTEN)\b/
const MAYBE_DIRTY = /temp|advisory|set_config/i
const TEMPORARY = /\b(?:temp|temporary)\b/i
// Transaction-level locks (pg_advisory_xact_lock) end with the transaction: no reset needed.
const ADVISORY = /\bpg_(?:try_)?advisory_lock(?:_shared)?\s*\(/i
const SET_CONFIG = /\bset_config\s*\(/i
