import { ConnectionError } from '../errors/classes.js'
import { ConnectionPool } from '../pool/pool.js'
import type { PoolOptions } from '../pool/pool-options.js'
import type { ConnectionDialect, DriverConnection } from './contract.js'
import type { DriverCounters } from './metrics.js'

/** Errors of a failed onConnect hook (their cause may be a server error the dialect would call final). */
const HOOK_FAILURES = new WeakSet<object>()

interface Lease<C> {
  readonly connection: Promise<C>
  resolved: C | undefined
  /** Statements running on it; at 0 it goes back to the pool. */
  users: number
}

export interface ConnectionsOptions<C> {
  pool: PoolOptions
  /** Statements one shared connection may carry (1: no sharing). */
  pipelineDepth: number
  /** Shared statements on one connection before another is opened, while the pool can grow. */
  pipelineBeforeGrow: number
  resetTimeoutMs: number
  /**
   * Prepares each new connection (and one whose reset undid its baseline): given the connection,
   * resolves once the driver's onConnect hook has run on it; undefined when there is no hook.
   */
  onConnect: ((conn: C) => Promise<void>) | undefined
}

/**
 * The `onConnect` of ConnectionsOptions for a user's hook, or undefined without one. The hook
 * gets a session (`open`) that is released afterwards: one it kept cannot reach the connection
 * once someone else borrows it.
 */
export function onConnectHook<C, S>(
  hook: ((session: S) => unknown) | undefined,
  open: (conn: C) => S & { release(): void },
): ((conn: C) => Promise<void>) | undefined {
  if (hook === undefined) return undefined
  return async (conn) => {
    const session = open(conn)
    try {
      await hook(session)
    } finally {
      session.release()
    }
  }
}

/**
 * The driver's connections: a ConnectionPool (covet/pool: breaker, metrics, lifetimes) plus what
 * the generic pool cannot know about a database session:
 *
 * - **Sharing.** A statement the driver proves changes no session state may be pipelined on a
 *   connection another caller is already using for such statements, when the pool has no idle
 *   connection and no room for a new one (PostgreSQL: each statement has its own Sync, so one
 *   caller's error fails only its statement, §55.2.4). The connection goes back to the pool when
 *   its last shared statement settles.
 * - **Reset on return** (HikariCP's dirty bits): the dialect says what the borrower changed; only
 *   that is undone. A closed connection, one still in a transaction after the reset, or one whose
 *   reset fails, is destroyed, never reused.
 */
export class DriverConnections<C extends DriverConnection> {
  readonly pool: ConnectionPool<C>
  readonly #live = new Set<C>()
  /** Connections (or acquisitions in progress) shared by shareable statements. */
  readonly #leases: Lease<C>[] = []
  readonly #depth: number
  readonly #beforeGrow: number
  readonly #resetTimeoutMs: number
  readonly #counters: DriverCounters
  readonly #dialect: ConnectionDialect<C>
  readonly #onConnect: ((conn: C) => Promise<void>) | undefined

  constructor(options: ConnectionsOptions<C>, counters: DriverCounters, dialect: ConnectionDialect<C>) {
    this.#depth = options.pipelineDepth
    this.#beforeGrow = options.pipelineBeforeGrow
    this.#resetTimeoutMs = options.resetTimeoutMs
    this.#counters = counters
    this.#dialect = dialect
    this.#onConnect = options.onConnect
    this.pool = new ConnectionPool<C>(
      {
        create: (signal) => this.#create(() => dialect.connect().then((c) => this.#prepare(c)), signal),
        destroy: (conn) => conn.close(),
        validate: (conn) => dialect.validate(conn),
        // A failing onConnect hook counts as transient, whatever it threw (the breaker paces it).
        isTransient: (error) => HOOK_FAILURES.has(error as object) || dialect.isTransientConnectError(error),
      },
      options.pool,
    )
  }

  /** Open connections (pooled, reserved, shared). */
  get live(): ReadonlySet<C> {
    return this.#live
  }

