import {
  CompiledQuery,
  type DatabaseConnection,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'
import type { ReservedConnection } from '../postgres/driver/reserved.js'
import type { PostgresDriver } from '../postgres/driver.js'
import type { QueryResult as CovetResult } from '../postgres/query-handlers.js'
import { ReservingDriver, type ReservingDriverConfig, savepointQuery } from './reserving-driver.js'

export type CovetKyselyDriverConfig = ReservingDriverConfig<PostgresDriver>

/** Commands whose count Kysely reports as `numAffectedRows` (as its pg dialect does). */
const AFFECTING = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE'])

/** covet's PostgreSQL result as Kysely's pg dialect returns it. */
export function pgResult(result: CovetResult<unknown>): QueryResult<unknown> {
  // A plain array: covet's result array also carries rowCount, command and fields as properties.
  const rows = result.slice()
  const n = result.rowCount
  // The key is there even when undefined, as Kysely's pg dialect returns it (deep equality sees it).
  const numAffectedRows = AFFECTING.has(result.command) && n !== null ? BigInt(n) : undefined
  return { numAffectedRows, rows } as QueryResult<unknown>
}

/**
 * Kysely's Driver on a covet PostgresDriver: each Kysely connection is a reserved covet
 * connection (`driver.reserve()`), given back with `release()`, which resets what the session
 * changed (covet's dirty-bit reset) before the next borrower.
 */
export class CovetKyselyDriver extends ReservingDriver<
  PostgresDriver,
  ReservedConnection,
  CovetResult<unknown>
> {
  constructor(config: CovetKyselyDriverConfig) {
    super(config, pgResult)
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let sql = 'begin'
    if (settings.isolationLevel !== undefined || settings.accessMode !== undefined) {
      // Kysely validates both against its fixed lists before calling the driver.
      sql = 'start transaction'
      if (settings.isolationLevel !== undefined) sql += ` isolation level ${settings.isolationLevel}`
      if (settings.accessMode !== undefined) sql += ` ${settings.accessMode}`
    }
    await connection.executeQuery(CompiledQuery.raw(sql))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    await connection.executeQuery(savepointQuery('savepoint', name, compile))
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(savepointQuery('rollback to', name, compile))
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) {
    await connection.executeQuery(savepointQuery('release', name, compile))
  }
}
