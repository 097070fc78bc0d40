/** How errors from covet (and the database beneath it) become HTTP responses. */
import { isCovetError } from '../../src/errors/index.js'
import { HttpError } from './server/http.js'

/** SQLSTATEs a client can cause (PostgreSQL Appendix A), and what they mean for it. */
const BY_SQLSTATE: Record<string, [number, string, string]> = {
  '23505': [409, 'conflict', 'it already exists'],
  '23503': [409, 'conflict', 'it refers to something that does not exist'],
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
  const sqlState = (error as { sqlState?: unknown }).sqlState
  if (error.code === 'ERR_DATABASE' && typeof sqlState === 'string') {
    const known = BY_SQLSTATE[sqlState]
    // Only the generic sentence: server messages can quote other users' values (23505's detail does).
    if (known !== undefined) return new HttpError(known[0], known[1], known[2])
  }
  const known = BY_CODE[error.code]
  if (known === undefined) return undefined
  return new HttpError(known[0], known[1], error.message)
}
