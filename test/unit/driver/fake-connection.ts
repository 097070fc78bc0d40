import { DriverConnections } from '../../../src/driver/connections.js'
import type { ConnectionDialect, DriverConnection, TransactionDialect } from '../../../src/driver/contract.js'
import { DriverCounters } from '../../../src/driver/metrics.js'
import { ConnectionError } from '../../../src/errors/classes.js'
import type { CovetError } from '../../../src/errors/covet-error.js'
import { DatabaseError } from '../../../src/errors/database-error.js'
import type { PoolOptions } from '../../../src/pool/pool-options.js'

/**
 * A connection that records the statements it is given, for the driver core's unit tests: the
 * core's logic (drain, retries, reset on release, transactions) needs no wire. Statements in
 * `failing` reject with a DatabaseError of that SQLSTATE.
 */
export class FakeConnection implements DriverConnection {
  static opened = 0
  readonly id = ++FakeConnection.opened
  readonly log: string[] = []
  readonly failing = new Map<string, string>()
  closed = false
  pendingQueries = 0
  inTransaction = false
  dirty = false
  readonly bytes = { in: 10, out: 5 }
  readonly #listeners: ((error: CovetError) => void)[] = []

  async run(sql: string): Promise<string> {
    if (this.closed) throw new ConnectionError('ERR_CONNECTION_CLOSED', 'closed')
    this.log.push(sql)
    const sqlState = this.failing.get(sql)
    if (sqlState !== undefined) throw new DatabaseError(`${sql} failed`, { sqlState })
    if (/^(BEGIN|START)/.test(sql)) this.inTransaction = true
    if (/^(COMMIT|ROLLBACK)$/.test(sql)) this.inTransaction = false
    if (/^SET /.test(sql)) this.dirty = true
    return sql
  }

  onClose(listener: (error: CovetError) => void): void {
    this.#listeners.push(listener)
  }

  /** The server ended the session (a KILL, a restart). */
  die(): void {
    if (this.closed) return
    this.closed = true
    for (const listener of this.#listeners) listener(new ConnectionError('ERR_CONNECTION_CLOSED', 'killed'))
  }

  async close(): Promise<void> {
    this.die()
  }
}

export const FAKE_TRANSACTIONS: TransactionDialect<FakeConnection> = {
  async control(conn, statements) {
    for (const sql of statements) await conn.run(sql)
  },
  async commit(conn) {
    await conn.run('COMMIT')
    return undefined
  },
  inTransaction: (conn) => conn.inTransaction,
  isRetryable: (error) => error instanceof DatabaseError && error.sqlState === '40001',
}

export function fakeDialect(overrides: Partial<ConnectionDialect<FakeConnection>> = {}) {
  const opened: FakeConnection[] = []
  const dialect: ConnectionDialect<FakeConnection> = {
    connect: async () => {
      const conn = new FakeConnection()
      opened.push(conn)
      return conn
    },
    validate: (conn) => !conn.closed,
    settle: async () => {},
    resetPlan: (conn) => ({
      undo: conn.dirty ? () => conn.run('RESET') : undefined,
      baselineLost: conn.dirty,
    }),
    inTransaction: (conn) => conn.inTransaction,
    clearChanges: (conn) => {
      conn.dirty = false
    },
    isTransientConnectError: () => false,
    ...overrides,
  }
  return { dialect, opened }
}

export function fakeConnections(
  options: {
    max?: number
    pool?: Omit<PoolOptions, 'max'>
    onConnect?: (conn: FakeConnection) => Promise<void>
  } = {},
  overrides: Partial<ConnectionDialect<FakeConnection>> = {},
) {
  const counters = new DriverCounters()
  const { dialect, opened } = fakeDialect(overrides)
  const connections = new DriverConnections<FakeConnection>(
    {
      pool: { ...options.pool, max: options.max ?? 2 },
      pipelineDepth: 1,
      pipelineBeforeGrow: 1,
      resetTimeoutMs: 1000,
      onConnect: options.onConnect,
    },
    counters,
    dialect,
  )
  return { connections, counters, opened }
}
