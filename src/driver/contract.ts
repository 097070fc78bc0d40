import type { CovetError } from '../errors/covet-error.js'
import type { DatabaseError } from '../errors/database-error.js'
import type { SqlSyntax } from '../query/compiler/expressions.js'

/**
 * What the driver core needs of one connection. PgConnection and MySqlConnection both have it;
 * everything else a driver does with its connection goes through the dialect hooks below.
 */
export interface DriverConnection {
  readonly closed: boolean
  /** Commands written or waiting to be written whose answers have not arrived. */
  readonly pendingQueries: number
  /** Bytes received and sent on the connection's socket. */
  readonly bytes: { in: number; out: number }
  /** Called once when the session ends, for any reason. */
  onClose(listener: (error: CovetError) => void): void
  close(): Promise<void>
}

/** What a release must undo on a connection before the next borrower (HikariCP's dirty bits). */
export interface ResetPlan {
  /** Undoes the borrower's changes; undefined when there is nothing to undo. */
  undo: ((timeoutMs: number) => Promise<unknown>) | undefined
  /** The reset may have undone what the onConnect hook set: the hook runs again after it. */
  baselineLost: boolean
}

/** The connection-layer hooks of one dialect (DriverConnections). */
export interface ConnectionDialect<C extends DriverConnection> {
  /** Opens a connection with the driver's settings. */
  connect(): Promise<C>
  /** The pool's check of a connection that idled (docs/pool.md, validateAfterIdleMs). */
  validate(conn: C): Promise<boolean> | boolean
  /**
   * Resolves once every command written so far has been answered: a statement settled early
   * (cancelled, timed out) may still be running and change the session (a BEGIN, a SET).
   */
  settle(conn: C, timeoutMs: number): Promise<unknown>
  resetPlan(conn: C): ResetPlan
  /** What the connection says now, read after a reset: an open transaction means unknown state. */
  inTransaction(conn: C): boolean
  /** Forgets the recorded changes: after a reset, or what onConnect set (the baseline). */
  clearChanges(conn: C): void
  /** Whether a failure to connect may pass by itself (see connect-errors.ts). */
  isTransientConnectError(error: unknown): boolean
}

/** How a dialect runs the statements of a transaction. */
export interface TransactionDialect<C> {
  /** Runs control statements (BEGIN, SAVEPOINT, ...) in order, over the text protocol. */
  control(conn: C, statements: readonly string[]): Promise<unknown>
  /** COMMIT; resolves with the error to throw when the server rolled back instead. */
  commit(conn: C): Promise<DatabaseError | undefined>
  /** Whether a transaction is open now (MySQL may have to ask: an error packet carries no status). */
  inTransaction(conn: C): boolean | Promise<boolean>
  /** Serialization failures and deadlocks: the whole transaction may be run again. */
  isRetryable(error: unknown): boolean
}

/** How a dialect names the SQL it runs: placeholders, quoting, the builders it accepts. */
export interface QueryDialect {
  readonly syntax: SqlSyntax
  /** Dialect names of covet/query builders whose SQL this driver runs. */
  readonly builderDialects: ReadonlySet<string>
}

/**
 * The types a driver's sessions work with, in one place. `result` is written in terms of
 * `this['row']`, so that `ResultOf<Types, Row>` is the result type for any row type (the
 * "type lambda" encoding: TypeScript has no type constructors as parameters).
 */
export interface SessionTypes {
  readonly connection: DriverConnection
  readonly row: unknown
  readonly result: unknown
  readonly executeOptions: { signal?: AbortSignal }
  readonly streamOptions: { signal?: AbortSignal; batchSize?: number }
}

/** `Types['result']` with `row` set to `Row`: `QueryResult<Row>`, `MySqlResult<Row>`. */
export type ResultOf<Types extends SessionTypes, Row> = (Types & { readonly row: Row })['result']

/** Everything a session (tx, reserved connection, the driver) needs from its dialect. */
export interface SessionDialect<Types extends SessionTypes> {
  readonly query: QueryDialect
  /** Runs one statement; checks `options` first. */
  run(
    conn: Types['connection'],
    sql: string,
    params: readonly unknown[],
    options: Types['executeOptions'] | undefined,
  ): Promise<unknown>
  /** Rows as they arrive, with bounded memory. */
  stream(
    conn: Types['connection'],
    sql: string,
    params: readonly unknown[],
    options: Types['streamOptions'] | undefined,
  ): AsyncIterableIterator<unknown>
}
