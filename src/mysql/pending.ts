import { InvalidArgumentError, QueryError } from '../errors/classes.js'
import type { CovetError } from '../errors/covet-error.js'
import type { RowDecoder } from './types/row-decoder.js'

/** Where LOAD DATA LOCAL INFILE data comes from: chunks the caller gives, never a file the server names. */
export type InfileSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>

/** What the pipeline does for one call. */
export type CommandKind = 'query' | 'execute' | 'fetch' | 'ping' | 'reset' | 'prepare' | 'packet'

export interface CommandOptions {
  signal: AbortSignal | undefined
  timeoutMs: number | undefined
  maxResultBytes: number
  /** execute: keep the prepared statement in the connection's cache. */
  cache: boolean
  /** execute: open a read-only cursor (COM_STMT_EXECUTE flags) instead of sending the rows. */
  cursor: boolean
  /** Streamed: rows go here as they arrive instead of into the result array. */
  sink: { push(row: unknown): void } | undefined
  /** query: the data for a LOAD DATA LOCAL INFILE statement. */
  infile: InfileSource | undefined
  /** fetch: the cursor's statement id, the rows to ask for, and its row decoder. */
  fetch: { statementId: number; rows: number; decoder: RowDecoder } | undefined
  /** Captured with Error.captureStackTrace by stream(); formatted only if the command fails. */
  callSite: { stack?: string } | undefined
  /** packet: a command its caller framed (bulkInsert's batches), written as it is. */
  packet: Buffer | undefined
}

/**
 * The pipeline's record of one command: settles once; a signal or timeout rejects it and asks for
 * a KILL QUERY. A class with prototype methods, not an object of closures: a command is made for
 * every query, and closures per command were the largest client cost of a point select.
 */
export class PendingCommand {
  readonly signal: AbortSignal | undefined
  readonly timeoutMs: number | undefined
  readonly maxResultBytes: number
  readonly cache: boolean
  readonly cursor: boolean
  readonly sink: CommandOptions['sink']
  readonly infile: InfileSource | undefined
  readonly fetch: CommandOptions['fetch']
  readonly callSite: CommandOptions['callSite']
  readonly packet: Buffer | undefined
  /** Has a signal or timeout: nothing is pipelined behind it, so its KILL QUERY cannot hit another statement. */
  readonly cancellable: boolean
  retried = false
  settled = false
  /** Set once the server should stop working on it (abort, timeout, result too large). */
  cancelRequested = false
  #timer: NodeJS.Timeout | undefined
  #onAbort: (() => void) | undefined

  constructor(
    readonly kind: CommandKind,
    readonly sql: string,
    readonly params: readonly unknown[],
    options: Partial<CommandOptions>,
    private readonly settle: (error: unknown, value: unknown) => void,
    private readonly requestCancel: (c: PendingCommand) => void,
  ) {
    this.signal = options.signal
    this.timeoutMs = options.timeoutMs
    this.maxResultBytes = options.maxResultBytes ?? Number.POSITIVE_INFINITY
    this.cache = options.cache ?? true
    this.cursor = options.cursor ?? false
    this.sink = options.sink
    this.infile = options.infile
    this.fetch = options.fetch
    this.callSite = options.callSite
    this.packet = options.packet
    this.cancellable = this.signal !== undefined || this.timeoutMs !== undefined
  }

  /** Wires the signal and the timeout; false when the command settled at once (aborted, bad timeout). */
  start(): boolean {
    const { signal, timeoutMs } = this
    if (signal?.aborted) {
      this.#aborted()
      return false
    }
    if (timeoutMs !== undefined && !(timeoutMs > 0 && timeoutMs < 2 ** 31)) {
      this.fail(new InvalidArgumentError('timeoutMs must be a positive number of ms below 2^31'))
      return false
    }
    if (signal !== undefined) {
      this.#onAbort = () => this.#aborted()
      signal.addEventListener('abort', this.#onAbort, { once: true })
    }
    if (timeoutMs !== undefined) {
      this.#timer = setTimeout(() => {
        this.fail(new QueryError('ERR_QUERY_TIMEOUT', `the query took longer than ${timeoutMs} ms`), true)
      }, timeoutMs)
    }
    return true
  }

  resolve(value: unknown): void {
    if (this.settled) return
    this.settled = true
    this.#cleanup()
    this.settle(undefined, value)
  }

  /** Settles with `error`; `cancel` asks the connection to KILL QUERY if it is running. */
  fail(error: CovetError, cancel = false): void {
    if (this.settled) return
    this.settled = true
    this.#cleanup()
    this.settle(error, undefined)
    if (cancel) this.requestCancel(this)
  }

  #aborted(): void {
    const cause = this.signal?.reason
    this.fail(
      new QueryError('ERR_QUERY_CANCELLED', 'the query was cancelled by its AbortSignal', { cause }),
      true,
    )
  }

  #cleanup(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    if (this.#onAbort !== undefined) this.signal?.removeEventListener('abort', this.#onAbort)
  }
}
