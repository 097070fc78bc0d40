import type { CircuitBreakerMetrics } from './circuit-breaker.js'
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js'

/** Why the pool destroyed a connection. */
export type DestroyReason =
  | 'idle' // idle longer than idleTimeoutMs, above min
  | 'lifetime' // older than its (jittered) maxLifetimeMs
  | 'validation' // validate() said false or threw
  | 'reset' // reset() threw
  | 'borrower' // the borrower called destroy(): the connection is in an unknown state
  | 'broken' // reported dead by evict() (its socket closed), at once if idle, else when returned
  | 'closed' // the pool closed

/** How many connections are where, right now. Timeout errors carry one of these. */
export interface PoolState {
  /** Open connections (idle + in use + being checked), not counting ones being created. */
  size: number
  idle: number
  inUse: number
  waiting: number
  /** Connections being created. */
  pending: number
}

/** `pool.metrics()`: a plain object, safe to serialise (HikariCP's pool MXBean as the model). */
export interface PoolMetrics extends PoolState {
  /** Highest `waiting` seen. */
  waitingPeak: number
  created: number
  createErrors: number
  destroyed: Record<DestroyReason, number>
  /** Errors thrown by factory.destroy (swallowed). */
  destroyErrors: number
  acquired: number
  released: number
  timeouts: number
  /**
   * Acquires refused without waiting their full timeout; `createFailed`: given a creation error
   * that retrying would not fix (factory.isTransient said false).
   */
  rejected: { queueFull: number; circuitOpen: number; closed: number; aborted: number; createFailed: number }
  breaker: CircuitBreakerMetrics
  latency: {
    /** Time from acquire() to getting a connection. */
    acquireWaitMs: LatencySummary
    /** Time a borrower held a connection. */
    heldMs: LatencySummary
    /** Time factory.create took (successes only). */
    createMs: LatencySummary
  }
}

/** The pool's mutable counters; `pool.metrics()` copies them out. */
export class PoolCounters {
  waitingPeak = 0
  created = 0
  createErrors = 0
  destroyErrors = 0
  acquired = 0
  released = 0
  timeouts = 0
  readonly destroyed: Record<DestroyReason, number> = {
    idle: 0,
    lifetime: 0,
    validation: 0,
    reset: 0,
    borrower: 0,
    broken: 0,
    closed: 0,
  }
  readonly rejected = { queueFull: 0, circuitOpen: 0, closed: 0, aborted: 0, createFailed: 0 }
  readonly acquireWait = new LatencyHistogram()
  readonly held = new LatencyHistogram()
  readonly create = new LatencyHistogram()

  snapshot(state: PoolState, breaker: CircuitBreakerMetrics): PoolMetrics {
    return {
      ...state,
      waitingPeak: this.waitingPeak,
      created: this.created,
      createErrors: this.createErrors,
      destroyed: { ...this.destroyed },
      destroyErrors: this.destroyErrors,
      acquired: this.acquired,
      released: this.released,
      timeouts: this.timeouts,
      rejected: { ...this.rejected },
      breaker,
      latency: {
        acquireWaitMs: this.acquireWait.summary(),
        heldMs: this.held.summary(),
        createMs: this.create.summary(),
      },
    }
  }
}
