export type { EvictionReason, LruCacheOptions, LruStats, SetOptions } from './lru.js'
export { LruCache } from './lru.js'
export type {
  CachedStatement,
  PreparedStatementCacheOptions,
  StatementCacheLevelStats,
  StatementCacheStats,
  StatementEvictHandler,
  StatementEvictionReason,
} from './statement-cache.js'
export { ConnectionStatementCache, PreparedStatementCache } from './statement-cache.js'
