/** How errors from covet (and the database beneath it) become HTTP responses. */
import { DatabaseError, isCovetError } from '../../src/errors/index.js'
import { HttpError } from './server/http.js'

/**
 * Server errors a client can cause, and what they mean for it, by DatabaseError.code: the SQLSTATE
 * on PostgreSQL (Appendix A), the error symbol on MySQL/MariaDB (whose SQLSTATE, 23000 for both
 * of these, does not tell a duplicate from a missing parent).
 */
const BY_SERVER_CODE: Record<string, [number, string, string]> = {
  '23505': [409, 'conflict', 'it already exists'],
  ER_DUP_ENTRY: [409, 'conflict', 'it already exists'],
  '23503': [409, 'conflict', 'it refers to something that does not exist'],
  ER_NO_REFERENCED_ROW_2: [409, 'conflict', 'it refers to something that does not exist'],
  '22P02': [400, 'bad_request', 'a value has the wrong form'],
}

/** Covet error codes the client can act on; anything else is a 500 and gets logged. */
const BY_CODE: Record<string, [number, string]> = {
  ERR_JSON_PATCH_TEST_FAILED: [409, 'patch_test_failed'],
  ERR_JSON_PATCH: [422, 'patch_failed'],
  ERR_JSON_POINTER: [422, 'patch_failed'],
  ERR_CIRCUIT_OPEN: [503, 'database_unavailable'],
  ERR_POOL_TIMEOUT: [503, 'database_unavailable'],
  ERR_CONNECTION_FAILED: [503, 'database_unavailable'],
  ERR_CONNECTION_CLOSED: [503, 'database_unavailable'],
}

export function mapError(error: unknown): HttpError | undefined {
  if (!isCovetError(error)) return undefined
  if (error instanceof DatabaseError) {
    const known = BY_SERVER_CODE[error.code]
    // Only the generic sentence: server messages can quote other users' values (23505's detail and
    // ER_DUP_ENTRY's message do).
    if (known !== undefined) return new HttpError(known[0], known[1], known[2])
  }
  const known = BY_CODE[error.code]
  if (known === undefined) return undefined
  return new HttpError(known[0], known[1], error.message)
}
