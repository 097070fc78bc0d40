import { InvalidArgumentError } from '../errors/classes.js'
import type { CovetError } from '../errors/covet-error.js'
import type { ByteWriter } from '../internal/byte-writer.js'
import { type DecodeContext, makeResult, OkHandler, PrepareHandler, RowsHandler } from './handlers.js'
import { type InfileIo, refuseOrSendInfile } from './infile.js'
import type { PendingCommand } from './pending.js'
import {
  writePing,
  writePrepare,
  writeQuery,
  writeResetConnection,
  writeStmtClose,
  writeStmtExecute,
  writeStmtFetch,
} from './protocol/commands.js'
import { CursorType, LAST_PREPARED_STATEMENT, ServerStatus } from './protocol/constants.js'
import type { ErrPacket } from './protocol/messages.js'
import type { ResponseHandler, ResponseKind } from './protocol/response-reader.js'
import { queryError } from './server-error.js'
import { StatementStore } from './statement-store.js'
import type { PreparedStatement } from './statements.js'

/**
 * What each command puts on the wire and how its answer settles it; the order in which commands
 * go, and when they must wait, is the pipeline's (pipeline.ts). For `execute()`: a statement in
 * the cache is executed at once; on a miss the pipeline holds everything behind the PREPARE until
 * it is answered — or, with pipelinePrepare on MariaDB 10.2+, COM_STMT_PREPARE and
 * COM_STMT_EXECUTE with statement id -1 go in one flight when the parameter count is sure (L2
 * metadata or an unambiguous placeholder scan). Off by default: see #ranAnotherStatement.
 */

/** The pipeline's side, as the writer needs it. */
export interface QueueControl {
  /** Adds the reader of a written command's answer to the FIFO. */
  expect(kind: ResponseKind, handler: ResponseHandler, c: PendingCommand, done: () => void): void
  /** The command at the head of the queue has been written: take it off. */
  written(): void
  /** Puts `c` back at the head of the queue (a retry). */
  retry(c: PendingCommand): void
  /** Nothing is written behind `c` until it completes. */
  barrier(c: PendingCommand): void
  /** Nothing is written behind `c` until its PREPARE is answered; undefined lifts the hold. */
  hold(c: PendingCommand | undefined): void
  /** Flushes what was written outside a pump (COM_STMT_CLOSE) soon. */
  schedule(): void
  /** Nothing but `c` is in flight or queued. */
  alone(c: PendingCommand): boolean
  readonly failed: boolean
}

export interface WriterIo {
  readonly writer: ByteWriter
  readonly decode: DecodeContext
  /** PREPARE + EXECUTE(-1) in one flight: MariaDB 10.2+ and the pipelinePrepare option (docs/mysql.md). */
  pipelinePrepare: boolean
  readonly infile: InfileIo
  /** Writes what `writer` holds, then `packet` (a command its caller framed) without copying it. */
  sendFramed(packet: Buffer): void
}

/** Stands in for an ERR the reader never reported (it always reports one before a failed PREPARE ends). */
const NO_ANSWER: ErrPacket = { errno: 0, sqlState: undefined, message: 'PREPARE failed' }
const ER_UNKNOWN_STMT_HANDLER = 1243
const ER_NEED_REPREPARE = 1615
const ER_MAX_PREPARED_STMT_COUNT_REACHED = 1461

export class CommandWriter {
  readonly statements: StatementStore
  /** Server status of the latest OK: SERVER_STATUS_IN_TRANS decides whether a retry is safe. */
  status = 0

  constructor(
    private readonly io: WriterIo,
    private readonly q: QueueControl,
  ) {
    this.statements = new StatementStore((id) => this.closeStatement(id), io.decode)
  }

  /** Closes a statement this connection no longer needs (no answer comes). */
  closeStatement(id: number): void {
    if (this.q.failed) return
    writeStmtClose(this.io.writer, id)
    this.q.schedule()
  }

