/**
 * What the storage code runs statements on: covet's PostgresDriver or MySqlDriver, which both have
 * this shape (nothing here names either), and — inside `transaction(async (tx) => ...)` — their
 * transaction, which has the same execute/executeOne.
 */
import type { QueryBuilder } from '../../../src/query/index.js'

/** SQL text (placeholders of the database's dialect) or a builder of its dialect. */
export type Statement = string | QueryBuilder

/** `T` when given, else plain row objects (the drivers' default). */
type Row<T> = [T] extends [never] ? Record<string, unknown> : T

/** Rows, and how many a write touched: PostgreSQL's `rowCount`, MySQL's `affectedRows`. */
export interface Rows<T> extends Array<T> {
  readonly rowCount?: number | null
  readonly affectedRows?: number | bigint
}

/** How many rows an INSERT, UPDATE or DELETE touched, on either driver. */
export function affectedRows(result: Rows<unknown>): number {
  return Number(result.rowCount ?? result.affectedRows ?? 0)
}

export interface Queryable {
  execute<T = never>(input: Statement, params?: readonly unknown[]): Promise<Rows<Row<T>>>
  executeOne<T = never>(input: Statement, params?: readonly unknown[]): Promise<Row<T> | null>
}

/** A pooled connection of one's own, for session state (a named lock); `release()` gives it back. */
export interface Reserved extends Queryable {
  release(): void
}

export interface Database extends Queryable {
  /** BEGIN, `fn`, COMMIT; ROLLBACK if it throws. */
  transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R>
  reserve(): Promise<Reserved>
  /** Rows through a server-side cursor: memory bounded, the connection held until the loop ends. */
  stream<T = Record<string, unknown>>(input: Statement): AsyncIterable<T>
  metrics(): object
  close(): Promise<void>
}

/**
 * What the bulk path of POST /notes/import needs (PostgresDriver: binary COPY). The service asks
 * for it only where it is known to work (app.ts).
 */
export interface BulkInserter {
  bulkInsert(table: string, columns: readonly string[], rows: AsyncIterable<unknown[]>): Promise<number>
}
