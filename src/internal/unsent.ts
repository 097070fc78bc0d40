import { ConnectionError } from '../errors/classes.js'
import { CovetError } from '../errors/covet-error.js'

/**
 * Errors of statements that were never written to the socket, for both drivers: such a statement
 * cannot have run, so a driver may retry it on another connection (issue 5). A WeakSet rather than
 * a flag on the error, so the mark is not part of the public error shape.
 */
const unsentErrors = new WeakSet<CovetError>()

/** A copy of a connection's failure for a statement still queued when the connection failed. */
export function unsent(error: CovetError): CovetError {
  return neverSent(new ConnectionError(error.code, error.message, { cause: error.cause }))
}

/** Marks `error` as failing a statement that was never written (see wasNeverSent). */
export function neverSent(error: CovetError): CovetError {
  unsentErrors.add(error)
  return error
}

/** True when `error` failed a statement that was never written to the socket, so it cannot have run. */
export function wasNeverSent(error: unknown): boolean {
  return error instanceof CovetError && unsentErrors.has(error)
}