  /** Writes `c`, the head of the queue; false when nothing may be written behind it for now. */
  write(c: PendingCommand): boolean {
    const w = this.io.writer
    switch (c.kind) {
      case 'execute':
        return this.#writeExecution(c)
      case 'query': {
        writeQuery(w, c.sql)
        const h = new RowsHandler(c, 'text', this.io.decode, undefined, (_, name) => this.#onInfile(c, name))
        this.q.expect('query', h, c, () => this.#rowsDone(h))
        // The server reads a LOCAL INFILE's data from the socket: nothing may follow it.
        if (c.infile !== undefined) this.q.barrier(c)
        break
      }
      case 'prepare': {
        // bulkInsert's statements: kept by their caller, outside the cache.
        writePrepare(w, c.sql)
        const h = new PrepareHandler(c)
        this.q.expect('prepare', h, c, () => this.#preparedForCaller(c, h))
        break
      }
      case 'packet': {
        this.io.sendFramed(c.packet!)
        const h = new RowsHandler(c, 'binary', this.io.decode, undefined)
        this.q.expect('execute', h, c, () => this.#rowsDone(h))
        break
      }
      case 'fetch': {
        writeStmtFetch(w, c.fetch!.statementId, c.fetch!.rows)
        const h = new RowsHandler(c, 'binary', this.io.decode, undefined)
        this.q.expect('fetch', h, c, () => this.#rowsDone(h))
        break
      }
      default: {
        if (c.kind === 'ping') writePing(w)
        else writeResetConnection(w)
        const h = new OkHandler(c)
        this.q.expect('ok', h, c, () => {
          if (h.ok !== undefined) this.status = h.ok.status
          if (h.error !== undefined) c.fail(this.#error(h.error, c))
          else {
            if (c.kind === 'reset') this.statements.forget()
            c.resolve(h.ok)
          }
        })
      }
    }
    this.q.written()
    if (c.cancellable) this.q.barrier(c)
    return true
  }

  #writeExecution(c: PendingCommand): boolean {
    const st = this.statements.lookup(c)
    if (st !== undefined) {
      this.q.written()
      this.#writeExecute(c, st, st.id)
      return true
    }
    const count = this.statements.sureParamCount(c)
    writePrepare(this.io.writer, c.sql)
    const prepare = new PrepareHandler(c)
    if (this.io.pipelinePrepare && count === c.params.length) {
      this.q.written()
      let exec: RowsHandler | undefined
      this.q.expect('prepare', prepare, c, () => this.#preparedAhead(c, prepare, exec))
      exec = this.#writeExecute(c, undefined, LAST_PREPARED_STATEMENT)
      return true
    }
    this.q.hold(c)
    this.q.expect('prepare', prepare, c, () => this.#preparedFirst(c, prepare))
    return false
  }

  /** Writes COM_STMT_EXECUTE; `st` undefined when it follows its PREPARE in the same flight. */
  #writeExecute(c: PendingCommand, st: PreparedStatement | undefined, id: number): RowsHandler | undefined {
    if (st !== undefined && c.params.length !== st.paramCount) {
      c.fail(countMismatch(st, c))
      return undefined
    }
    try {
      const cursor = c.cursor ? CursorType.READ_ONLY : CursorType.NO_CURSOR
      writeStmtExecute(this.io.writer, id, cursor, c.params, this.io.decode.types.tzOffsetMs)
    } catch (err) {
      c.fail(err as CovetError)
      return undefined
    }
    const h = new RowsHandler(c, 'binary', this.io.decode, st)
    this.q.expect('execute', h, c, () => this.#rowsDone(h))
    if (c.cancellable) this.q.barrier(c)
    return h
  }

  /** PREPARE answered, its EXECUTE(-1) already sent behind it. */
  #preparedAhead(c: PendingCommand, prepare: PrepareHandler, exec: RowsHandler | undefined): void {
    if (prepare.prepared === undefined) {
      // The PREPARE's error is the one to report; the EXECUTE(-1) behind it answers for nothing.
      if (exec !== undefined) exec.orphaned = true
      if (prepare.error?.errno === ER_MAX_PREPARED_STMT_COUNT_REACHED) this.statements.shrink()
      c.fail(this.#error(prepare.error ?? NO_ANSWER, c))
      return
    }
    const st = this.statements.keep(c, prepare.prepared.ok, prepare.prepared.columns)
    if (exec !== undefined) exec.statement = st
    else this.closeStatement(st.id) // the EXECUTE was never written (a bad parameter value)
  }

  /** PREPARE answered with the queue held behind it: keep the statement; the execute goes next. */
  #preparedFirst(c: PendingCommand, prepare: PrepareHandler): void {
    this.q.hold(undefined)
    if (prepare.prepared === undefined) {
      this.q.written()
      const shrunk = prepare.error?.errno === ER_MAX_PREPARED_STMT_COUNT_REACHED && this.statements.shrink()
      if (shrunk && !c.retried) {
        c.retried = true
        this.q.retry(c)
        return
      }
      c.fail(this.#error(prepare.error ?? NO_ANSWER, c))
      return
    }
    const st = this.statements.keep(c, prepare.prepared.ok, prepare.prepared.columns)
    if (st.paramCount !== c.params.length) {
      this.q.written()
      if (!c.cache) this.closeStatement(st.id)
      c.fail(countMismatch(st, c))
    }
  }

  /** A 'prepare' command resolves with PREPARE_OK; the statement is its caller's to close. */
  #preparedForCaller(c: PendingCommand, h: PrepareHandler): void {
    if (h.prepared !== undefined) {
      c.resolve(h.prepared.ok)
      return
    }
    if (h.error?.errno === ER_MAX_PREPARED_STMT_COUNT_REACHED && !c.retried && this.statements.shrink()) {
      c.retried = true
      this.q.retry(c)
      return
    }
    c.fail(this.#error(h.error ?? NO_ANSWER, c))
  }

  #rowsDone(h: RowsHandler): void {
    const c = h.command!
    if (h.ok !== undefined) this.status = h.ok.status
    if (h.orphaned) {
      if (h.error?.errno !== ER_UNKNOWN_STMT_HANDLER) this.#ranAnotherStatement(c)
      return
    }
    if (h.error !== undefined) {
      if (c.kind === 'execute' && c.cache && this.#retryStale(c, h.error)) return
      c.fail(this.#error(h.error, c))
      return
    }
    const set = h.lastSet
    const result = set === undefined ? makeResult([], h.ok, []) : makeResult(set.rows, h.ok, set.fields)
    if (c.cursor) {
      c.resolve({ opened: h.cursorOpened, statement: h.statement, result })
      return
    }
    if (c.kind === 'execute' && !c.cache && h.statement !== undefined) this.closeStatement(h.statement.id)
    c.resolve(c.kind === 'fetch' ? h.ok : result)
  }

  /** The statement vanished or must be re-prepared: drop it and retry once, outside a transaction. */
  #retryStale(c: PendingCommand, error: ErrPacket): boolean {
    if (error.errno !== ER_NEED_REPREPARE && error.errno !== ER_UNKNOWN_STMT_HANDLER) return false
    this.statements.dropStale(c.sql)
    if (c.retried || c.settled || this.status & ServerStatus.IN_TRANS) return false
    c.retried = true
    this.q.retry(c)
    return true
  }

  /**
   * MariaDB ran the statement prepared before in place of an EXECUTE(-1) whose PREPARE failed
   * (seen after ER_MAX_PREPARED_STMT_COUNT_REACHED): that statement ran with this call's
   * parameters. Say so loudly, and stop pipelining PREPARE on this connection.
   */
  #ranAnotherStatement(c: PendingCommand): void {
    this.io.pipelinePrepare = false
    process.emitWarning(
      'covet: MariaDB executed the previously prepared statement for a pipelined EXECUTE whose PREPARE failed; ' +
        'PREPARE pipelining is now off on this connection (see pipelinePrepare in docs/mysql.md)',
      { type: 'CovetWarning', detail: `the failed statement: ${c.sql.slice(0, 200)}` },
    )
  }

  #onInfile(c: PendingCommand, filename: string): void {
    refuseOrSendInfile({ ...this.io.infile, source: c.infile, alone: this.q.alone(c), filename, command: c })
  }

  /** A DatabaseError whose stack is the caller's (DESIGN §4), not the socket callback's. */
  #error(error: ErrPacket, c: PendingCommand): CovetError {
    const e = queryError(error)
    const site = c.callSite?.stack
    if (site !== undefined) e.stack = `${e.name}: ${e.message}${site.slice(site.indexOf('\n'))}`
    return e
  }
}

function countMismatch(st: PreparedStatement, c: PendingCommand): InvalidArgumentError {
  return new InvalidArgumentError(`the statement takes ${st.paramCount} parameters, ${c.params.length} given`)
}
