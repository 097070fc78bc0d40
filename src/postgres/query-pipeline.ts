import { InvalidArgumentError, ProtocolError } from '../errors/classes.js'
import { CovetError } from '../errors/covet-error.js'
import type { TypeCodecs } from './codecs.js'
import { createPendingQuery, type EnqueueOptions } from './pending-query.js'
import type { TransactionStatus } from './protocol/codes.js'
import {
  type MessageWriter,
  writeBind,
  writeClose,
  writeCopyFail,
  writeDescribe,
  writeExecute,
  writeParse,
  writeQuery,
  writeSync,
} from './protocol/frontend.js'
import type { BackendMessage, ServerFields } from './protocol/messages.js'
import {
  buildStatement,
  DescribeHandler,
  ExecuteHandler,
  IgnoreHandler,
  makeResult,
  type ResponseHandler,
  SimpleHandler,
} from './query-handlers.js'
import type { PendingQuery, PreparedStatement } from './query-types.js'
import type { RowMode } from './row-decoder.js'
import { databaseError } from './server-error.js'
import { StatementCache } from './statement-cache.js'

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
 */
export type { EnqueueOptions } from './pending-query.js'

export interface PipelineIo {
  write(write: (w: MessageWriter) => void): void
  flush(): void
  /** Sends a CancelRequest; resolves when the server has acted on it. */
  cancel(): Promise<void>
  setStatus(status: TransactionStatus): void
  codecs: TypeCodecs
  rowMode: RowMode
  cacheSize: number
  cacheBytes: number
}

const STALE_STATEMENT = new Set(['0A000', '26000'])

export class QueryPipeline {
  readonly #io: PipelineIo
  readonly #toSend: PendingQuery[] = []
  readonly #inFlight: ResponseHandler[] = []
  readonly #cache: StatementCache<PreparedStatement>
  #nextName = 0
  /** The query whose Parse + Describe is in flight; nothing is written behind it meanwhile. */
  #describing: PendingQuery | undefined
  /** While a CancelRequest is outstanding, nothing new is written, so it cannot hit a later query. */
  #cancelling = 0
  #cancelTarget: ResponseHandler | undefined
  /** The cancellable query written last; nothing is written behind it until it completes. */
  #barrier: PendingQuery | undefined
  /** From the latest ReadyForQuery, set before the handler it ends runs. */
  #status: TransactionStatus = 'I'
  #flushScheduled = false
  #failed: CovetError | undefined

  constructor(io: PipelineIo) {
    this.#io = io
    this.#cache = new StatementCache(io.cacheSize, io.cacheBytes)
  }

  get pending(): number {
    return this.#toSend.length + this.#inFlight.length
  }

  enqueue(sql: string, params: readonly unknown[], options: EnqueueOptions): Promise<unknown> {
    if (this.#failed) return Promise.reject(this.#failed)
    return new Promise((resolve, reject) => {
      const q = createPendingQuery(sql, params, options, resolve, reject, (cancelled) =>
        this.#requestCancel(cancelled),
      )
      if (q === undefined) return
      this.#toSend.push(q)
      this.#schedule()
    })
  }

  /** Coalesces all queries made in the same tick into one socket write. */
  #schedule(): void {
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    queueMicrotask(() => {
      this.#flushScheduled = false
      this.#pump()
    })
  }

