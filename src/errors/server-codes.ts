import { MYSQL_ERRNO_NAMES } from './mysql-errno.generated.js'
import { SQLSTATE_CLASSES, SQLSTATE_NAMES } from './sqlstate.generated.js'

/**
 * The condition name of a SQLSTATE, e.g. '23505' → 'unique_violation' (PostgreSQL Appendix A,
 * "PostgreSQL Error Codes"). Undefined for a code PostgreSQL does not list.
 */
export function sqlStateName(code: string): string | undefined {
  return SQLSTATE_NAMES.get(code)
}

/**
 * The class name of a SQLSTATE from its first two characters, e.g. '23505' → 'Integrity Constraint
 * Violation'. SQLSTATE classes are shared by the SQL standard, so this also reads MySQL's states.
 */
export function sqlStateClass(code: string): string | undefined {
  return code.length === 5 ? SQLSTATE_CLASSES.get(code.slice(0, 2)) : undefined
}

/** The symbolic name of a MariaDB server error number, e.g. 1062 → 'ER_DUP_ENTRY'. */
export function mysqlErrnoName(errno: number): string | undefined {
  return MYSQL_ERRNO_NAMES.get(errno)
}
