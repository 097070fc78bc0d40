import type { PooledDriverMetrics } from '../../driver/metrics.js'

/** `PostgresDriver.metrics()`: the pooled driver's sections (src/driver/metrics.ts), COPY and LISTEN. */
export interface DriverMetrics extends PooledDriverMetrics {
  copy: { rowsIn: number; operations: number }
  listener: { connected: boolean; channels: number; reconnects: number }
}