  #pump(): void {
    const io = this.#io
    while (this.#canWrite()) {
      const q = this.#toSend[0]!
      if (q.settled) {
        this.#toSend.shift()
        continue
      }
      if (q.mode === 'simple') {
        io.write((w) => writeQuery(w, q.sql))
        this.#inFlight.push(
          new SimpleHandler(
            q,
            io.codecs,
            io.rowMode,
            (h) => this.#simpleDone(h),
            () => this.#copyInRefused(false),
          ),
        )
        this.#toSend.shift()
        if (q.cancellable) this.#barrier = q
        continue
      }
      const statement = q.prepare ? this.#cache.get(q.sql) : q.statement
      if (statement === undefined) {
        const name = q.prepare ? `covet_${(this.#nextName++).toString(36)}` : ''
        io.write((w) => {
          writeParse(w, name, q.sql)
          writeDescribe(w, 'S', name)
          writeSync(w)
        })
        this.#inFlight.push(new DescribeHandler(q, name, (h) => this.#described(h)))
        this.#describing = q
        break
      }
      this.#toSend.shift()
      this.#writeExecute(q, statement)
    }
    io.flush()
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

  #writeExecute(q: PendingQuery, st: PreparedStatement): void {
    if (q.params.length !== st.paramTypes.length) {
      q.fail(
        new InvalidArgumentError(
          `the statement takes ${st.paramTypes.length} parameters, ${q.params.length} given`,
        ),
      )
      return
    }
    const values = new Array<Uint8Array | null>(q.params.length)
    try {
      for (let i = 0; i < values.length; i++) {
        const v = q.params[i]
        values[i] = v === null || v === undefined ? null : st.paramCodecs[i]!.encode(v)
      }
    } catch (err) {
      q.fail(err as CovetError)
      return
    }
    this.#io.write((w) => {
      // The unnamed statement may have been replaced since it was described: parse it again,
      // with the described types, in the same batch (safe behind PgBouncer's transaction mode).
      if (st.name === '') writeParse(w, '', st.sql, st.paramTypes)
      writeBind(w, '', st.name, st.paramFormats, values, st.resultFormats)
      writeExecute(w, '', 0)
      writeSync(w)
    })
    this.#inFlight.push(
      new ExecuteHandler(
        q,
        st,
        (h) => this.#executed(h),
        () => this.#copyInRefused(true),
      ),
    )
    if (q.cancellable) this.#barrier = q
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
    if (next?.query?.cancelRequested) this.#sendCancel(next)
    this.#pump()
  }

  #described(h: DescribeHandler): void {
    const q = h.query
    this.#describing = undefined
    if (h.error !== undefined) {
      this.#toSend.shift()
      // A parameterless text with several statements cannot be prepared: run it as a simple query.
      if (isMultiStatement(h.error) && q.params.length === 0) {
        q.mode = 'simple'
        this.#toSend.unshift(q)
      } else q.fail(this.#error(h.error, q))
      return
    }
    const st = buildStatement(h.name, q.sql, h.paramTypes, h.fields, this.#io.codecs, this.#io.rowMode)
    if (q.prepare) {
      for (const old of this.#cache.set(q.sql, st, st.bytes)) this.#closeStatement(old)
    } else q.statement = st
  }

  #executed(h: ExecuteHandler): void {
    const q = h.query
    if (h.error === undefined) {
      q.resolve(makeResult(h.rows, h.tag, h.statement.fields))
      return
    }
    // Stale statement (issue 4): the cached plan changed result type (0A000, RevalidateCachedQuery)
    // or the statement vanished (26000, e.g. after DISCARD ALL). Evict it; retry once outside a
    // transaction, where re-running is invisible; inside one the server's error stands.
    if (STALE_STATEMENT.has(h.error.code ?? '') && q.prepare) {
      if (this.#cache.get(q.sql) === h.statement) this.#cache.delete(q.sql)
      if (h.error.code === '0A000') this.#closeStatement(h.statement)
      if (!q.retried && !q.settled && this.#status === 'I') {
        q.retried = true
        this.#toSend.unshift(q)
        return
      }
    }
    q.fail(this.#error(h.error, q))
  }

  #simpleDone(h: SimpleHandler): void {
    if (h.error !== undefined) h.query.fail(this.#error(h.error, h.query))
    else h.query.resolve(makeResult(h.rows, h.tag, h.fields))
  }

  /**
   * COPY FROM STDIN through query(): answer CopyFail so the server leaves COPY mode (§55.2.6).
   * The server ignores Sync during copy-in, so an extended-protocol COPY needs a second Sync. A
   * batch already written behind the COPY was read as bad COPY input and is lost: the stream can
   * no longer be matched to the queries, so the connection is closed instead.
   */
  #copyInRefused(extended: boolean): void {
    if (this.#inFlight.length > 1) {
      throw new CovetError(
        'ERR_UNSUPPORTED',
        'COPY FROM STDIN through query() with other queries pipelined behind it',
      )
    }
    this.#io.write((w) => {
      writeCopyFail(w, 'COPY FROM STDIN is not supported by query()')
      if (extended) writeSync(w)
    })
    this.#io.flush()
  }

  #closeStatement(st: PreparedStatement): void {
    if (st.name === '') return
    this.#io.write((w) => {
      writeClose(w, 'S', st.name)
      writeSync(w)
    })
    this.#inFlight.push(new IgnoreHandler())
  }

  /** A DatabaseError whose stack is the caller's (DESIGN §4), not the socket callback's. */
  #error(fields: ServerFields, q: PendingQuery): CovetError {
    const error = databaseError(fields)
    const site = q.callSite?.stack
    if (site !== undefined) error.stack = `${error.name}: ${error.message}${site.slice(site.indexOf('\n'))}`
    return error
  }

  #requestCancel(q: PendingQuery): void {
    q.cancelRequested = true
    const head = this.#inFlight[0]
    if (head?.query === q) this.#sendCancel(head)
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

  failAll(error: CovetError): void {
    this.#failed = error
    for (const q of this.#toSend.splice(0)) q.fail(error)
    for (const h of this.#inFlight.splice(0)) h.query?.fail(error)
  }
}

/** "cannot insert multiple commands into a prepared statement" (42601 from exec_parse_message). */
function isMultiStatement(fields: ServerFields): boolean {
  return fields.code === '42601' && fields.routine === 'exec_parse_message'
}