  bytes(): { in: number; out: number } {
    const total = { ...this.#counters.closedBytes }
    for (const conn of this.#live) {
      const b = conn.bytes
      total.in += b.in
      total.out += b.out
    }
    return total
  }

  #create(open: () => Promise<C>, signal: AbortSignal): Promise<C> {
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      open().then(
        (conn) => {
          signal.removeEventListener('abort', onAbort)
          if (signal.aborted) {
            void conn.close()
            return
          }
          this.#live.add(conn)
          conn.onClose(() => {
            // An idle connection whose session ended (pg_terminate_backend, a server restart) leaves
            // the pool now; one the pool itself destroyed is no longer in it, so this is a no-op.
            this.pool.evict(conn)
            this.#live.delete(conn)
            const b = conn.bytes
            this.#counters.closedBytes.in += b.in
            this.#counters.closedBytes.out += b.out
          })
          resolve(conn)
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort)
          reject(error)
        },
      )
    })
  }

  /** A new connection through the onConnect hook; one whose hook fails is closed. */
  async #prepare(conn: C): Promise<C> {
    try {
      await this.#runOnConnect(conn)
      return conn
    } catch (cause) {
      void conn.close()
      const error = new ConnectionError('ERR_CONNECTION_FAILED', 'the onConnect hook failed', { cause })
      HOOK_FAILURES.add(error)
      throw error
    }
  }

  /**
   * Runs the hook on a session that is ended afterwards (a hook that kept it cannot reach the
   * connection once someone else borrows it). What the hook set is the baseline, not a change to
   * undo: the recorded changes are cleared.
   */
  async #runOnConnect(conn: C): Promise<void> {
    const hook = this.#onConnect
    if (hook === undefined) return
    await hook(conn)
    if (conn.closed || this.#dialect.inTransaction(conn)) {
      throw new ConnectionError('ERR_CONNECTION_FAILED', 'the onConnect hook left a transaction open')
    }
    this.#dialect.clearChanges(conn)
  }

  /** Borrows a connection for exclusive use; one found closed is destroyed and another taken. */
  async acquire(signal?: AbortSignal): Promise<C> {
    for (;;) {
      const conn = await this.pool.acquire(signal === undefined ? undefined : { signal })
      if (!conn.closed) return conn
      this.pool.destroy(conn)
    }
  }

  /** Runs `fn` on a borrowed (or, for a shareable statement, possibly shared) connection. */
  async run<T>(shareable: boolean, signal: AbortSignal | undefined, fn: (conn: C) => Promise<T>): Promise<T> {
    if (!shareable) {
      const conn = await this.acquire(signal)
      try {
        return await fn(conn)
      } finally {
        this.giveBack(conn)
      }
    }
    const lease = this.#lease(signal)
    lease.users++
    let conn: C
    try {
      conn = await lease.connection
    } catch (error) {
      lease.users--
      throw error
    }
    try {
      return await fn(conn)
    } finally {
      if (--lease.users === 0) {
        this.#leases.splice(this.#leases.indexOf(lease), 1)
        this.giveBack(conn)
      }
    }
  }

  /**
   * A lease for a shareable statement: the least busy existing lease (including one whose
   * connection is still being acquired, so callers arriving in the same tick share it) while it
   * holds fewer than `pipelineBeforeGrow` statements, or fewer than `pipelineDepth` once the pool
   * cannot grow; otherwise a new lease on another connection from the pool.
   */
  #lease(signal: AbortSignal | undefined): Lease<C> {
    const state = this.pool.state()
    const canGrow = state.idle !== 0 || state.size + state.pending < this.pool.options.max
    const limit = canGrow ? this.#beforeGrow : this.#depth
    let best: Lease<C> | undefined
    for (const lease of this.#leases) {
      if (lease.users >= limit || lease.resolved?.closed) continue
      if (best === undefined || lease.users < best.users) best = lease
    }
    if (best !== undefined) return best
    const lease: Lease<C> = { connection: this.acquire(signal), resolved: undefined, users: 0 }
    lease.connection.then(
      (conn) => {
        lease.resolved = conn
      },
      () => {
        const at = this.#leases.indexOf(lease)
        if (at >= 0) this.#leases.splice(at, 1)
      },
    )
    this.#leases.push(lease)
    return lease
  }

  /** Returns a connection to the pool: reset if the borrower dirtied it, destroyed if it is broken. */
  giveBack(conn: C): void {
    if (conn.closed) {
      this.pool.destroy(conn)
      return
    }
    if (conn.pendingQueries !== 0) {
      // A statement settled early (cancelled, timed out) may still be running: its outcome can
      // change the session (a BEGIN, a SET). Only once the connection has answered everything
      // is the state read.
      this.#dialect.settle(conn, this.#resetTimeoutMs).then(
        () => this.#reset(conn),
        () => this.pool.destroy(conn),
      )
      return
    }
    this.#reset(conn)
  }

  #reset(conn: C): void {
    if (conn.closed) {
      this.pool.destroy(conn)
      return
    }
    const plan = this.#dialect.resetPlan(conn)
    // The reset may undo what onConnect set (RESET ALL, COM_RESET_CONNECTION...): the hook runs again.
    const reinit = this.#onConnect !== undefined && plan.baselineLost
    if (plan.undo === undefined && !reinit) {
      this.pool.release(conn)
      return
    }
    const undo = plan.undo === undefined ? Promise.resolve() : plan.undo(this.#resetTimeoutMs)
    undo
      .then(async () => {
        this.#dialect.clearChanges(conn)
        if (conn.closed || this.#dialect.inTransaction(conn)) return false
        if (reinit) await this.#runOnConnect(conn)
        return true
      })
      .then(
        (reusable) => (reusable ? this.pool.release(conn) : this.pool.destroy(conn)),
        () => this.pool.destroy(conn),
      )
  }

  /** Closes every open connection now (close() past its timeout): their pending work fails. */
  closeAll(): Promise<unknown> {
    return Promise.allSettled([...this.#live].map((conn) => conn.close()))
  }
}
