import { CovetError, type CovetErrorOptions } from './covet-error.js'

/**
 * The fields a server attaches to an error. PostgreSQL sends them in ErrorResponse (protocol
 * §55.8 "Error and Notice Message Fields"); MySQL/MariaDB send an errno and a SQLSTATE in ERR_Packet.
 */
export interface DatabaseErrorFields {
  sqlState?: string | undefined
  /** The condition name for `sqlState` (e.g. `unique_violation`), from the generated table. */
  sqlStateName?: string | undefined
  severity?: string | undefined
  detail?: string | undefined
  hint?: string | undefined
  position?: number | undefined
  internalPosition?: number | undefined
  internalQuery?: string | undefined
  where?: string | undefined
  schema?: string | undefined
  table?: string | undefined
  column?: string | undefined
  dataType?: string | undefined
  constraint?: string | undefined
  file?: string | undefined
  line?: number | undefined
  routine?: string | undefined
  /** MySQL/MariaDB error number. */
  errno?: number | undefined
  /** The symbolic name of `errno` (e.g. `ER_DUP_ENTRY`), from the generated table. */
  errnoName?: string | undefined
}

/**
 * The server refused a statement. Carries every field the server sent (DESIGN §4). Its `code` is
 * the server's own, as pg, postgres.js and mysql2 set it (issue 17): the SQLSTATE on PostgreSQL
 * (`err.code === '23505'`), the error symbol on MySQL/MariaDB (`'ER_DUP_ENTRY'`, with `errno` and
 * `sqlState` beside it); `ERR_DATABASE` only when the server sent neither. covet's own `ERR_*`
 * codes stay on every error that is not the server's.
 */
export class DatabaseError extends CovetError {
  static override readonly kind: string = 'DatabaseError'

  declare sqlState?: string
  declare sqlStateName?: string
  declare severity?: string
  declare detail?: string
  declare hint?: string
  declare position?: number
  declare internalPosition?: number
  declare internalQuery?: string
  declare where?: string
  declare schema?: string
  declare table?: string
  declare column?: string
  declare dataType?: string
  declare constraint?: string
  declare file?: string
  declare line?: number
  declare routine?: string
  declare errno?: number
  declare errnoName?: string

  constructor(message: string, fields: DatabaseErrorFields, options?: CovetErrorOptions) {
    super(fields.errnoName ?? fields.sqlState ?? 'ERR_DATABASE', message, options)
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) (this as Record<string, unknown>)[key] = value
    }
  }
}
