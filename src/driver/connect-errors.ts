import { AuthenticationError, ConnectionError, InvalidArgumentError } from '../errors/classes.js'
import { DatabaseError } from '../errors/database-error.js'

/**
 * Which failures to open a connection may pass by themselves (issue 14). Those the pool retries
 * with backoff and counts against its breaker: nothing listening yet, a server starting up,
 * restarting or out of connection slots. The others mean the server answered "no" and will
 * answer it again: they reach the caller at once with their own code, as `pg` gives them, instead
 * of a burst of attempts that ends in ERR_CIRCUIT_OPEN.
 *
 * `transientServerError` is the dialect's judgement of an error the server sent while the
 * session was being set up (PostgreSQL by SQLSTATE class, MySQL by errno).
 */
export function isTransientConnectError(
  error: unknown,
  transientServerError: (error: DatabaseError) => boolean,
): boolean {
  // A wrong password, a role that does not exist, a method refused by policy: all ERR_AUTH.
  if (error instanceof AuthenticationError || error instanceof InvalidArgumentError) return false
  if (error instanceof DatabaseError) return transientServerError(error)
  if (error instanceof ConnectionError) {
    const cause = (error as { cause?: unknown }).cause
    // Several hosts: worth retrying if any of them may come back.
    if (cause instanceof AggregateError) {
      return cause.errors.some((e) => isTransientConnectError(e, transientServerError))
    }
    // A server that refused the session before its handshake (MySQL: too many connections).
    if (cause instanceof DatabaseError) return transientServerError(cause)
    // ERR_TLS: no TLS on the server, or a certificate that does not verify, is configuration;
    // a socket dropped in the middle of the handshake is not.
    if (error.code === 'ERR_TLS') return cause !== undefined && isSocketFailure(cause)
  }
  return true
}

const SOCKET_ERRNOS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ECONNREFUSED'])

function isSocketFailure(cause: unknown): boolean {
  if (cause instanceof ConnectionError) return true
  const code = (cause as { code?: unknown })?.code
  return typeof code === 'string' && SOCKET_ERRNOS.has(code)
}
