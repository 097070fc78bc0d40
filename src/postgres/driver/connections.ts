import type { PreparedStatementCache } from '../../cache/statement-cache.js'
import { ConnectionPool } from '../../pool/pool.js'
import { PgConnection, type SharedState } from '../connection.js'
import type { PgConnectionSettings } from '../connection-options.js'
import { type StatementMetadata, sharedStatementCache } from '../statement-cache.js'
import type { DriverCounters } from './metrics.js'
import type { ResolvedDriverOptions } from './options.js'

interface Lease {
  readonly connection: Promise<PgConnection>
  resolved: PgConnection | undefined
  /** Statements running on it; at 0 it goes back to the pool. */
  users: number
}

/**
 * The driver's connections: a ConnectionPool<PgConnection> (covet/pool: breaker, metrics,
 * lifetimes) plus two things the generic pool cannot know about PostgreSQL:
 *
 * - **Sharing.** A statement that changes no session state (see `isShareable`) may be pipelined
 *   on a connection another caller is already using for such statements, when the pool has no
 *   idle connection and no room for a new one. Each statement has its own Sync, so one caller's
 *   error fails only its statement (§55.2.4). The connection goes back to the pool when its last
 *   shared statement settles.
 * - **Reset on return** (HikariCP's dirty bits): the connection's SessionTracker says what the
 *   borrower changed; only that is undone, in one simple-protocol round trip. A closed connection,
 *   or one whose reset fails, is destroyed, never reused.
 */
export class DriverConnections {
  readonly pool: ConnectionPool<PgConnection>
  /** L2 of the prepared-statement cache, shared by every connection of the pool (covet/cache). */
  readonly statements: PreparedStatementCache<StatementMetadata>
  readonly #live = new Set<PgConnection>()
  /** Connections (or acquisitions in progress) shared by shareable statements. */
  readonly #leases: Lease[] = []
  readonly #depth: number
  readonly #beforeGrow: number
  readonly #resetTimeoutMs: number
  readonly #counters: DriverCounters

  constructor(
    options: ResolvedDriverOptions,
    counters: DriverCounters,
    connect: (settings: PgConnectionSettings, shared: SharedState) => Promise<PgConnection> = (s, shared) =>
      PgConnection.connect(s, shared),
  ) {
    this.#depth = options.pipelineDepth
    this.#beforeGrow = options.pipelineBeforeGrow
    this.#resetTimeoutMs = options.resetTimeoutMs
    this.#counters = counters
    const settings = options.settings
    this.statements = sharedStatementCache(settings.statementCacheSize, settings.statementCacheBytes)
    const shared: SharedState = { statements: this.statements }
    this.pool = new ConnectionPool<PgConnection>(
      {
        create: (signal) => this.#create(() => connect(settings, shared), signal),
        destroy: (conn) => conn.close(),
        // A socket that died while idle shows as closed; nothing else is worth a round trip.
        validate: (conn) => !conn.closed,
      },
      options.pool,
    )
  }

  /** Open connections (pooled, reserved, shared). */
  get live(): ReadonlySet<PgConnection> {
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

  #create(open: () => Promise<PgConnection>, signal: AbortSignal): Promise<PgConnection> {
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

  /** Borrows a connection for exclusive use; one found closed is destroyed and another taken. */
  async acquire(signal?: AbortSignal): Promise<PgConnection> {
    for (;;) {
      const conn = await this.pool.acquire(signal === undefined ? undefined : { signal })
      if (!conn.closed) return conn
      this.pool.destroy(conn)
    }
  }

  /** Runs `fn` on a borrowed (or, for a shareable statement, possibly shared) connection. */
  async run<T>(shareable: boolean, signal: AbortSignal | undefined, fn: (conn: PgConnection) => Promise<T>) {
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
    let conn: PgConnection
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
  #lease(signal: AbortSignal | undefined): Lease {
    const state = this.pool.state()
    const canGrow = state.idle !== 0 || state.size + state.pending < this.pool.options.max
    const limit = canGrow ? this.#beforeGrow : this.#depth
    let best: Lease | undefined
    for (const lease of this.#leases) {
      if (lease.users >= limit || lease.resolved?.closed) continue
      if (best === undefined || lease.users < best.users) best = lease
    }
    if (best !== undefined) return best
    const lease: Lease = { connection: this.acquire(signal), resolved: undefined, users: 0 }
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
  giveBack(conn: PgConnection): void {
    if (conn.closed) {
      this.pool.destroy(conn)
      return
    }
    if (conn.pendingQueries !== 0) {
      // A statement settled early (cancelled, timed out) may still be running: its outcome can
      // change the session (a BEGIN, a SET). An empty query queued behind it completes when it
      // has, and only then is the state read.
      conn.query('', [], { simple: true, timeoutMs: this.#resetTimeoutMs }).then(
        () => this.#reset(conn),
        () => this.pool.destroy(conn),
      )
      return
    }
    this.#reset(conn)
  }

  #reset(conn: PgConnection): void {
    if (conn.closed) {
      this.pool.destroy(conn)
      return
    }
    const reset = conn.session.resetSql(conn.transactionStatus)
    if (reset === '') {
      this.pool.release(conn)
      return
    }
    conn.query(reset, [], { simple: true, timeoutMs: this.#resetTimeoutMs }).then(
      () => {
        conn.session.clear()
        if (conn.closed || conn.transactionStatus !== 'I') this.pool.destroy(conn)
        else this.pool.release(conn)
      },
      () => this.pool.destroy(conn),
    )
  }

  /** Closes every open connection now (close() past its timeout): their pending work fails. */
  closeAll(): Promise<unknown> {
    return Promise.allSettled([...this.#live].map((conn) => conn.close()))
  }
}
