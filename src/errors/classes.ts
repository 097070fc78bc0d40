import type { ErrorCode } from './codes.js'
import { CovetError, type CovetErrorOptions } from './covet-error.js'

/** Opening, keeping or using a socket failed: refused, reset, closed, timed out, TLS. */
export class ConnectionError extends CovetError {
  static override readonly kind: string = 'ConnectionError'
}

/** The peer broke the wire protocol (bad length, unknown message, truncated reply). */
export class ProtocolError extends CovetError {
  static override readonly kind: string = 'ProtocolError'
  constructor(message: string, options?: CovetErrorOptions) {
    super('ERR_PROTOCOL', message, options)
  }
}

/** Authentication failed. The message never contains the password. */
export class AuthenticationError extends CovetError {
  static override readonly kind: string = 'AuthenticationError'
  constructor(message: string, options?: CovetErrorOptions) {
    super('ERR_AUTH', message, options)
  }
}

/** A query did not complete for a client-side reason: cancelled, timed out, result too large. */
export class QueryError extends CovetError {
  static override readonly kind: string = 'QueryError'
}

/** The pool or its circuit breaker refused to hand out a connection. */
export class PoolError extends CovetError {
  static override readonly kind: string = 'PoolError'
}

/** Bad configuration or argument; the message names the option or argument at fault. */
export class InvalidArgumentError extends CovetError {
  static override readonly kind: string = 'InvalidArgumentError'
  constructor(message: string, options?: CovetErrorOptions) {
    super('ERR_INVALID_ARGUMENT', message, options)
  }
}

/** A cryptographic operation failed. `ERR_DECRYPT` deliberately says nothing about why. */
export class CryptoError extends CovetError {
  static override readonly kind: string = 'CryptoError'
}

/** JSON parsing, encoding, schema validation or patching failed. */
export class JsonError extends CovetError {
  static override readonly kind: string = 'JsonError'
  /** Always one of covet's own codes (only a DatabaseError carries a server's). */
  declare readonly code: ErrorCode
}

/** The query builder refused to build a statement (identifier, dialect support, limits). */
export class QueryBuilderError extends CovetError {
  static override readonly kind: string = 'QueryBuilderError'
}

export type { ErrorCode }
