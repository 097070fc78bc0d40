import type { MySqlConfig } from './config.js'
import type { MySqlResult } from './handlers.js'
import type { Pipeline } from './pipeline.js'

/**
 * The session state covet sets right after authentication (and again after COM_RESET_CONNECTION),
 * in one flight: the time zone DATETIMEs are read and written in — explicit, so a Date means the
 * same instant whatever the server's default — the collation (a utf8mb4 collation id above 255
 * cannot travel in the handshake's one byte), and MariaDB's max_statement_time.
 *
 * Resolves with how many statements this connection may keep prepared: fewer than the server's
 * max_prepared_stmt_count, a limit shared by every session of the server.
 */
export async function initSession(
  pipeline: Pipeline,
  config: MySqlConfig,
  mariaDb: boolean,
): Promise<number> {
  const sets: string[] = []
  // The collation name was checked against /^utf8mb4_[A-Za-z0-9_]+$/ (config.ts); the zone is '±HH:MM'.
  if (config.collation !== undefined) sets.push(`NAMES utf8mb4 COLLATE ${config.collation}`)
  sets.push(`time_zone = '${config.timezone.sql}'`)
  const max = config.maxStatementTimeMs
  if (max !== undefined) {
    // MariaDB: seconds, any statement. MySQL's nearest is max_execution_time (ms, SELECT only).
    sets.push(mariaDb ? `max_statement_time = ${max / 1000}` : `max_execution_time = ${max}`)
  }
  const [, limit] = await Promise.all([
    pipeline.enqueue('query', `SET ${sets.join(', ')}`, [], {}),
    pipeline.enqueue('query', 'SELECT @@max_prepared_stmt_count AS n', [], {}),
  ])
  const n = Number((limit as MySqlResult<{ n: unknown }>)[0]?.n)
  return Number.isFinite(n) ? Math.max(1, n - 1) : 1
}
