import { DatabaseError } from '../../errors/database-error.js'
import type { PoolMetrics } from '../../pool/pool-metrics.js'

/** The statement cache's effectiveness at one level. */
export interface CacheLevelMetrics {
  hits: number
  misses: number
  /** hits / (hits + misses), or 0 before the first lookup. */
  hitRatio: number
}

/** `driver.metrics()`: the pool's metrics plus the driver's own counters (issue 5), a plain object. */
export interface DriverMetrics extends PoolMetrics {
  queries: {
    total: number
    failed: number
    /** Failures from the server by SQLSTATE class (`'23'` integrity, `'40'` rollback, ...). */
    bySqlStateClass: Record<string, number>
    /** Failures by covet error code (`ERR_DATABASE`, `ERR_QUERY_TIMEOUT`, `ERR_CONNECTION_CLOSED`...). */
    byCode: Record<string, number>
    /** Queries retried on another connection because the first never reached the server. */
    retriedUnsent: number
  }
  transactions: { committed: number; rolledBack: number; retried: number }
  copy: { rowsIn: number; operations: number }
  statementCache: { l1: CacheLevelMetrics; l2: CacheLevelMetrics; size: number }
  /** Socket bytes of every connection the driver opened, closed ones included. */
  bytes: { in: number; out: number }
  listener: { connected: boolean; channels: number; reconnects: number }
}

export function cacheLevel(hits: number, misses: number): CacheLevelMetrics {
  const total = hits + misses
  return { hits, misses, hitRatio: total === 0 ? 0 : hits / total }
}

/** The driver's mutable counters. */
export class DriverCounters {
  queries = 0
  failed = 0
  retriedUnsent = 0
  readonly bySqlStateClass: Record<string, number> = {}
  readonly byCode: Record<string, number> = {}
  readonly transactions = { committed: 0, rolledBack: 0, retried: 0 }
  readonly copy = { rowsIn: 0, operations: 0 }
  /** Bytes of connections already closed (live ones are read from their sockets). */
  readonly closedBytes = { in: 0, out: 0 }

  recordFailure(error: unknown): void {
    this.failed++
    const code = (error as { code?: unknown })?.code
    const key = typeof code === 'string' ? code : 'unknown'
    this.byCode[key] = (this.byCode[key] ?? 0) + 1
    if (error instanceof DatabaseError && typeof error.sqlState === 'string') {
      const cls = error.sqlState.slice(0, 2)
      this.bySqlStateClass[cls] = (this.bySqlStateClass[cls] ?? 0) + 1
    }
  }

  /** Counts one query and its outcome without changing it. */
  observe<T>(promise: Promise<T>): Promise<T> {
    this.queries++
    return promise.catch((error: unknown) => {
      this.recordFailure(error)
      throw error
    })
  }
}
