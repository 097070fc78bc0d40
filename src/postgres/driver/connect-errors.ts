import { isTransientConnectError as transientConnectError } from '../../driver/connect-errors.js'
import type { DatabaseError } from '../../errors/database-error.js'

/** Whether a PostgreSQL connect failure may pass by itself (src/driver/connect-errors.ts). */
export function isTransientConnectError(error: unknown): boolean {
  return transientConnectError(error, transientSqlState)
}

/**
 * Startup errors by SQLSTATE class (Appendix A): 08 connection exception, 53 insufficient
 * resources (53300 too_many_connections), 57 operator intervention (57P03 cannot_connect_now:
 * starting up or shutting down), 58 system error may pass. 3D000 invalid_catalog_name (no such
 * database), 42501 (no CONNECT privilege), 55000 (datallowconn off) and the rest will not; nor
 * does class 28 (invalid authorization: a wrong password, no pg_hba.conf entry).
 */
function transientSqlState(error: DatabaseError): boolean {
  const cls = error.sqlState?.slice(0, 2)
  return cls === '08' || cls === '53' || cls === '57' || cls === '58'
}
