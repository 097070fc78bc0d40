export {
  AuthenticationError,
  ConnectionError,
  CryptoError,
  InvalidArgumentError,
  JsonError,
  PoolError,
  ProtocolError,
  QueryBuilderError,
  QueryError,
} from './classes.js'
export { ERROR_CODES, type ErrorCode, type ServerErrorCode } from './codes.js'
export { CovetError, type CovetErrorOptions, isCovetError } from './covet-error.js'
export { DatabaseError, type DatabaseErrorFields } from './database-error.js'
