import { QueryError } from '../errors/classes.js'
import type { CovetError } from '../errors/covet-error.js'
import { DatabaseError } from '../errors/database-error.js'
import { mysqlErrnoName, sqlStateName } from '../errors/server-codes.js'
import type { ErrPacket } from './protocol/messages.js'

/** ER_STATEMENT_TIMEOUT: MariaDB's max_statement_time was exceeded. */
const ER_STATEMENT_TIMEOUT = 1969

/**
 * An ERR_Packet as a DatabaseError: the server's message, `errno`, `sqlState`, and the errno's
 * symbol (`errnoName`, e.g. 'ER_DUP_ENTRY', from the generated MariaDB table — the names mysql2
 * users know as `err.code`).
 */
export function databaseError(err: ErrPacket): DatabaseError {
  return new DatabaseError(err.message || 'the server reported an error', {
    errno: err.errno,
    errnoName: mysqlErrnoName(err.errno),
    sqlState: err.sqlState,
    sqlStateName: err.sqlState === undefined ? undefined : sqlStateName(err.sqlState),
  })
}

/** The error a query fails with: a DatabaseError, or ERR_QUERY_TIMEOUT when max_statement_time ended it. */
export function queryError(err: ErrPacket): CovetError {
  const error = databaseError(err)
  if (err.errno !== ER_STATEMENT_TIMEOUT) return error
  return new QueryError('ERR_QUERY_TIMEOUT', `the statement exceeded max_statement_time: ${err.message}`, {
    cause: error,
  })
}
