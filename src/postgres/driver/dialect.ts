import type { QueryDialect } from '../../driver/contract.js'
import { quoteIdentifier as quote } from '../../driver/sql-tag.js'
import { sqlSyntax } from '../../query/compiler/dialects.js'

/** `$n` placeholders and `"` quoting from covet/query's PostgreSQL compiler (§4.1.1, §4.2.2). */
export const PG_QUERY: QueryDialect = {
  syntax: sqlSyntax('postgres'),
  builderDialects: new Set(['postgresql', 'postgres', 'pg']),
}

/** One identifier as PostgreSQL reads it: in double quotes, inner ones doubled; NUL refused. */
export function quoteIdentifier(name: string): string {
  return quote(name, PG_QUERY.syntax)
}
