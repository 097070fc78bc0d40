/**
 * `GET /health` (is the database answering?) and `GET /metrics` (Prometheus text format). /health
 * is often reachable by more than the service's operators (load balancers, status pages), so it says
 * nothing about where the database is: no host, port, socket or data path, no error text.
 */

import type { HttpMetrics } from '../metrics.js'
import { DRIVER_METRIC_TYPES, renderObjectMetrics } from '../metrics.js'
import { sendJson, sendText } from '../server/http.js'
import type { Router } from '../server/router.js'
import type { Database } from '../storage/database.js'

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8'

export function opsRoutes(router: Router, db: Database, http: HttpMetrics): void {
  router.add('GET', '/health', async ({ res }) => {
    const started = performance.now()
    try {
      await db.execute('SELECT 1')
      sendJson(res, 200, { status: 'ok', latencyMs: Math.round(performance.now() - started) })
    } catch {
      // The cause goes to /metrics (queries.byCode); its message can name the socket path.
      sendJson(res, 503, { status: 'unavailable' })
    }
  })
  router.add('GET', '/metrics', async ({ res }) => {
    sendText(
      res,
      200,
      PROMETHEUS_TEXT,
      http.render() + renderObjectMetrics('covet_driver', db.metrics(), DRIVER_METRIC_TYPES),
    )
  })
}
