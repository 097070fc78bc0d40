import type { ErrorCode } from '../../../../src/errors/codes.js'
import { QueryBuilder } from '../../../../src/query/builder.js'
import type { Dialect } from '../../../../src/query/nodes.js'

/**
 * One builder scenario, its expected SQL + params in every dialect, and what executing it on a
 * real server must give. The unit tests assert the SQL; the integration tests run the very same
 * statements on PostgreSQL, MariaDB and SQLite and parse the MSSQL ones (issue 6, Tests).
 */
export interface SqlCase {
  name: string
  build: (q: () => QueryBuilder, dialect: Dialect) => QueryBuilder
  /** Expected `[sql, params]` or the error code; `mariadb` falls back to `mysql`. */
  expect: Partial<Record<Dialect, Expected>> & Record<'postgres' | 'mysql' | 'sqlite' | 'mssql', Expected>
  /** Rows the statement returns (values as strings), compared sorted unless `ordered`. */
  rows?: (string | null)[][]
  ordered?: boolean
  /** A plain SELECT run after the statement (same transaction) and its rows, sorted. */
  check?: { sql: string; rows: (string | null)[][] }
  /** Statements run before the case on each server (inside its isolation), e.g. tables with odd names. */
  setup?: (dialect: Dialect) => string[]
  /** Statements run after the case on each server (MariaDB DDL is not transactional). */
  teardown?: (dialect: Dialect) => string[]
  /** Servers that cannot run the case, each with the reason (a dedicated test covers it there). */
  notOn?: Partial<Record<Dialect, string>>
  /** Statements node-sql-parser's TransactSQL grammar cannot read (checked by their exact text only). */
  mssqlParserGap?: string
  /** MySQL-dialect statements node-sql-parser's MySQL grammar cannot read. */
  mysqlParserGap?: string
}

export type Expected = readonly [string, readonly unknown[]] | ErrorCode

export const DIALECTS: readonly Dialect[] = ['postgres', 'mysql', 'mariadb', 'sqlite', 'mssql']

export function expected(c: SqlCase, dialect: Dialect): Expected {
  return c.expect[dialect] ?? (dialect === 'mariadb' ? c.expect.mysql : c.expect.postgres)
}

export function newBuilder(dialect: Dialect): () => QueryBuilder {
  return () => new QueryBuilder(dialect)
}

/** Result values as the servers' drivers give them, made comparable across servers. */
export function normalizeRows(
  rows: readonly Record<string, unknown>[] | readonly unknown[][],
): (string | null)[][] {
  return rows.map((row) =>
    (Array.isArray(row) ? row : Object.values(row)).map((v) => {
      if (v === null || v === undefined) return null
      if (typeof v === 'boolean') return v ? '1' : '0'
      if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
      return String(v)
    }),
  )
}

export function sortRows(rows: (string | null)[][]): (string | null)[][] {
  return [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
}

/**
 * The PostgreSQL text with its placeholders respelled for the other dialects (`?`, `@pN`):
 * for statements whose only difference is the placeholder. Everything else is spelled out.
 */
export function portable(
  pg: string,
  params: readonly unknown[],
  overrides: Partial<Record<Dialect, Expected>> = {},
): SqlCase['expect'] {
  const q = pg.replace(/\$\d+/g, '?')
  return {
    postgres: [pg, params],
    mysql: [q, params],
    sqlite: [q, params],
    mssql: [pg.replace(/\$(\d+)/g, '@p$1'), params],
    ...overrides,
  }
}
