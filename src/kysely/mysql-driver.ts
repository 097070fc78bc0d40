import type {
  CompiledQuery,
  DatabaseConnection,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely'
import { InvalidArgumentError } from '../errors/classes.js'
import { beginStatements, MYSQL_TRANSACTIONS } from '../mysql/driver/dialect.js'
import type { MySqlReservedConnection } from '../mysql/driver/session.js'
import type { MySqlDriver } from '../mysql/driver.js'
import type { MySqlResult } from '../mysql/handlers.js'
import { rowsMatched } from '../mysql/update-info.js'
import { ReservingDriver, type ReservingDriverConfig, savepointQuery } from './reserving-driver.js'

export type CovetMysqlKyselyDriverConfig = ReservingDriverConfig<MySqlDriver>

function isUpdate(query: CompiledQuery): boolean {
  const kind = query.query.kind
  return kind === 'UpdateQueryNode' || (kind === 'RawNode' && /^\s*update\b/i.test(query.sql))
}

/**
 * covet's MySQL result as Kysely's MysqlDialect (on mysql2) returns it: a result set is
 * `{ rows }`; an OK packet is `{ insertId, numAffectedRows, numChangedRows, rows: [] }`, with
 * `insertId` undefined when the server sent 0 (no AUTO_INCREMENT value). An UPDATE's count is
 * the rows matched, as mysql2 counts (Kysely's `numUpdatedRows`: "even if not changed"), read from
 * the info text (rowsMatched). mysql2's changedRows is 0 for anything but an UPDATE.
 */
export function mysqlResult(result: MySqlResult<unknown>, query: CompiledQuery): QueryResult<unknown> {
  if (result.fields.length > 0) return { rows: result.slice() }
  const insertId = BigInt(result.insertId)
  const affected = BigInt(result.affectedRows)
  let numAffectedRows = affected
  let numChangedRows = 0n
  if (isUpdate(query)) {
    numChangedRows = affected
    numAffectedRows = rowsMatched(result.info) ?? affected
  }
  // The key is there even when undefined, as Kysely's MysqlDialect returns it (deep equality sees it).
  return {
    insertId: insertId === 0n ? undefined : insertId,
    numAffectedRows,
    numChangedRows,
    rows: [],
  } as QueryResult<unknown>
}

/**
 * Kysely's Driver on a covet MySqlDriver: each Kysely connection is a reserved covet connection,
 * given back with `release()`, which resets the session (COM_RESET_CONNECTION) only when a
 * borrower may have changed it.
 *
 * Transaction control goes to the connection as covet's own `transaction()` sends it, past the
 * session-state tracker: through `executeQuery` a BEGIN would count as a session change and cost
 * every transaction a reset on release. A transaction left open is still seen (the status flag).
 */
export class CovetMysqlKyselyDriver extends ReservingDriver<
  MySqlDriver,
  MySqlReservedConnection,
  MySqlResult<unknown>
> {
  constructor(config: CovetMysqlKyselyDriverConfig) {
    super(config, mysqlResult)
  }

  /** SET TRANSACTION ISOLATION LEVEL (the next transaction only), then START TRANSACTION [READ ONLY]. */
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const conn = this.reserved(connection).connection
    const { isolationLevel, accessMode } = settings
    if (isolationLevel === 'snapshot') {
      throw new InvalidArgumentError(
        'MariaDB and MySQL have no snapshot isolation level: read uncommitted, read committed, repeatable read or serializable',
      )
    }
    const begin = beginStatements({
      ...(isolationLevel === undefined ? {} : { isolation: isolationLevel }),
      ...(accessMode === undefined ? {} : { readOnly: accessMode === 'read only' }),
    })
    await MYSQL_TRANSACTIONS.control(conn, begin)
  }

  /**
   * COMMIT, unless the transaction is already gone: InnoDB rolls a whole transaction back on a
   * deadlock, and DDL commits implicitly; what ran after that ran outside it, so the commit
   * rejects (SQLSTATE 25000) rather than report it committed, as covet's own transaction() does.
   */
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const error = await MYSQL_TRANSACTIONS.commit(this.reserved(connection).connection)
    if (error !== undefined) throw error
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await MYSQL_TRANSACTIONS.control(this.reserved(connection).connection, ['ROLLBACK'])
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    await this.#control(connection, savepointQuery('savepoint', name, compile))
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#control(connection, savepointQuery('rollback to savepoint', name, compile))
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) {
    await this.#control(connection, savepointQuery('release savepoint', name, compile))
  }

  /** A savepoint statement, its name quoted by MysqlQueryCompiler (backticks; no parameters). */
  #control(connection: DatabaseConnection, query: CompiledQuery): Promise<unknown> {
    return MYSQL_TRANSACTIONS.control(this.reserved(connection).connection, [query.sql])
  }
}
