import { ConnectionError, InvalidArgumentError, QueryBuilderError } from '../errors/classes.js'
import { CovetError, isCovetError } from '../errors/covet-error.js'
import { DatabaseError } from '../errors/database-error.js'
import { type BatchPlan, bulkBatches, multiRowBatches, rowsPerStatement } from './bulk-batches.js'
import { cancelled, checkRows, type MySqlBulkRows, RowSource } from './bulk-rows.js'
import type { MySqlResult } from './handlers.js'
import type { Pipeline } from './pipeline.js'
import { MAX_PLACEHOLDERS } from './protocol/multi-row.js'
import type { Wire } from './wire.js'

export type { MySqlBulkRow, MySqlBulkRows } from './bulk-rows.js'

/**
 * MySqlConnection.bulkInsert (issue 16): rows in batches of one prepared INSERT — on MariaDB with
 * MARIADB_CLIENT_STMT_BULK_OPERATIONS agreed, COM_STMT_BULK_EXECUTE (types once per command, an
 * indicator byte per value); elsewhere multi-row `INSERT ... VALUES (?, ?), (?, ?)` statements.
 * All or nothing: the batches run inside BEGIN ... COMMIT, or inside a SAVEPOINT when the caller
 * has a transaction open, rolled back on any failure. A connection that cannot be rolled back is
 * closed rather than left half-way.
 */

export interface MySqlBulkInsertOptions {
  /** Cancels: KILL QUERY for the running batch, then the rollback. */
  signal?: AbortSignal
  /** Most rows per command. Default: as many as fit (multi-row: at most 65,535 placeholders). */
  batchRows?: number
  /**
   * Largest command payload, kept below the server's max_allowed_packet. Default 256 KiB: writing a
   * command costs loop-thread CPU in proportion to its size (on loopback the kernel's receive path
   * runs in the writer's syscall: roughly 3-4 ms per MiB in a CPU profile on the 2-core test VM).
   */
  maxPacketBytes?: number
  /** 'auto' (default): 'bulk' where MariaDB offers COM_STMT_BULK_EXECUTE, else 'multi-row'. */
  method?: 'auto' | 'bulk' | 'multi-row'
}

/** What bulkInsert needs of its connection. */
export interface BulkSession {
  readonly pipeline: Pipeline
  /** Closed when a rollback failed: the session would be in an unknown state. */
  readonly wire: Pick<Wire, 'closed' | 'destroy'>
  /** MARIADB_CLIENT_STMT_BULK_OPERATIONS was agreed in the handshake. */
  readonly bulkOperations: boolean
  readonly tzOffsetMs: number
}

const DEFAULT_PACKET_BYTES = 256 << 10
/** Kept free below max_allowed_packet: the server refuses a packet above it and closes the session. */
const PACKET_HEADROOM = 1024
const SAVEPOINT = 'covet_bulk_insert'
const ER_SP_DOES_NOT_EXIST = 1305
/** MySQL manual 11.2 "Schema Object Names": 64 characters; no NUL or supplementary characters. */
const NAME = /^[^\0\u{10000}-\u{10FFFF}]{1,64}$/u

/** max_allowed_packet per connection (a server setting: read once). */
const maxAllowed = new WeakMap<Pipeline, number>()
/** The last bulkInsert of each connection: calls run one after another, each all or nothing. */
const running = new WeakMap<Pipeline, Promise<unknown>>()

export function bulkInsert(
  session: BulkSession,
  table: string | readonly string[],
  columns: readonly string[],
  rows: MySqlBulkRows,
  options: MySqlBulkInsertOptions = {},
): Promise<number> {
  const before = running.get(session.pipeline) ?? Promise.resolve()
  const run = before.then(() => insert(session, table, columns, rows, options))
  running.set(
    session.pipeline,
    run.catch(() => {}),
  )
  return run
}

async function insert(
  session: BulkSession,
  table: string | readonly string[],
  columns: readonly string[],
  rows: MySqlBulkRows,
  options: MySqlBulkInsertOptions,
): Promise<number> {
  const { signal } = options
  const head = insertHead(table, columns)
  const bulk = chooseMethod(options.method, session.bulkOperations)
  const batchRows = options.batchRows ?? Number.POSITIVE_INFINITY
  if (batchRows !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(batchRows) || batchRows < 1)) {
    throw new InvalidArgumentError('bulkInsert: batchRows must be a positive integer')
  }
  const packetBytes = options.maxPacketBytes ?? DEFAULT_PACKET_BYTES
  if (!Number.isSafeInteger(packetBytes) || packetBytes < 1024) {
    throw new InvalidArgumentError('bulkInsert: maxPacketBytes must be an integer >= 1024')
  }
  const source = new RowSource(rows, columns)
  try {
    if (Array.isArray(rows)) await checkRows(rows, columns)
    const first = await source.next()
    if (first.rows.length === 0) return 0
    if (signal?.aborted) throw cancelled(signal)
    const serverMax = (await maxAllowedPacket(session.pipeline)) - PACKET_HEADROOM
    let maxRows = batchRows
    if (!bulk) {
      maxRows = Math.min(maxRows, Math.floor(MAX_PLACEHOLDERS / columns.length))
      maxRows = Math.min(maxRows, rowsPerStatement(head, columns.length, serverMax))
      if (maxRows < 1)
        throw new InvalidArgumentError("bulkInsert: one row's INSERT exceeds max_allowed_packet")
    }
    const plan: BatchPlan = {
      head,
      signal,
      writer: {
        columns,
        maxRows,
        maxPayloadBytes: Math.min(packetBytes, serverMax),
        tzOffsetMs: session.tzOffsetMs,
      },
    }
    return await inTransaction(session, () =>
      (bulk ? bulkBatches : multiRowBatches)(session.pipeline, plan, first, source),
    )
  } finally {
    await source.close()
  }
}

