import { PreparedStatementCache } from '../cache/statement-cache.js'
import type { ColumnDefinition } from './protocol/columns.js'
import { columnCodec } from './types/codecs.js'
import type { ResolvedTypeOptions } from './types/options.js'
import { compileBinaryRowDecoder, type RowDecoder, type RowMode } from './types/row-decoder.js'

/**
 * Prepared statements (COM_STMT_PREPARE) live in covet/cache's PreparedStatementCache, as on the
 * PostgreSQL side: L1 per connection (SQL text → the server's statement id, as the entry name),
 * bounded by count and bytes so a connection never holds more statements than the server allows
 * (max_prepared_stmt_count; each eviction sends COM_STMT_CLOSE — mysql2's cache closes nothing and
 * grows without bound). L2, shared by a pool, remembers the parameter count and columns, so a
 * connection that has not prepared a text yet can still pipeline PREPARE + EXECUTE.
 */
export interface PreparedStatement {
  /** The server's statement id (meaningful only on the connection that prepared it). */
  id: number
  sql: string
  paramCount: number
  columns: ColumnDefinition[]
  /** Undefined when the statement returns no rows. */
  decoder: RowDecoder | undefined
  /** Estimated memory held, for the cache's byte bound. */
  bytes: number
}

export function buildStatement(
  id: number,
  sql: string,
  paramCount: number,
  columns: ColumnDefinition[],
  types: ResolvedTypeOptions,
  rowMode: RowMode,
): PreparedStatement {
  return {
    id,
    sql,
    paramCount,
    columns,
    decoder: columns.length > 0 ? binaryDecoder(columns, types, rowMode) : undefined,
    bytes: sql.length * 2 + 200 + columns.length * 160,
  }
}

export function binaryDecoder(columns: ColumnDefinition[], types: ResolvedTypeOptions, rowMode: RowMode) {
  return compileBinaryRowDecoder(
    columns,
    columns.map((c) => columnCodec(c, types)),
    rowMode,
  )
}

/** True when two column lists decode alike (a re-execute may reuse the compiled decoder). */
export function sameColumns(a: readonly ColumnDefinition[], b: readonly ColumnDefinition[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!
    const y = b[i]!
    if (
      x.type !== y.type ||
      x.name !== y.name ||
      x.flags !== y.flags ||
      x.collation !== y.collation ||
      x.decimals !== y.decimals ||
      x.length !== y.length ||
      x.format !== y.format
    ) {
      return false
    }
  }
  return true
}

export function privateStatementCache(
  size: number,
  bytes: number,
): PreparedStatementCache<PreparedStatement> {
  return new PreparedStatementCache<PreparedStatement>({
    maxPerConnection: Math.max(1, size),
    maxBytesPerConnection: Math.max(1, bytes),
    sizeOf: (_, st) => st.bytes,
  })
}

/**
 * Counts the `?` placeholders of `sql` outside quotes and comments, or returns undefined when
 * unsure: an unterminated quote or comment, a backslash inside quotes (its meaning depends on
 * sql_mode NO_BACKSLASH_ESCAPES and ANSI_QUOTES), or an executable comment (`/*!`, `/*M!`).
 * Only a sure count lets EXECUTE be sent before PREPARE's answer tells the real one.
 */
export function countPlaceholders(sql: string): number | undefined {
  let count = 0
  const n = sql.length
  for (let i = 0; i < n; i++) {
    const c = sql.charCodeAt(i)
    if (c === 0x3f /* ? */) count++
    else if (c === 0x27 || c === 0x22 || c === 0x60 /* ' " ` */) {
      // A quote ends at the same quote not doubled; doubling is the escape.
      let j = i + 1
      for (; j < n; j++) {
        const d = sql.charCodeAt(j)
        if (d === 0x5c /* \ */) return undefined
        if (d === c) {
          if (sql.charCodeAt(j + 1) === c) j++
          else break
        }
      }
      if (j >= n) return undefined
      i = j
    } else if (
      c === 0x23 /* # */ ||
      (c === 0x2d && sql.charCodeAt(i + 1) === 0x2d && isSpace(sql.charCodeAt(i + 2)))
    ) {
      const eol = sql.indexOf('\n', i)
      if (eol === -1) return count
      i = eol
    } else if (c === 0x2f && sql.charCodeAt(i + 1) === 0x2a /* / * */) {
      const next = sql.charCodeAt(i + 2)
      if (next === 0x21 /* ! */ || (next === 0x4d /* M */ && sql.charCodeAt(i + 3) === 0x21)) return undefined
      const end = sql.indexOf('*/', i + 2)
      if (end === -1) return undefined
      i = end + 1
    }
  }
  return count
}

/** "--" starts a comment only before whitespace, a control character or the end ("Comment Syntax"). */
function isSpace(c: number): boolean {
  return Number.isNaN(c) || c <= 0x20
}
