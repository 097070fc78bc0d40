export type {
  BreakerState,
  BreakerStateChange,
  CircuitBreakerMetrics,
  CircuitBreakerOptions,
} from './circuit-breaker.js'
export { CircuitBreaker } from './circuit-breaker.js'
export { poolChannels } from './diagnostics.js'
export type { LatencySummary } from './latency-histogram.js'
export type { AcquireOptions, PoolStateError } from './pool.js'
export { ConnectionPool } from './pool.js'
export type { DestroyReason, PoolMetrics, PoolState } from './pool-metrics.js'
export type { PoolFactory, PoolOptions, ResolvedPoolOptions } from './pool-options.js'
