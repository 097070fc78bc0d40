import type {
  ConnectionStatementCache,
  PreparedStatementCache,
  StatementEvictionReason,
} from '../cache/statement-cache.js'
import { ConnectionError, InvalidArgumentError, ProtocolError, QueryError } from '../errors/classes.js'
import { CovetError } from '../errors/covet-error.js'
import type { TypeCodecs } from './codecs.js'
import { CopyHandler, type CopyIo, type CopyTransfer } from './copy.js'
import { createPendingQuery, type EnqueueOptions } from './pending-query.js'
import type { TransactionStatus } from './protocol/codes.js'
import {
  type MessageWriter,
  writeBind,
  writeClose,
  writeCopyData,
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
import { privateStatementCache, type StatementMetadata, VerifyingExecuteHandler } from './statement-cache.js'

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
  /** COPY data without copying it into the batch (CopyIo); default: through write() + flush(). */
  writeCopyData?(data: Uint8Array): boolean
  drain?(): Promise<void>
  /** Sends a CancelRequest; resolves when the server has acted on it. */
  cancel(): Promise<void>
  setStatus(status: TransactionStatus): void
  codecs: TypeCodecs
  rowMode: RowMode
  cacheSize: number
  cacheBytes: number
  /**
   * The L2 shared by a pool's connections (covet/cache): a statement one connection described is
   * prepared by the others without a Describe round trip. Default: a private one (L1 only).
   */
  statements?: PreparedStatementCache<StatementMetadata> | undefined
}

const STALE_STATEMENT = new Set(['0A000', '26000'])

export class QueryPipeline {
  readonly #io: PipelineIo
  readonly #toSend: PendingQuery[] = []
  readonly #inFlight: ResponseHandler[] = []
  /** L2 (shared) and this connection's L1: SQL text → named statement (issue 5 migration). */
  readonly #shared: PreparedStatementCache<StatementMetadata>
  #cache: ConnectionStatementCache<StatementMetadata>
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
  /** COPY transfers of queued COPY statements (sent as simple queries). */
  readonly #copies = new Map<PendingQuery, CopyTransfer>()

  readonly #copyIo: CopyIo

