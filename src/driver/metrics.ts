import type { StatementCacheStats } from '../cache/statement-cache.js'
import { DatabaseError } from '../errors/database-error.js'
import type { PoolMetrics } from '../pool/pool-metrics.js'

/** The statement cache's effectiveness at one level. */
export interface CacheLevelMetrics {
  hits: number
  misses: number
  /** hits / (hits + misses), or 0 before the first lookup. */
  hitRatio: number
}

/**
 * `driver.metrics()` of every pooled driver: the pool's metrics plus the driver's own counters
 * (issue 5), a plain object. A driver adds its own sections (PostgreSQL: COPY, LISTEN).
 */
export interface PooledDriverMetrics extends PoolMetrics {
  queries: {
    total: number
    failed: number
    /** Failures from the server by SQLSTATE class (`'23'` integrity, `'40'` rollback, ...). */
    bySqlStateClass: Record<string, number>
    /**
     * Failures by covet error code (`ERR_QUERY_TIMEOUT`, `ERR_CONNECTION_CLOSED`...); every server
     * error counts as `ERR_DATABASE` (its SQLSTATE is in bySqlStateClass), so the keys stay few.
     */
    byCode: Record<string, number>
    /** Queries retried on another connection because the first never reached the server. */
    retriedUnsent: number
  }
  transactions: { committed: number; rolledBack: number; retried: number }
  statementCache: { l1: CacheLevelMetrics; l2: CacheLevelMetrics; size: number }
  /** Socket bytes of every connection the driver opened, closed ones included. */
  bytes: { in: number; out: number }
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
    const key = error instanceof DatabaseError ? 'ERR_DATABASE' : typeof code === 'string' ? code : 'unknown'
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

/** The shared sections of `metrics()`, read now. */
export function pooledDriverMetrics(
  pool: PoolMetrics,
  counters: DriverCounters,
  statements: { stats(): StatementCacheStats },
  bytes: { in: number; out: number },
): PooledDriverMetrics {
  const stats = statements.stats()
  return {
    ...pool,
    queries: {
      total: counters.queries,
      failed: counters.failed,
      bySqlStateClass: { ...counters.bySqlStateClass },
      byCode: { ...counters.byCode },
      retriedUnsent: counters.retriedUnsent,
    },
    transactions: { ...counters.transactions },
    statementCache: {
      l1: cacheLevel(stats.l1.hits, stats.l1.misses),
      l2: cacheLevel(stats.l2.hits, stats.l2.misses),
      size: stats.l1.size,
    },
    bytes,
  }
}
