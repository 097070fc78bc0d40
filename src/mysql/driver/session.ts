import type { DriverCounters } from '../../driver/metrics.js'
import { Session } from '../../driver/session.js'
import { type EndableSession, runSavepoint, runTransaction } from '../../driver/transactions.js'
import type { MySqlBulkInsertOptions, MySqlBulkRows } from '../bulk-insert.js'
import type { MySqlConnection } from '../connection.js'
import {
  beginStatements,
  MYSQL_SESSION,
  MYSQL_TRANSACTIONS,
  type MySqlSessionTypes,
  type MySqlTransactionOptions,
} from './dialect.js'

/**
 * The statements every holder of one MySQL connection can run (src/driver/session.ts:
 * `execute`, `executeOne`, `sql`, `stream`): the session given to onConnect, and the base of a
 * transaction's `tx` and a reserved connection.
 */
export class MySqlSession extends Session<MySqlSessionTypes> {
  constructor(connection: MySqlConnection, counters: DriverCounters) {
    super(connection, MYSQL_SESSION, counters)
  }

  /**
   * MySqlConnection.bulkInsert on this connection (COM_STMT_BULK_EXECUTE on MariaDB, multi-row
   * INSERTs on MySQL): its own transaction, or a savepoint inside an open one; all or nothing.
   */
  bulkInsert(
    table: string | readonly string[],
    columns: readonly string[],
    rows: MySqlBulkRows,
    options?: MySqlBulkInsertOptions,
  ): Promise<number> {
    try {
      this.check()
      this.counters.copy.operations++
      return this.counters.observe(this.connection.bulkInsert(table, columns, rows, options)).then((n) => {
        this.counters.copy.rowsIn += n
        return n
      })
    } catch (error) {
      return Promise.reject(error)
    }
  }
}

/** The `tx` a transaction callback receives: statements on the transaction's connection. */
export class MySqlTransaction extends MySqlSession implements EndableSession {
  readonly #depth: number

  constructor(connection: MySqlConnection, counters: DriverCounters, depth = 0) {
    super(connection, counters)
    this.#depth = depth
  }

  /** A nested transaction: a SAVEPOINT, released on return, rolled back to on throw. */
  async transaction<R>(fn: (tx: MySqlTransaction) => R | Promise<R>): Promise<R> {
    this.check()
    const inner = new MySqlTransaction(this.connection, this.counters, this.#depth + 1)
    return runSavepoint(this.connection, MYSQL_TRANSACTIONS, this.#depth + 1, inner, fn)
  }

  end(why: string): void {
    this.ended = why
  }
}

/**
 * A connection taken out of the pool for session work (temporary tables, user variables, named
 * locks); `release()` gives it back, and the driver resets the session before anyone else gets it.
 */
export class MySqlReservedConnection extends MySqlSession {
  readonly #release: () => void

  constructor(connection: MySqlConnection, counters: DriverCounters, release: () => void) {
    super(connection, counters)
    this.#release = release
  }

  /** START TRANSACTION, the callback, COMMIT on this connection; ROLLBACK if it throws. */
  transaction<R>(
    fn: (tx: MySqlTransaction) => R | Promise<R>,
    options: MySqlTransactionOptions = {},
  ): Promise<R> {
    try {
      this.check()
      const begin = beginStatements(options)
      const tx = new MySqlTransaction(this.connection, this.counters)
      return runTransaction(this.connection, this.counters, MYSQL_TRANSACTIONS, begin, tx, fn)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Gives the connection back to the pool (idempotent). */
  release(): void {
    if (this.ended !== undefined) return
    this.ended = 'reserved connection was released'
    this.#release()
  }
}