  constructor(io: PipelineIo) {
    this.#io = io
    this.#copyIo = {
      write: (write) => io.write(write),
      flush: () => io.flush(),
      writeCopyData:
        io.writeCopyData ??
        ((data) => {
          io.write((w) => writeCopyData(w, data))
          io.flush()
          return false
        }),
      drain: io.drain ?? (() => Promise.resolve()),
    }
    this.#shared = io.statements ?? privateStatementCache(io.cacheSize, io.cacheBytes)
    this.#cache = this.#shared.forConnection(this.#evicted)
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
      if (copy !== undefined) this.#copies.set(q, copy)
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
        this.#copies.delete(q)
        continue
      }
      const copy = this.#copies.get(q)
      if (copy !== undefined) {
        // A COPY is always a barrier: later messages would be read as COPY input (§55.2.6).
        this.#copies.delete(q)
        this.#toSend.shift()
        io.write((w) => writeQuery(w, q.sql))
        this.#inFlight.push(new CopyHandler(q, copy, this.#copyIo, (h) => this.#copyDone(h)))
        this.#barrier = q
        break
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
      const statement = q.prepare ? this.#cache.get(q.sql)?.metadata : q.statement
      const known = statement === undefined && q.prepare ? this.#shared.learned(q.sql) : undefined
      if (known !== undefined) {
        // L2 hit: another connection described this text. Parse it here under a new name with
        // the known parameter types, in the same batch as its execution (no Describe round trip).
        const name = this.#cache.allocateName()
        const st = { ...known, name }
        this.#toSend.shift()
        // Cached only once its Parse is written (a bad parameter value writes nothing).
        if (this.#writeExecute(q, st, true)) this.#cache.set(q.sql, st, name)
        continue
      }
      if (statement === undefined) {
        const name = q.prepare ? this.#cache.allocateName() : ''
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

  /** Writes the execution of `q`; false when it failed before anything was written. */
  #writeExecute(q: PendingQuery, st: PreparedStatement, parseFirst = false): boolean {
    if (q.params.length !== st.paramTypes.length) {
      q.fail(
        new InvalidArgumentError(
          `the statement takes ${st.paramTypes.length} parameters, ${q.params.length} given`,
        ),
      )
      return false
    }
    const values = new Array<Uint8Array | null>(q.params.length)
    try {
      for (let i = 0; i < values.length; i++) {
        const v = q.params[i]
        values[i] = v === null || v === undefined ? null : st.paramCodecs[i]!.encode(v)
      }
    } catch (err) {
      q.fail(err as CovetError)
      return false
    }
    this.#io.write((w) => {
      // The unnamed statement may have been replaced since it was described: parse it again,
      // with the described types, in the same batch (safe behind PgBouncer's transaction mode).
      if (st.name === '' || parseFirst) writeParse(w, st.name, st.sql, st.paramTypes)
      // The Describe lets the handler check that the shared metadata still fits (see below).
      if (parseFirst) writeDescribe(w, 'S', st.name)
      writeBind(w, '', st.name, st.paramFormats, values, st.resultFormats)
      writeExecute(w, '', 0)
      writeSync(w)
    })
    const onDone = (h: ExecuteHandler) => this.#executed(h)
    const onCopyIn = () => this.#copyInRefused(true)
    this.#inFlight.push(
      parseFirst
        ? new VerifyingExecuteHandler(q, st, onDone, onCopyIn)
        : new ExecuteHandler(q, st, onDone, onCopyIn),
    )
    if (q.cancellable) this.#barrier = q
    return true
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
    if (q.prepare) this.#cache.set(q.sql, st, h.name)
    else q.statement = st
  }

  #executed(h: ExecuteHandler): void {
    const q = h.query
    if (h instanceof VerifyingExecuteHandler && h.mismatch) {
      this.#dropStatement(q.sql, h.statement)
      this.#shared.invalidate(q.sql)
      // The server's columns differ from the shared metadata (DDL since another connection
      // described the text). With an error (e.g. Bind's result formats no longer fit) nothing ran;
      // without one the statement ran, and re-running it is invisible only for a read. Either
      // way, only outside a transaction.
      const ran = h.error === undefined
      if (!q.retried && !q.settled && this.#status === 'I' && (!ran || h.tag.startsWith('SELECT'))) {
        q.retried = true
        this.#toSend.unshift(q)
        return
      }
      q.fail(
        h.error !== undefined
          ? this.#error(h.error, q)
          : new QueryError(
              'ERR_TYPE_DECODE',
              `the result columns changed since the statement was described; it ran (${h.tag}) but its rows could not be decoded`,
            ),
      )
      return
    }
    if (h.error === undefined) {
      q.resolve(makeResult(h.rows, h.tag, h.statement.fields))
      return
    }
    // Stale statement (issue 4): the cached plan changed result type (0A000, RevalidateCachedQuery)
    // or the statement vanished (26000, e.g. after DISCARD ALL). Evict it; retry once outside a
    // transaction, where re-running is invisible; inside one the server's error stands.
    if (STALE_STATEMENT.has(h.error.code ?? '') && q.prepare) {
      this.#dropStatement(q.sql, h.statement)
      // Other connections' copies of this text are stale too (epoch invalidation, covet/cache).
      if (h.error.code === '0A000') this.#shared.invalidate(q.sql)
      if (!q.retried && !q.settled && this.#status === 'I') {
        q.retried = true
        this.#toSend.unshift(q)
        return
      }
    }
    q.fail(this.#error(h.error, q))
  }

  #copyDone(h: CopyHandler): void {
    const failure = h.failure()
    if (failure !== undefined) h.query.fail(failure)
    else if (h.error !== undefined) h.query.fail(this.#error(h.error, h.query))
    else h.query.resolve(makeResult([], h.tag, []))
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

  /** Evicts `st` from L1 if it is still the entry for `sql` (the eviction Closes it). */
  #dropStatement(sql: string, st: PreparedStatement): void {
    const entry = this.#cache.get(sql)
    if (entry !== undefined && entry.metadata === st) this.#cache.delete(sql)
  }

  /**
   * Called by L1 for every statement that leaves it: Close it on the server, which would keep
   * it until the session ends. Closing a statement that no longer exists is not an error (§55.7).
   */
  readonly #evicted = (name: string, _sql: string, _reason: StatementEvictionReason): void => {
    if (this.#failed !== undefined) return
    this.#io.write((w) => {
      writeClose(w, 'S', name)
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

  /** The session dropped every prepared statement (DISCARD ALL, DEALLOCATE ALL): forget them, no Close. */
  forgetStatements(): void {
    this.#cache.close()
    this.#cache = this.#shared.forConnection(this.#evicted)
  }

  failAll(error: CovetError): void {
    this.#failed = error
    this.#copies.clear()
    this.#cache.close()
    // Queries never written cannot have run: the driver may retry them elsewhere (issue 5).
    for (const q of this.#toSend.splice(0)) q.fail(unsent(error))
    for (const h of this.#inFlight.splice(0)) h.query?.fail(error)
  }
}

/** Errors of queries the server never received (see failAll). */
const unsentErrors = new WeakSet<CovetError>()

function unsent(error: CovetError): CovetError {
  return neverSent(new ConnectionError(error.code, error.message, { cause: error.cause }))
}

/** Marks `error` as failing a query that was never written (see wasNeverSent). */
export function neverSent(error: CovetError): CovetError {
  unsentErrors.add(error)
  return error
}

/** True when `error` failed a query that was never written to the socket, so it cannot have run. */
export function wasNeverSent(error: unknown): boolean {
  return error instanceof CovetError && unsentErrors.has(error)
}

/** "cannot insert multiple commands into a prepared statement" (42601 from exec_parse_message). */
function isMultiStatement(fields: ServerFields): boolean {
  return fields.code === '42601' && fields.routine === 'exec_parse_message'
}
