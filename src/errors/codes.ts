/**
 * Every stable error code covet throws. A code never changes meaning once released; add new ones
 * instead. Grouped by the area that raises them.
 */
export const ERROR_CODES = {
  // Any area
  ERR_INVALID_ARGUMENT: 'A function or constructor was given an invalid argument or option',
  ERR_UNSUPPORTED: 'The feature is not supported here (dialect, server version or platform)',
  ERR_INTERNAL: 'An internal invariant was broken (a covet bug: please report it)',
  // Connections and protocols
  ERR_CONNECTION_FAILED: 'Could not open a connection to the server',
  ERR_CONNECTION_CLOSED: 'The connection was closed before the operation finished',
  ERR_CONNECT_TIMEOUT: 'Opening the connection took longer than connect_timeout',
  ERR_TLS: 'TLS could not be negotiated or the certificate was rejected',
  ERR_PROTOCOL: 'The server sent bytes that break the wire protocol',
  ERR_AUTH: 'Authentication failed or was refused',
  // Queries
  ERR_DATABASE: 'The server returned an error for the statement',
  ERR_QUERY_CANCELLED: 'The query was cancelled by its AbortSignal',
  ERR_QUERY_TIMEOUT: 'The query took longer than its timeout and was cancelled',
  ERR_RESULT_TOO_LARGE: 'The buffered result exceeded maxResultBytes',
  ERR_TYPE_ENCODE: 'A parameter value cannot be encoded as the type the server expects',
  ERR_TYPE_DECODE: 'A result value could not be decoded',
  ERR_COPY_ABORTED: 'The COPY source failed, so the COPY was aborted with CopyFail and nothing was copied',
  // Pool and breaker
  ERR_POOL_TIMEOUT: 'No connection became available within acquireTimeoutMs',
  ERR_POOL_QUEUE_FULL: 'Too many callers are already waiting for a connection (maxWaiting)',
  ERR_POOL_CLOSED: 'The pool is draining or closed',
  ERR_CIRCUIT_OPEN: 'The circuit breaker is open: the resource failed repeatedly',
  ERR_ABORTED: 'The operation was aborted by its AbortSignal',
  // Query builder
  ERR_INVALID_IDENTIFIER: 'A string given as an SQL identifier is not a valid identifier',
  ERR_TOO_MANY_PARAMETERS: 'The statement needs more bound parameters than the dialect allows',
  // JSON
  ERR_JSON_PARSE: 'The text is not valid JSON',
  ERR_JSON_UNSAFE: 'The JSON tries prototype poisoning (__proto__, constructor.prototype)',
  ERR_JSON_DEPTH: 'The JSON nests deeper than maxDepth',
  ERR_JSON_CYCLE: 'The value to encode contains a cycle',
  ERR_JSON_ENCODE: 'The value cannot be encoded as JSON',
  ERR_JSON_SCHEMA: 'The value does not match the JSON Schema, or the schema is invalid',
  ERR_JSON_PATCH: 'A JSON Patch operation could not be applied',
  ERR_JSON_PATCH_TEST_FAILED: 'A JSON Patch "test" operation did not match',
  ERR_JSON_POINTER: 'A JSON Pointer is malformed or refers to a forbidden path',
  // Crypto
  ERR_DECRYPT: 'The sealed value could not be decrypted (tampered, truncated or wrong key)',
  ERR_CRYPTO: 'A cryptographic operation failed',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/**
 * A server's own error code on a DatabaseError: a PostgreSQL SQLSTATE (`'23505'`) or a MySQL
 * error symbol (`'ER_DUP_ENTRY'`). `string & {}` keeps editors offering covet's own codes.
 */
export type ServerErrorCode = string & {}
