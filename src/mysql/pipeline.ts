import type { PreparedStatementCache } from '../cache/statement-cache.js'
import { ProtocolError } from '../errors/classes.js'
import type { CovetError } from '../errors/covet-error.js'
import { oncePerTick } from '../internal/once-per-tick.js'
import { unsent } from '../internal/unsent.js'
import { CommandWriter, type QueueControl, type WriterIo } from './command-writer.js'
import { type CommandKind, type CommandOptions, PendingCommand } from './pending.js'
import { ServerStatus } from './protocol/constants.js'
import { ERR_HEADER, type ErrPacket, parseErr } from './protocol/messages.js'
import {
  type ResponseContext,
  type ResponseHandler,
  type ResponseKind,
  ResponseReader,
} from './protocol/response-reader.js'
import type { PreparedStatement } from './statements.js'

// Public through src/mysql/index.ts (wasNeverSent), and used by connection.ts (neverSent).
export { neverSent, wasNeverSent } from '../internal/unsent.js'

/**
 * The command queue of one connection. MySQL answers commands strictly in order, so commands are
 * written as soon as they are made (pipelining: one socket write per tick, however many commands)
 * and their answers are read by a FIFO of readers; what each command writes is command-writer.ts.
 * Unlike PostgreSQL there is no Sync: an error fails only its own command, the ones behind run.
 *
 * - A cancellable command (signal, timeoutMs) is a barrier: nothing is written behind it, and
 *   nothing new while a KILL QUERY is outstanding, so a KILL can only hit the statement it targets.
 * - A LOCAL INFILE statement is a barrier too, and so is a PREPARE whose EXECUTE must wait for it.
 */

export interface PipelineIo extends WriterIo {
  flush(): void
  /** KILL QUERY for this connection from a side connection; resolves when the server has acted. */
  kill(): Promise<void>
  readonly context: ResponseContext
}

interface InFlight {
  reader: ResponseReader
  command: PendingCommand
  done(): void
}

export class Pipeline {
  readonly #io: PipelineIo
  readonly #toSend: PendingCommand[] = []
  readonly #inFlight: InFlight[] = []
  readonly #writer: CommandWriter
  /** A command whose PREPARE answer must come before anything is written behind it. */
  #held: PendingCommand | undefined
  #barrier: PendingCommand | undefined
  #cancelling = 0
  #cancelTarget: InFlight | undefined
  /** One write per tick: every command made in it goes out in one socket write. */
  readonly #schedule = oncePerTick(() => this.#pump())
  #failed: CovetError | undefined

  constructor(io: PipelineIo) {
    this.#io = io
    const failed = () => this.#failed !== undefined
    const control: QueueControl = {
      expect: (kind, handler, c, done) => this.#expect(kind, handler, c, done),
      written: () => this.#toSend.shift(),
      retry: (c) => this.#toSend.unshift(c),
      barrier: (c) => {
        this.#barrier = c
      },
      hold: (c) => {
        this.#held = c
      },
      schedule: () => this.#schedule(),
      alone: (c) => this.#inFlight.length === 1 && this.#toSend.every((q) => q.settled || q === c),
      get failed() {
        return failed()
      },
    }
    this.#writer = new CommandWriter(io, control)
  }

  /** Installs the statement cache (after the connection learned max_prepared_stmt_count). */
  useStatements(shared: PreparedStatementCache<PreparedStatement>): void {
    this.#writer.statements.use(shared)
  }

  /** Server status flags of the latest OK. */
  get status(): number {
    return this.#writer.status
  }

  get inTransaction(): boolean {
    return (this.#writer.status & ServerStatus.IN_TRANS) !== 0
  }

  get pending(): number {
    return this.#toSend.length + this.#inFlight.length
  }

  enqueue(
    kind: CommandKind,
    sql: string,
    params: readonly unknown[],
    options: Partial<CommandOptions>,
  ): Promise<unknown> {
    if (this.#failed) return Promise.reject(this.#failed)
    return new Promise((resolve, reject) => {
      const settle = (error: unknown, value: unknown) =>
        error === undefined ? resolve(value) : reject(error)
      const c = new PendingCommand(kind, sql, params, options, settle, this.#requestCancel)
      if (!c.start()) return
      this.#toSend.push(c)
      this.#schedule()
    })
  }

  /** Closes a statement this connection no longer needs (a cursor's, when its stream ends). */
  closeStatement(id: number): void {
    this.#writer.closeStatement(id)
  }

  #pump(): void {
    while (
      this.#toSend.length > 0 &&
      this.#held === undefined &&
      this.#barrier === undefined &&
      this.#cancelling === 0 &&
      this.#cancelTarget === undefined &&
      this.#failed === undefined
    ) {
      const c = this.#toSend[0]!
      if (c.settled) this.#toSend.shift()
      else if (!this.#writer.write(c)) break
    }
    this.#io.flush()
  }

  #expect(kind: ResponseKind, handler: ResponseHandler, c: PendingCommand, done: () => void): void {
    this.#inFlight.push({ reader: new ResponseReader(kind, this.#io.context, handler), command: c, done })
  }

  /** Feeds one payload to the command at the head; returns an unsolicited ERR for the connection to report. */
  dispatch(payload: Buffer): ErrPacket | undefined {
    const head = this.#inFlight[0]
    if (head === undefined) {
      if (payload[0] === ERR_HEADER) return parseErr(payload)
      throw new ProtocolError(`unexpected packet 0x${payload[0]?.toString(16)} with no command in flight`)
    }
    if (!head.reader.push(payload)) return undefined
    this.#inFlight.shift()
    if (this.#cancelTarget === head) this.#cancelTarget = undefined
    head.done()
    // A command may have two answers (PREPARE, then EXECUTE -1): its barrier lifts after the last.
    if (head.command === this.#barrier && this.#inFlight[0]?.command !== head.command)
      this.#barrier = undefined
    const next = this.#inFlight[0]
    if (next?.command.cancelRequested) this.#sendKill(next)
    this.#pump()
    return undefined
  }

  readonly #requestCancel = (c: PendingCommand): void => {
    c.cancelRequested = true
    const head = this.#inFlight[0]
    if (head?.command === c) this.#sendKill(head)
  }

  #sendKill(target: InFlight): void {
    if (this.#cancelTarget === target) return
    // A statement behind the target could be the one killed; then let the target finish instead.
    for (let i = 1; i < this.#inFlight.length; i++) if (this.#inFlight[i]!.command !== target.command) return
    this.#cancelTarget = target
    this.#cancelling++
    this.#io.kill().finally(() => {
      this.#cancelling--
      this.#pump()
    })
  }

  failAll(error: CovetError): void {
    this.#failed = error
    this.#writer.statements.end()
    // Commands never written cannot have run: a driver may retry them elsewhere.
    for (const c of this.#toSend.splice(0)) c.fail(unsent(error))
    for (const f of this.#inFlight.splice(0)) f.command.fail(error)
  }
}