/** `INSERT INTO `db`.`t` (`a`, `b`) VALUES `, names checked and quoted. */
function insertHead(table: string | readonly string[], columns: readonly string[]): string {
  const parts = typeof table === 'string' ? [table] : table
  if (!Array.isArray(parts) || parts.length === 0 || parts.length > 2) {
    throw new InvalidArgumentError('bulkInsert: table must be a name or [database, name]')
  }
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new InvalidArgumentError('bulkInsert: columns must be a non-empty array of names')
  }
  const target = parts.map((p) => quoteName(p, 'table')).join('.')
  return `INSERT INTO ${target} (${columns.map((c) => quoteName(c, 'column')).join(', ')}) VALUES `
}

function quoteName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !NAME.test(name) || name.endsWith(' ')) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 64)) : `a ${typeof name}`
    throw new QueryBuilderError(
      'ERR_INVALID_IDENTIFIER',
      `bulkInsert: ${what} name ${shown} is not a valid identifier (1-64 characters, no NUL, ` +
        'no supplementary characters, no trailing space)',
    )
  }
  return `\`${name.replaceAll('`', '``')}\``
}

function chooseMethod(method: MySqlBulkInsertOptions['method'], bulkOperations: boolean): boolean {
  switch (method ?? 'auto') {
    case 'auto':
      return bulkOperations
    case 'multi-row':
      return false
    case 'bulk':
      if (!bulkOperations) {
        throw new CovetError(
          'ERR_UNSUPPORTED',
          "bulkInsert: method 'bulk' needs MariaDB's COM_STMT_BULK_EXECUTE",
        )
      }
      return true
    default:
      throw new InvalidArgumentError("bulkInsert: method must be 'auto', 'bulk' or 'multi-row'")
  }
}

async function maxAllowedPacket(pipeline: Pipeline): Promise<number> {
  let max = maxAllowed.get(pipeline)
  if (max === undefined) {
    const result = (await pipeline.enqueue(
      'query',
      'SELECT @@max_allowed_packet AS n',
      [],
      {},
    )) as MySqlResult<{
      n: unknown
    }>
    max = Number(result[0]?.n)
    // Unreadable (a proxy?): 1 MiB, the server default before MySQL 5.6.6.
    if (!Number.isSafeInteger(max) || max < 1) max = 1024 * 1024
    maxAllowed.set(pipeline, max)
  }
  return max
}

/** Runs `work` all or nothing: its own transaction, or a savepoint inside the caller's. */
async function inTransaction(session: BulkSession, work: () => Promise<number>): Promise<number> {
  const p = session.pipeline
  const run = (sql: string) => p.enqueue('query', sql, [], {})
  const own = !p.inTransaction
  await run(own ? 'BEGIN' : `SAVEPOINT ${SAVEPOINT}`)
  try {
    const count = await work()
    await run(own ? 'COMMIT' : `RELEASE SAVEPOINT ${SAVEPOINT}`)
    return count
  } catch (error) {
    await undo(session, own, error)
    throw error
  }
}

async function undo(session: BulkSession, own: boolean, error: unknown): Promise<void> {
  if (session.wire.closed) return
  const p = session.pipeline
  const run = (sql: string) => p.enqueue('query', sql, [], {})
  try {
    if (own) await run('ROLLBACK')
    else await Promise.all([run(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`), run(`RELEASE SAVEPOINT ${SAVEPOINT}`)])
  } catch (cause) {
    // A deadlock rolls back the caller's whole transaction, savepoint included: nothing is half-way.
    if (session.wire.closed || (cause instanceof DatabaseError && cause.errno === ER_SP_DOES_NOT_EXIST))
      return
    session.wire.destroy(
      new ConnectionError(
        'ERR_CONNECTION_CLOSED',
        'bulkInsert could not roll back: the connection was closed',
        {
          cause: isCovetError(cause) ? cause : error,
        },
      ),
    )
  }
}
