import { InvalidArgumentError, QueryBuilderError } from '../../errors/classes.js'
import type { RowTyped } from '../../internal/row-type.js'
import type { Dialect, QueryNode } from '../nodes.js'
import type { SqlCompiler } from './base.js'
import type { SqlSyntax } from './expressions.js'
import { MSSQL_MAX_INSERT_ROWS, MssqlCompiler } from './mssql.js'
import { MariaDbCompiler, MysqlCompiler } from './mysql.js'
import { PostgresCompiler } from './postgres.js'
import { SqliteCompiler } from './sqlite.js'

/**
 * What `build()` returns: the SQL text and its bound parameters, in placeholder order. Its
 * `rowType` property is type-level only: the row type the statement yields.
 */
export interface CompiledQuery<Row = Record<string, unknown>> extends RowTyped<Row> {
  readonly sql: string
  readonly params: unknown[]
}

const DIALECT_NAMES = 'postgres, postgresql, mysql, mariadb, sqlite, mssql'

export function resolveDialect(name: unknown): Dialect {
  switch (name) {
    case 'postgres':
    case 'postgresql':
      return 'postgres'
    case 'mysql':
    case 'mariadb':
    case 'sqlite':
    case 'mssql':
      return name
    default:
      throw new InvalidArgumentError(`dialect must be one of ${DIALECT_NAMES}`)
  }
}

/**
 * Bound parameters a statement may carry: the PostgreSQL and MySQL protocols count them in 16
 * bits (65,535), SQLite's SQLITE_MAX_VARIABLE_NUMBER defaults to 32,766, MSSQL allows 2,100.
 */
export const MAX_PARAMETERS: Readonly<Record<Dialect, number>> = {
  postgres: 65_535,
  mysql: 65_535,
  mariadb: 65_535,
  sqlite: 32_766,
  mssql: 2_100,
}

/** One compiler per dialect, reused: compiling never awaits, so statements cannot interleave. */
const COMPILERS: Record<Dialect, SqlCompiler> = {
  postgres: new PostgresCompiler(),
  mysql: new MysqlCompiler(),
  mariadb: new MariaDbCompiler(),
  sqlite: new SqliteCompiler(),
  mssql: new MssqlCompiler(),
}

/** The placeholders and quoting of `dialect`, from its compiler (the drivers' sql`` tags use them). */
export function sqlSyntax(dialect: Dialect): SqlSyntax {
  return COMPILERS[dialect].syntax()
}

export function compileQuery<Row>(q: QueryNode, dialect: Dialect): CompiledQuery<Row> {
  const compiler = COMPILERS[dialect]
  const params: unknown[] = []
  compiler.params = params
  const sql = compiler.query(q)
  const max = MAX_PARAMETERS[dialect]
  if (params.length > max) {
    throw new QueryBuilderError(
      'ERR_TOO_MANY_PARAMETERS',
      `the statement needs ${params.length} parameters; ${compiler.label} allows ${max}` +
        (q.kind === 'insert' ? ' (buildBatches() splits a multi-row INSERT)' : ''),
    )
  }
  return { sql, params }
}

/**
 * A multi-row INSERT as several statements, each under the parameter limit (and MSSQL's 1,000
 * rows). The first chunk is sized from the columns; a statement that binds more per row (values
 * inside upsert assignments, expressions) shrinks the chunk until it fits.
 */
export function compileBatches<Row>(q: QueryNode, dialect: Dialect): CompiledQuery<Row>[] {
  if (q.kind !== 'insert' || q.insertQuery !== null || q.rows.length <= 1) return [compileQuery(q, dialect)]
  const columns = new Set<string>()
  for (const row of q.rows) for (const key of Object.keys(row)) columns.add(key)
  let size = Math.max(1, Math.floor(MAX_PARAMETERS[dialect] / Math.max(1, columns.size)))
  if (dialect === 'mssql' && q.conflict === null) size = Math.min(size, MSSQL_MAX_INSERT_ROWS)
  const out: CompiledQuery<Row>[] = []
  for (let start = 0; start < q.rows.length; ) {
    const chunk: QueryNode = { ...q, rows: q.rows.slice(start, start + size) }
    try {
      out.push(compileQuery(chunk, dialect))
      start += chunk.rows.length
    } catch (err) {
      if ((err as QueryBuilderError).code !== 'ERR_TOO_MANY_PARAMETERS' || size === 1) throw err
      size = Math.max(1, Math.floor(size * 0.9))
    }
  }
  return out
}
