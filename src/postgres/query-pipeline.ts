import { ProtocolError } from '../errors/classes.js'
import { CovetError, isCovetError } from '../errors/covet-error.js'
import { oncePerTick } from '../internal/once-per-tick.js'
import { unsent } from '../internal/unsent.js'
import type { TypeCodecs } from './codecs.js'
import type { CopyTransfer } from './copy.js'
import { ExtendedQueries } from './extended-query.js'
import { createPendingQuery, type EnqueueOptions } from './pending-query.js'
import type { PipelineControl, PipelineIo } from './pipeline-control.js'
import type { TransactionStatus } from './protocol/codes.js'
import type { BackendMessage } from './protocol/messages.js'
import { QueryWatchdog } from './query-deadline.js'
import { type ResponseHandler, RowCollector } from './query-handlers.js'
import type { PendingQuery } from './query-types.js'
import { SimpleQueries } from './simple-query.js'
import { privateStatementCache } from './statement-cache.js'

// driver.ts asks wasNeverSent here whether a failed query may run on another connection.
export { wasNeverSent } from '../internal/unsent.js'
export type { EnqueueOptions } from './pending-query.js'
export type { PipelineIo } from './pipeline-control.js'

/**
 * The query engine of one connection: queries wait in `#toSend` in call order, are written in
 * batches each closed by its own Sync (so an error fails only its query, §55.2.4 "Pipelining"),
 * and their response handlers wait in `#inFlight` in the same order.
 *
 * A statement not yet described blocks the queries behind it for one round trip (Parse +
 * Describe + Sync): its parameter types decide how values are encoded, and writing later
 * queries first would reorder them (an INSERT could land after a COMMIT sent behind it).
 *
 * A cancellable query (signal or timeoutMs) is a barrier: nothing is written behind it until it
 * completes, and nothing new while a CancelRequest is outstanding. A backend that receives a
 * cancel between statements ignores it only when no further input is buffered (PostgreSQL's
 * ProcessInterrupts skips it while DoingCommandRead), so this is what guarantees that a cancel
 * never hits the next query.
 *
 * The statements of an atomic batch share a QueryBatch: after one fails, the rest are failed
 * here instead of written (issue 14). Deadlines and the silence check are query-deadline.ts; what
 * a query writes and how it settles are simple-query.ts (Query, COPY) and extended-query.ts
 * (Parse, Describe, Bind, Execute; the statement cache and the stale-statement retry).
 */
export class QueryPipeline {
  readonly #io: PipelineIo
  readonly #toSend: PendingQuery[] = []
  readonly #inFlight: ResponseHandler[] = []
  /** What simple Query and COPY statements write and how they settle. */
  readonly #simple: SimpleQueries
  /** Extended-protocol queries: Describe, Bind + Execute, the L1/L2 statements, the stale retry. */
  readonly #extended: ExtendedQueries
  /** The query whose Parse + Describe is in flight; nothing is written behind it meanwhile. */
  #describing: PendingQuery | undefined
  /** While a CancelRequest is outstanding, nothing new is written, so it cannot hit a later query. */
  #cancelling = 0
  #cancelTarget: ResponseHandler | undefined
  /** The cancellable query written last; nothing is written behind it until it completes. */
  #barrier: PendingQuery | undefined
  /** From the latest ReadyForQuery, set before the handler it ends runs. */
  #status: TransactionStatus = 'I'
  /** Coalesces all queries made in the same tick into one socket write. */
  readonly #schedule = oncePerTick(() => this.#pump())
  #failed: CovetError | undefined
  /** COPY transfers of queued COPY statements (sent as simple queries). */
  readonly #copies = new Map<PendingQuery, CopyTransfer>()

  readonly #watchdog: QueryWatchdog
  #seq = 0

