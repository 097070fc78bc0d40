import { InvalidArgumentError } from '../errors/classes.js'
import { cancelled, LoopClock, type RowChunk, type RowSource } from './bulk-rows.js'
import type { MySqlResult } from './handlers.js'
import type { Pipeline } from './pipeline.js'
import { type AddResult, BulkExecuteWriter, type BulkWriterOptions } from './protocol/bulk.js'
import { ColumnType } from './protocol/constants.js'
import type { PrepareOk } from './protocol/messages.js'
import { MultiRowExecuteWriter } from './protocol/multi-row.js'
import type { ParamType } from './types/params.js'

/**
 * bulkInsert's batches, inside the transaction bulk-insert.ts opened: rows are encoded into one
 * command at a time (protocol/bulk.ts on MariaDB, protocol/multi-row.ts elsewhere) while the
 * command before is on the server, so at most two are out at once — the one running and the next,
 * written behind it (held back until it ends when a signal makes it cancellable). Encoding gives
 * the event loop a turn every millisecond or so.
 */

export interface BatchPlan {
  /** `INSERT INTO t (a, b) VALUES ` */
  head: string
  writer: BulkWriterOptions
  signal: AbortSignal | undefined
}

/** Sends finished commands, keeping one in flight behind the one running, and counts the rows. */
class Sender {
  #running: Promise<number> | undefined
  #count = 0

  constructor(
    private readonly pipeline: Pipeline,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Writes `packet`, then waits for the command before it. */
  async send(packet: Buffer): Promise<void> {
    const next = this.pipeline
      .enqueue('packet', '', [], { packet, signal: this.signal })
      .then((r) => Number((r as MySqlResult<unknown>).affectedRows))
    // Awaited by the next send or drain, or dropped when an earlier command failed (a rollback follows).
    next.catch(() => {})
    await this.drain()
    this.#running = next
    if (this.signal?.aborted) throw cancelled(this.signal)
  }

  /** Waits for every command sent; resolves with the rows they inserted. */
  async drain(): Promise<number> {
    const running = this.#running
    this.#running = undefined
    if (running !== undefined) this.#count += await running
    return this.#count
  }
}

interface Writer {
  readonly rows: number
  add(row: readonly unknown[], index: number): AddResult
}

/** Feeds every row to writers made by `open`, handing each full one to `flush`. */
async function encodeAll<W extends Writer>(
  first: RowChunk,
  source: RowSource,
  open: () => W,
  flush: (writer: W) => Promise<void>,
): Promise<void> {
  const clock = new LoopClock()
  let writer = open()
  for (let chunk = first; chunk.rows.length > 0; chunk = await source.next()) {
    for (let i = 0; i < chunk.rows.length; ) {
      const added = writer.add(chunk.rows[i]!, chunk.start + i)
      if (added === 'added') {
        i++
        if (clock.due()) await clock.pause()
        continue
      }
      if (writer.rows === 0) {
        throw new InvalidArgumentError(
          `bulkInsert: row ${chunk.start + i} does not fit in one command (maxPacketBytes, the server's max_allowed_packet)`,
        )
      }
      await flush(writer)
      writer = open()
    }
  }
  if (writer.rows > 0) await flush(writer)
}

/** MariaDB: one statement, COM_STMT_BULK_EXECUTE commands of as many rows as fit. */
export async function bulkBatches(
  pipeline: Pipeline,
  plan: BatchPlan,
  first: RowChunk,
  source: RowSource,
): Promise<number> {
  const n = plan.writer.columns.length
  const sql = plan.head + placeholders(n, 1)
  const prepared = (await pipeline.enqueue('prepare', sql, [], { signal: plan.signal })) as PrepareOk
  const sender = new Sender(pipeline, plan.signal)
  try {
    const learned = new Array<ParamType>(n).fill(ColumnType.NULL)
    await encodeAll(
      first,
      source,
      () => new BulkExecuteWriter(prepared.statementId, learned, plan.writer),
      (w) => sender.send(w.finish()),
    )
    return await sender.drain()
  } finally {
    pipeline.closeStatement(prepared.statementId)
  }
}

/** Statements kept per row count at once: full batches, the last one, and a few in between. */
const MAX_STATEMENTS = 4

/** MySQL: `INSERT ... VALUES (?, ?), (?, ?), ...` statements, one per batch size, executed. */
export async function multiRowBatches(
  pipeline: Pipeline,
  plan: BatchPlan,
  first: RowChunk,
  source: RowSource,
): Promise<number> {
  const n = plan.writer.columns.length
  const sender = new Sender(pipeline, plan.signal)
  const statements = new Map<number, number>()
  const statementFor = async (rows: number): Promise<number> => {
    const id = statements.get(rows)
    if (id !== undefined) return id
    if (statements.size === MAX_STATEMENTS) {
      // A command written behind the one running may still name the oldest statement.
      await sender.drain()
      const [oldest, oldId] = statements.entries().next().value!
      statements.delete(oldest)
      pipeline.closeStatement(oldId)
    }
    const sql = plan.head + placeholders(n, rows)
    const prepared = (await pipeline.enqueue('prepare', sql, [], { signal: plan.signal })) as PrepareOk
    statements.set(rows, prepared.statementId)
    return prepared.statementId
  }
  try {
    await encodeAll(
      first,
      source,
      () => new MultiRowExecuteWriter(plan.writer),
      async (w) => sender.send(w.finish(await statementFor(w.rows))),
    )
    return await sender.drain()
  } finally {
    for (const id of statements.values()) pipeline.closeStatement(id)
  }
}

/** `(?, ?, ?), (?, ?, ?)`: `rows` groups of `columns` placeholders. */
function placeholders(columns: number, rows: number): string {
  const group = `(${'?, '.repeat(columns - 1)}?)`
  return `${group}, `.repeat(rows - 1) + group
}

/** The most rows whose multi-row statement text fits `maxBytes` (PREPARE is one command too). */
export function rowsPerStatement(head: string, columns: number, maxBytes: number): number {
  // The command byte, the head, then per row 3 * columns characters and ", " between rows.
  const room = maxBytes - 1 - Buffer.byteLength(head) + 2
  return Math.floor(room / (3 * columns + 2))
}
