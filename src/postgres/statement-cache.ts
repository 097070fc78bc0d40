import { PreparedStatementCache } from '../cache/statement-cache.js'
import type { BackendMessage, FieldDescription } from './protocol/messages.js'
import { ExecuteHandler } from './query-handlers.js'
import type { PreparedStatement } from './query-types.js'

/**
 * The connection's prepared statements live in covet/cache's two-level PreparedStatementCache
 * (issue 5): L1 per connection (SQL text → the name this session prepared it under), L2 shared by
 * a pool's connections (SQL text → the described statement: parameter types, fields, codecs,
 * compiled decoder). A connection that misses L1 but hits L2 parses the text under a new name
 * with the known parameter types in the same batch as its execution, saving the Describe round
 * trip; `VerifyingExecuteHandler` checks that the server still agrees about the result columns.
 */

/** What L2 shares: a described statement (its `name` is the describing connection's; each L1 renames). */
export type StatementMetadata = PreparedStatement

/** A private cache for a connection outside a pool, with the connection's own bounds. */
export function privateStatementCache(
  cacheSize: number,
  cacheBytes: number,
): PreparedStatementCache<StatementMetadata> {
  return new PreparedStatementCache<StatementMetadata>({
    maxPerConnection: Math.max(1, cacheSize),
    maxBytesPerConnection: Math.max(1, cacheBytes),
    sizeOf: (_, st) => st.bytes,
    namePrefix: 'covet_',
  })
}

/** The cache a pool shares between its connections; statement names are `covet_1`, `covet_2`... */
export function sharedStatementCache(
  maxPerConnection: number | undefined,
  maxBytesPerConnection: number | undefined,
): PreparedStatementCache<StatementMetadata> {
  return privateStatementCache(maxPerConnection ?? 256, maxBytesPerConnection ?? 4 * 1024 * 1024)
}

function sameColumns(described: readonly FieldDescription[], expected: readonly FieldDescription[]): boolean {
  if (described.length !== expected.length) return false
  for (let i = 0; i < described.length; i++) {
    const a = described[i]!
    const b = expected[i]!
    if (a.typeOid !== b.typeOid || a.name !== b.name) return false
  }
  return true
}

/**
 * Answers Parse + Describe(S) + Bind + Execute + Sync for a statement prepared from L2 metadata.
 * The RowDescription (or NoData) of the Describe arrives before any DataRow; when it differs from
 * the metadata (DDL since another connection described the text), rows are not decoded with the
 * wrong decoder and `mismatch` tells the pipeline to invalidate and, where safe, retry.
 */
export class VerifyingExecuteHandler extends ExecuteHandler {
  mismatch = false

  override handle(msg: BackendMessage): boolean {
    switch (msg.type) {
      case 'RowDescription':
        if (!sameColumns(msg.fields, this.statement.fields)) this.mismatch = true
        return false
      case 'NoData':
        if (this.statement.fields.length !== 0) this.mismatch = true
        return false
      case 'DataRow':
        if (this.mismatch) return false
    }
    return super.handle(msg)
  }
}
