/** `GET /health` (is the database answering?) and `GET /metrics` (Prometheus text format). */

import type { HttpMetrics } from '../metrics.js'
import { renderObjectMetrics } from '../metrics.js'
import { sendJson, sendText } from '../server/http.js'
import type { Router } from '../server/router.js'
import type { Database } from '../storage/database.js'

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8'

export function opsRoutes(router: Router, db: Database, http: HttpMetrics, database: string): void {
  router.add('GET', '/health', async ({ res }) => {
    const started = performance.now()
    try {
      await db.execute('SELECT 1')
      sendJson(res, 200, { status: 'ok', database, latencyMs: Math.round(performance.now() - started) })
    } catch (error) {
      sendJson(res, 503, { status: 'unavailable', database, error: String(error) })
    }
  })
  router.add('GET', '/metrics', async ({ res }) => {
    sendText(res, 200, PROMETHEUS_TEXT, http.render() + renderObjectMetrics('covet_driver', db.metrics()))
  })
}
