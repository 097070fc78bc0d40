import { AuthenticationError } from '../errors/classes.js'
import { DatabaseError, type DatabaseErrorFields } from '../errors/database-error.js'
import { sqlStateName } from '../errors/server-codes.js'
import type { ServerFields } from './protocol/messages.js'

const toInt = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined
  const n = Number.parseInt(s, 10)
  return Number.isFinite(n) ? n : undefined
}

/**
 * Turns ErrorResponse fields (§55.8 "Error and Notice Message Fields") into a DatabaseError with
 * every field the server sent, plus the SQLSTATE's condition name (Appendix A, generated table).
 */
export function databaseErrorFields(f: ServerFields): DatabaseErrorFields {
  return {
    sqlState: f.code,
    sqlStateName: f.code === undefined ? undefined : sqlStateName(f.code),
    severity: f.severity ?? f.severityLocalized,
    detail: f.detail,
    hint: f.hint,
    position: toInt(f.position),
    internalPosition: toInt(f.internalPosition),
    internalQuery: f.internalQuery,
    where: f.where,
    schema: f.schema,
    table: f.table,
    column: f.column,
    dataType: f.dataType,
    constraint: f.constraint,
    file: f.file,
    line: toInt(f.line),
    routine: f.routine,
  }
}

export function databaseError(fields: ServerFields): DatabaseError {
  return new DatabaseError(fields.message ?? 'the server reported an error', databaseErrorFields(fields))
}

/** A DatabaseError whose stack is the caller's (DESIGN §4), not the socket callback's. */
export function callerDatabaseError(
  fields: ServerFields,
  callSite: { stack?: string } | undefined,
): DatabaseError {
  const error = databaseError(fields)
  const site = callSite?.stack
  if (site !== undefined) error.stack = `${error.name}: ${error.message}${site.slice(site.indexOf('\n'))}`
  return error
}

/** Class 28 (invalid authorization) during startup is an authentication failure (ERR_AUTH). */
export function startupError(fields: ServerFields): AuthenticationError | DatabaseError {
  const error = databaseError(fields)
  if (fields.code?.startsWith('28')) return new AuthenticationError(error.message, { cause: error })
  return error
}
