import type { ConnectionStatementCache, PreparedStatementCache } from '../cache/statement-cache.js'
import type { DecodeContext } from './handlers.js'
import type { PendingCommand } from './pending.js'
import type { ColumnDefinition } from './protocol/columns.js'
import type { PrepareOk } from './protocol/messages.js'
import { buildStatement, countPlaceholders, type PreparedStatement } from './statements.js'

/**
 * The prepared statements of one connection: the L1 cache (SQL text → statement, the statement id
 * as the entry's name, every eviction closed on the server) over the L2 a pool may share, plus the
 * statements a single command prepared for itself (cursors, `cache: false`), closed by their user.
 */
export class StatementStore {
  #shared: PreparedStatementCache<PreparedStatement> | undefined
  #l1: ConnectionStatementCache<PreparedStatement> | undefined
  readonly #own = new WeakMap<PendingCommand, PreparedStatement>()

  constructor(
    /** Sends COM_STMT_CLOSE (no answer comes). */
    private readonly close: (id: number) => void,
    private readonly decode: DecodeContext,
  ) {}

  /** Installs the cache (after the connection learned max_prepared_stmt_count). */
  use(shared: PreparedStatementCache<PreparedStatement>): void {
    this.#shared = shared
    this.#l1 = shared.forConnection(this.#evicted)
  }

  /** The statement `c` can execute at once, if any. */
  lookup(c: PendingCommand): PreparedStatement | undefined {
    return (c.cache ? this.#l1!.get(c.sql)?.metadata : undefined) ?? this.#own.get(c)
  }

  /** The statement `c` prepared for itself (a cursor's: its id is what COM_STMT_FETCH names). */
  own(c: PendingCommand): PreparedStatement | undefined {
    return this.#own.get(c)
  }

  /**
   * The parameter count of `c`'s text when it is sure before PREPARE answers: another connection
   * of the pool prepared it (L2), or the placeholder scan is unambiguous.
   */
  sureParamCount(c: PendingCommand): number | undefined {
    return (c.cache ? this.#shared!.learned(c.sql)?.paramCount : undefined) ?? countPlaceholders(c.sql)
  }

  /** Keeps a freshly prepared statement: in L1 (a duplicate prepared meanwhile is closed), or for its command. */
  keep(c: PendingCommand, ok: PrepareOk, columns: ColumnDefinition[]): PreparedStatement {
    const st = buildStatement(
      ok.statementId,
      c.sql,
      ok.paramCount,
      columns,
      this.decode.types,
      this.decode.rowMode,
    )
    if (!c.cache) this.#own.set(c, st)
    else if (this.#l1!.get(c.sql) === undefined) this.#l1!.set(c.sql, st, String(st.id))
    else this.close(st.id)
    return st
  }

  /** The server no longer has `sql`'s statement as cached (ER_NEED_REPREPARE, unknown id): forget it everywhere. */
  dropStale(sql: string): void {
    this.#l1!.delete(sql)
    this.#shared!.invalidate(sql)
  }

  /** Too many statements on the server (max_prepared_stmt_count is global): close all of ours. */
  shrink(): boolean {
    const names = this.#l1!.close()
    for (const name of names) this.close(Number(name))
    this.#l1 = this.#shared!.forConnection(this.#evicted)
    return names.length > 0
  }

  /** COM_RESET_CONNECTION dropped every statement of the session: forget them without closing. */
  forget(): void {
    if (this.#shared === undefined) return
    this.#l1?.close()
    this.#l1 = this.#shared.forConnection(this.#evicted)
  }

  /** The session ended: its statements went with it. */
  end(): void {
    this.#l1?.close()
  }

  /** L1 evicted a statement: close it on the server, which would keep it until the session ends. */
  readonly #evicted = (name: string): void => {
    this.close(Number(name))
  }
}
