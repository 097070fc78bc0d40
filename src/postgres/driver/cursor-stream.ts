import { InvalidArgumentError } from '../../errors/classes.js'
import type { PgConnection, QueryOptions } from '../connection.js'

/**
 * Streaming inside a transaction through a server-side cursor (issue 5: "a portal fetched in
 * batches inside a transaction"): `DECLARE ... NO SCROLL CURSOR FOR <query>` with the query's
 * parameters, then `FETCH <batchSize>` until a short batch, then `CLOSE`. Memory is bounded by one
 * batch, and unlike socket flow control the connection is free between batches, so the loop body
 * can run other statements of the same transaction (with a paused stream they would wait behind
 * it for ever). Breaking out of the loop closes the cursor; nothing needs cancelling.
 *
 * FETCH runs as an unnamed statement (`prepare: false`): its result columns are those of whichever
 * cursor it names, so a cached FETCH text could be decoded with another cursor's columns.
 */

/** Statements DECLARE CURSOR accepts (PostgreSQL docs, DECLARE: a SELECT or VALUES command). */
const CURSOR_QUERY = /^\s*(?:select|values|table|with)\b/i

export function canUseCursor(conn: PgConnection, sql: string): boolean {
  return conn.transactionStatus === 'T' && CURSOR_QUERY.test(sql)
}

let cursors = 0

export async function* cursorStream<T>(
  conn: PgConnection,
  sql: string,
  params: readonly unknown[],
  batchSize: number,
  options: QueryOptions,
): AsyncGenerator<T, void, undefined> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError('batchSize must be a positive integer')
  }
  const name = `covet_cursor_${++cursors}`
  await conn.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params, { ...options, prepare: false })
  let open = true
  try {
    for (;;) {
      const rows = await conn.query<T>(`FETCH ${batchSize} FROM ${name}`, [], { ...options, prepare: false })
      for (const row of rows) yield row
      if (rows.length < batchSize) break
    }
    open = false
    await conn.query(`CLOSE ${name}`, [], { simple: true })
  } finally {
    // Left early (break, error): close it so the transaction does not keep its snapshot and rows.
    if (open && !conn.closed && conn.transactionStatus === 'T') {
      await conn.query(`CLOSE ${name}`, [], { simple: true }).catch(() => {})
    }
  }
}
