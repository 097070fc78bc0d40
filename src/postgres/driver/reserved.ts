import type { DriverCounters } from '../../driver/metrics.js'
import { runTransaction } from '../../driver/transactions.js'
import type { PgConnection } from '../connection.js'
import { Session } from './session.js'
import { beginSql, PG_TRANSACTIONS, Transaction, type TransactionOptions } from './transactions.js'

/**
 * A connection taken out of the pool for session work (issue 5, `reserve()`): temporary tables,
 * advisory locks, SET that should last. `release()` gives it back; the driver then undoes what
 * the session changed (see SessionTracker) before anyone else gets it.
 */
export class ReservedConnection extends Session {
  readonly #release: () => void

  constructor(connection: PgConnection, counters: DriverCounters, release: () => void) {
    super(connection, counters)
    this.#release = release
  }

  /** BEGIN, the callback, COMMIT on this connection; ROLLBACK if it throws. */
  transaction<R>(fn: (tx: Transaction) => R | Promise<R>, options: TransactionOptions = {}): Promise<R> {
    try {
      this.check()
      const begin = [beginSql(options)]
      const tx = new Transaction(this.connection, this.counters)
      return runTransaction(this.connection, this.counters, PG_TRANSACTIONS, begin, tx, fn)
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