  constructor(io: PipelineIo) {
    this.#io = io
    this.#watchdog = new QueryWatchdog(io.queryTimeoutMs, io.cancelGraceMs, {
      queries: () => this.#queries(),
      abandoned: () => this.#inFlight[0]?.query?.settled === true,
      received: () => io.received(),
      stuck: (error) => io.destroy(error),
    })
    const pipeline = this
    const control: PipelineControl = {
      write: (write) => io.write(write),
      flush: () => io.flush(),
      get codecs() {
        return io.codecs
      },
      get rowMode() {
        return io.rowMode
      },
      get status() {
        return pipeline.#status
      },
      get failed() {
        return pipeline.#failed !== undefined
      },
      get inFlight() {
        return pipeline.#inFlight.length
      },
      written: () => this.#toSend.shift(),
      expect: (handler) => this.#inFlight.push(handler),
      barrier: (q) => {
        this.#barrier = q
      },
      describing: (q) => {
        this.#describing = q
      },
      requeue: (q) => this.#requeue(q),
      dequeue: (q, error) => this.#dequeue(q, error),
    }
    this.#simple = new SimpleQueries(control, io)
    const statements = io.statements ?? privateStatementCache(io.cacheSize, io.cacheBytes)
    this.#extended = new ExtendedQueries(control, statements, (extended) =>
      this.#simple.copyInRefused(extended),
    )
  }

  get codecs(): TypeCodecs {
    return this.#io.codecs
  }

  get pending(): number {
    return this.#toSend.length + this.#inFlight.length
  }

  enqueue(
    sql: string,
    params: readonly unknown[],
    options: EnqueueOptions,
    copy?: CopyTransfer,
  ): Promise<unknown> {
    if (this.#failed) return Promise.reject(this.#failed)
    return new Promise((resolve, reject) => {
      const q = createPendingQuery(sql, params, options, resolve, reject, (cancelled) =>
        this.#requestCancel(cancelled),
      )
      if (q === undefined) return
      q.seq = this.#seq++
      if (options.defaultDeadline && options.timeoutMs === undefined) this.#watchdog.track(q)
      if (copy !== undefined) this.#copies.set(q, copy)
      this.#toSend.push(q)
      this.#schedule()
    })
  }

  /** Queries on this connection in call order: written first, then waiting (for the watchdog). */
  *#queries(): Generator<PendingQuery> {
    for (const h of this.#inFlight) if (h.query !== undefined) yield h.query
    yield* this.#toSend
  }

  #pump(): void {
    try {
      this.#write()
    } catch (cause) {
      // Every input is checked before it is written, so this is a bug; the batch may be half
      // encoded, so the stream cannot be trusted. Never let it escape the microtask (a crash).
      this.#io.destroy(
        isCovetError(cause) ? cause : new CovetError('ERR_INTERNAL', 'failed to write a query', { cause }),
      )
    }
  }

  #write(): void {
    while (this.#canWrite()) {
      const q = this.#toSend[0]!
      // An earlier statement of its atomic batch failed: this one must not run (issue 14).
      if (!q.settled && q.batch?.failure !== undefined) q.fail(q.batch.failure)
      if (q.settled) {
        this.#toSend.shift()
        this.#copies.delete(q)
        continue
      }
      const copy = this.#copies.get(q)
      if (copy !== undefined) {
        this.#copies.delete(q)
        this.#simple.writeCopy(q, copy)
        break
      }
      if (q.mode === 'simple') {
        this.#simple.write(q)
        continue
      }
      // Waiting for its Describe: nothing is written behind it (extended-query.ts).
      if (!this.#extended.write(q)) break
    }
    this.#io.flush()
  }

  #canWrite(): boolean {
    return (
      this.#toSend.length > 0 &&
      this.#describing === undefined &&
      this.#barrier === undefined &&
      this.#cancelling === 0 &&
      this.#cancelTarget === undefined &&
      this.#failed === undefined
    )
  }

  dispatch(msg: BackendMessage): void {
    const handler = this.#inFlight[0]
    // Only the asynchronous messages (handled by the connection) may arrive unasked: anything
    // else means client and server disagree about the stream.
    if (handler === undefined) throw new ProtocolError(`unexpected ${msg.type} with no query in flight`)
    if (msg.type === 'ReadyForQuery') {
      this.#status = msg.status
      this.#io.setStatus(msg.status)
    }
    if (!handler.handle(msg)) return
    this.#inFlight.shift()
    if (this.#cancelTarget === handler) this.#cancelTarget = undefined
    if (this.#barrier !== undefined && handler.query === this.#barrier) this.#barrier = undefined
    const next = this.#inFlight[0]
    if (next?.query?.cancelRequested) this.#cancelHead(next)
    this.#pump()
  }

  #dequeue(q: PendingQuery, error: CovetError): void {
    const at = this.#toSend.indexOf(q)
    if (at >= 0) this.#toSend.splice(at, 1)
    q.fail(error)
  }

  /**
   * Puts a query back for a retry at its place in call order: ahead of every query called after
   * it, behind the retries of queries called before it.
   */
  #requeue(q: PendingQuery): void {
    let at = 0
    while (at < this.#toSend.length && this.#toSend[at]!.seq < q.seq) at++
    this.#toSend.splice(at, 0, q)
  }

  /**
   * Asked by the parser when a DataRow of `byteLength` wire bytes starts that it would have to
   * buffer: true to skip its bytes as they arrive instead. Its query has settled (the row would be
   * dropped) or the row would take it past maxResultBytes (then it fails now, §55.2.4: the rest of
   * the result still arrives and is drained, so the connection stays in step).
   */
  refuseRow(byteLength: number): boolean {
    const h = this.#inFlight[0]
    return h instanceof RowCollector && h.refuse(byteLength)
  }

  #requestCancel(q: PendingQuery): void {
    q.cancelRequested = true
    const head = this.#inFlight[0]
    if (head?.query === q) this.#cancelHead(head)
  }

  /**
   * The server is working on a query that settled early: cancel it, and from now on expect the
   * server to answer within cancelGraceMs (query-deadline.ts). Only for the head: a query still
   * waiting behind a live one is not yet being worked on, and the live one's silence is its own.
   */
  #cancelHead(head: ResponseHandler): void {
    this.#sendCancel(head)
    this.#watchdog.watchSilence()
  }

  #sendCancel(target: ResponseHandler): void {
    if (this.#cancelTarget === target) return
    // A query pipelined behind the target could receive the cancel instead; then let the server
    // finish the target (its result is dropped). Cancellable queries never have one (barrier);
    // only housekeeping batches (Close + Sync) may follow them.
    for (let i = 1; i < this.#inFlight.length; i++) if (this.#inFlight[i]!.query !== undefined) return
    this.#cancelTarget = target
    this.#cancelling++
    this.#io.cancel().finally(() => {
      this.#cancelling--
      this.#pump()
    })
  }

  /** The session dropped every prepared statement (DISCARD ALL, DEALLOCATE ALL): forget them, no Close. */
  forgetStatements(): void {
    this.#extended.forget()
  }

  failAll(error: CovetError): void {
    this.#failed = error
    this.#watchdog.stop()
    this.#copies.clear()
    this.#extended.close()
    // Queries never written cannot have run: the driver may retry them elsewhere (issue 5).
    for (const q of this.#toSend.splice(0)) q.fail(unsent(error))
    for (const h of this.#inFlight.splice(0)) h.query?.fail(error)
  }
}
