/**
 * NDJSON import and export, streamed both ways so 100,000 notes take no more memory than a hundred.
 * - `POST /notes/import`: lines decoded by covet's decodeStream; each checked against the import
 *   schema; good ones sealed and written in one all-or-nothing pass (driver.bulkInsert: binary
 *   COPY on a real PostgreSQL, COM_STMT_BULK_EXECUTE on MariaDB; multi-row INSERTs in one
 *   transaction on the embedded database); bad ones reported
 *   by line number, the others still imported.
 * - `GET /notes/export`: driver.stream (server-side flow control) through encodeStream to the socket.
 */
import { pipeline } from 'node:stream/promises'
import { SecureRandom } from '../../../src/crypto/index.js'
import { encodeStream } from '../../../src/json/index.js'
import { requireMediaType, sendJson } from '../server/http.js'
import { validatorFor } from '../server/json-body.js'
import type { Router } from '../server/router.js'
import type { BulkInserter, Database } from '../storage/database.js'
import type { SqlDialect } from '../storage/dialect.js'
import { NOTE_COLUMNS, type Note, type NoteStore, rowObject } from '../storage/notes.js'
import { type NdjsonItem, ndjsonItems } from './ndjson-items.js'
import { importNoteSchema } from './note-schemas.js'
import type { Auth } from './users.js'

const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl']
/** Rejected lines listed in the response; beyond this only the count grows. */
const MAX_REPORTED = 100
/**
 * Rows per INSERT where COPY is unavailable: 7 parameters each, far below the 65,535 both protocols
 * allow, and large enough that round trips do not dominate.
 */
const INSERT_BATCH = 500
/**
 * Sealed body bytes per INSERT: a statement must fit MySQL's max_allowed_packet (MariaDB's default
 * 16 MiB, MySQL 8's 64 MiB), and 500 bodies of the largest size (400 kB sealed) would be 200 MB.
 */
const INSERT_BATCH_BYTES = 4 << 20

export interface Rejected {
  /** 1-based record number (blank lines are not records). */
  record: number
  line?: number
  error: 'malformed_json' | 'schema_violation'
  message: string
  details?: unknown
}

export function transferRoutes(
  router: Router,
  auth: Auth,
  store: NoteStore,
  db: Database,
  options: { dialect: SqlDialect; bulk: BulkInserter | null },
): void {
  router.add('POST', '/notes/import', async ({ req, res }) => {
    const { userId } = await auth.authenticate(req)
    requireMediaType(req, NDJSON_TYPES)
    const rejected: Rejected[] = []
    let rejectedCount = 0
    const reject = (entry: Rejected) => {
      rejectedCount++
      if (rejected.length < MAX_REPORTED) rejected.push(entry)
    }
    const rows = sealedRows(userId, store, ndjsonItems(req), reject)
    const imported =
      options.bulk !== null
        ? await options.bulk.bulkInsert('notes', NOTE_COLUMNS, rows)
        : await insertInBatches(db, options.dialect, rows)
    sendJson(res, 200, { imported, rejected: rejectedCount, errors: rejected })
  })

  router.add('GET', '/notes/export', async ({ req, res }) => {
    const { userId } = await auth.authenticate(req)
    const notes = store.export(userId)
    // Fetch the first note before the status line: a failing query is still an honest 500, not a
    // 200 with a truncated body.
    const first = await notes.next()
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' })
    try {
      await pipeline(encodeStream(prepend(first, notes), { format: 'ndjson' }), res)
    } finally {
      // A client that hangs up may leave the generators suspended (or never started): close the
      // export explicitly, which ends driver.stream and gives its connection back to the pool.
      await notes.return(undefined)
    }
  })
}

/** The valid lines as `notes` rows (body sealed); each invalid line goes to `reject` instead. */
async function* sealedRows(
  userId: string,
  store: NoteStore,
  items: AsyncIterable<NdjsonItem>,
  reject: (entry: Rejected) => void,
): AsyncGenerator<unknown[]> {
  const validator = validatorFor(importNoteSchema)
  const random = new SecureRandom()
  const now = new Date().toISOString()
  for await (const item of items) {
    if ('error' in item) {
      const entry: Rejected = { record: item.record, error: 'malformed_json', message: item.error }
      if (item.line !== undefined) entry.line = item.line
      reject(entry)
    } else if (!validator.validateValue(item.value)) {
      const message = 'the record does not match the import schema'
      reject({ record: item.record, error: 'schema_violation', message, details: validator.errors })
    } else {
      const input = item.value as Partial<Note> & { title: string; body: string }
      const createdAt = input.createdAt ?? now
      yield store.sealRow(userId, {
        id: input.id ?? random.generateUuidV7(),
        title: input.title,
        body: input.body,
        tags: input.tags ?? [],
        createdAt,
        updatedAt: input.updatedAt ?? createdAt,
      })
    }
  }
}

/**
 * The fallback without a bulk path: the embedded database (pglite-socket hands PGlite one protocol
 * message at a time, and COPY FROM STDIN needs its CopyData in the same call).
 * Multi-row INSERTs in one transaction keep the same all-or-nothing outcome.
 */
async function insertInBatches(
  db: Database,
  dialect: SqlDialect,
  rows: AsyncIterable<unknown[]>,
): Promise<number> {
  return db.transaction(async (tx) => {
    let count = 0
    let batch: Record<string, unknown>[] = []
    let bytes = 0
    const flush = async () => {
      if (batch.length === 0) return
      await tx.execute(dialect.builder().insert('notes').values(batch))
      count += batch.length
      batch = []
      bytes = 0
    }
    for await (const row of rows) {
      const values = rowObject(row)
      batch.push(values)
      bytes += (values.body as Buffer).length
      if (batch.length === INSERT_BATCH || bytes >= INSERT_BATCH_BYTES) await flush()
    }
    await flush()
    return count
  })
}

async function* prepend<T>(first: IteratorResult<T>, rest: AsyncGenerator<T>): AsyncGenerator<T> {
  if (first.done) return
  yield first.value
  yield* rest
}
