import { channel } from 'node:diagnostics_channel'
import type { Socket } from 'node:net'
import type { PreparedStatementCache } from '../cache/statement-cache.js'
import { AuthenticationError, ConnectionError, InvalidArgumentError } from '../errors/classes.js'
import { CovetError, isCovetError } from '../errors/covet-error.js'
import { DatabaseError } from '../errors/database-error.js'
import { RowStream } from '../internal/row-stream.js'
import { neverSent } from '../internal/unsent.js'
import { sendCancelRequest } from './cancel.js'
import { type TypeCodecs, textCodecs } from './codecs.js'
import { type PasswordSource, type PgConfig, resolvePg } from './config.js'
import { describe, openSocket } from './connect-socket.js'
import {
  callHandler,
  DEFAULT_CANCEL_GRACE_MS,
  DEFAULT_KEEPALIVE_DELAY_MS,
  DEFAULT_QUERY_TIMEOUT_MS,
  type Notice,
  type PgConnectionSettings,
  type QueryOptions,
  type StreamOptions,
  validateSettings,
} from './connection-options.js'
import { type CopySource, type CopyTransfer, drained, writeCopyFrame } from './copy.js'
import { SessionTracker } from './driver/session-state.js'
import { connectToSomeHost } from './host-selection.js'
import { BackendParser } from './protocol/backend.js'
import type { TransactionStatus } from './protocol/codes.js'
import { type MessageWriter, writeTerminate } from './protocol/frontend.js'
import { MessageBuffer } from './protocol/message-buffer.js'
import type { BackendMessage, ServerFields } from './protocol/messages.js'
import type { QueryResult } from './query-handlers.js'
import { QueryPipeline } from './query-pipeline.js'
import { databaseError, databaseErrorFields } from './server-error.js'
import type { StatementMetadata } from './statement-cache.js'
import { typeCodecsFrom } from './types/registry.js'

/** What a pool's connections share (PostgresDriver passes it): the L2 statement cache. */
export interface SharedState {
  statements?: PreparedStatementCache<StatementMetadata>
}

export interface CopyOptions {
  signal?: AbortSignal
  timeoutMs?: number
}

export type {
  Notice,
  Notification,
  PgConnectionSettings,
  QueryOptions,
  StreamOptions,
} from './connection-options.js'

import { startup } from './startup.js'

const noticeChannel = channel('covet:postgres:notice')

/**
 * One PostgreSQL session (issue 4): socket/TLS, start-up and authentication, then queries over the
 * simple and extended protocols with implicit prepared statements and pipelining.
 */
export class PgConnection {
  readonly config: PgConfig
  /** Run-time parameters the server reported (ParameterStatus), e.g. server_version. */
  readonly parameters = new Map<string, string>()
  processId = 0
  #secretKey: Buffer = Buffer.alloc(0)
  #status: TransactionStatus = 'I'
  #socket: Socket | undefined
  #tls = false
  #parser: BackendParser
  readonly #out = new MessageBuffer()
  #closed = false
  #closeError: CovetError | undefined
  #pipeline: QueryPipeline | undefined
  /** During start-up, messages go to this waiting reader instead of the pipeline. */
  #inbox: BackendMessage[] = []
  #waiter: { resolve: (m: BackendMessage) => void; reject: (e: unknown) => void } | undefined
  readonly #settings: PgConnectionSettings
  /** Never in `config` (issue 14): that is public, and reaches inspect, JSON and diagnostics. */
  readonly #password: PasswordSource | undefined
  readonly #closeListeners: ((error: CovetError) => void)[] = []
  /** Session state changed by the statements run (for the driver's reset, issue 5). */
  readonly session = new SessionTracker()

  readonly #shared: SharedState

  private constructor(
    settings: PgConnectionSettings,
    config: PgConfig,
    shared: SharedState,
    password: PasswordSource | undefined,
  ) {
    this.#settings = settings
    this.#password = password
    this.#shared = shared
    this.config = config
    this.#parser = new BackendParser(
      settings.maxMessageBytes === undefined ? {} : { maxMessageBytes: settings.maxMessageBytes },
    )
  }

  /** Opens a connection: `postgres://` URL or options, with `PG*` environment defaults. */
  static async connect(
    input: string | PgConnectionSettings,
    shared: SharedState = {},
  ): Promise<PgConnection> {
    const settings: PgConnectionSettings = typeof input === 'string' ? {} : input
    const { config, password } = resolvePg(input)
    validateSettings(settings)
    return connectToSomeHost(config, (target) => PgConnection.#connectTo(settings, target, shared, password))
  }

  static async #connectTo(
    settings: PgConnectionSettings,
    config: PgConfig,
    shared: SharedState,
    password: PasswordSource | undefined,
  ): Promise<PgConnection> {
    const mode = config.sslmode
    const first = new PgConnection(settings, config, shared, password)
    try {
      // libpq ignores sslmode on Unix sockets: the server never offers TLS there.
      await first.#open(mode !== 'disable' && mode !== 'allow' && !config.host.startsWith('/'))
      return first
    } catch (err) {
      // sslmode=allow: try without TLS first, then with it if the server insists (libpq).
      if (mode !== 'allow' || !(err instanceof AuthenticationError || err instanceof DatabaseError)) throw err
      const second = new PgConnection(settings, config, shared, password)
      await second.#open(true)
      return second
    }
  }

  /** 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block (ReadyForQuery). */
  get transactionStatus(): TransactionStatus {
    return this.#status
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Queries written or waiting to be written. */
  get pendingQueries(): number {
    return this.#pipeline?.pending ?? 0
  }

  async #open(tls: boolean): Promise<void> {
    const config = this.config
    const s = this.#settings
    let timer: NodeJS.Timeout | undefined
    // The connect timeout aborts the socket being opened too: it must not outlive the attempt.
    const attempt = new AbortController()
    const work = (async () => {
      const opened = await openSocket(config, tls, {
        signal: attempt.signal,
        keepAliveMs:
          s.keepAlive === false ? undefined : (s.keepAliveInitialDelayMs ?? DEFAULT_KEEPALIVE_DELAY_MS),
      })
      this.#socket = opened.socket
      this.#tls = opened.serverCertificate !== undefined
      if (this.#closed) {
        opened.socket.destroy()
        throw this.#closeError
      }
      this.#attach(opened.socket)
      const result = await startup(
        {
          send: (write) => this.#send(write),
          next: () => this.#nextStartupMessage(),
          onNotice: (fields) => this.#notice(fields),
        },
        config,
        { password: this.#password, serverCertificate: opened.serverCertificate },
      )
      for (const [k, v] of result.parameters) this.parameters.set(k, v)
      this.processId = result.processId
      this.#secretKey = result.secretKey
      this.#status = result.status
    })()
    const deadline =
      config.connectTimeoutMs > 0
        ? new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              const error = new ConnectionError(
                'ERR_CONNECT_TIMEOUT',
                `connecting to ${describe(config)} timed out`,
              )
              attempt.abort()
              this.#destroy(error)
              reject(error)
            }, config.connectTimeoutMs)
          })
        : undefined
    try {
      await (deadline === undefined ? work : Promise.race([work, deadline]))
    } catch (err) {
      this.#destroy(err as CovetError)
      work.catch(() => {})
      throw err
    } finally {
      clearTimeout(timer)
    }
    const graceMs = s.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS
    const pipeline = new QueryPipeline({
      // The pipeline encodes a batch, then flushes once: one socket write per batch.
      write: (write) => write(this.#out),
      flush: () => this.#flush(),
      cancel: () => sendCancelRequest(config, this.#tls, this.processId, this.#secretKey, graceMs),
      setStatus: (status) => {
        this.#status = status
      },
      destroy: (error) => this.#destroy(error),
      received: () => this.#socket?.bytesRead ?? 0,
      queryTimeoutMs: s.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      cancelGraceMs: graceMs,
      writeCopyData: (data) => {
        if (this.#closed || this.#socket === undefined) return false
        this.#flush()
        return writeCopyFrame(this.#socket, data)
      },
      drain: () => (this.#closed || this.#socket === undefined ? Promise.resolve() : drained(this.#socket)),
      codecs: typeCodecsFrom(s.types),
      rowMode: s.rowMode ?? 'object',
      cacheSize: s.statementCacheSize ?? 256,
      cacheBytes: s.statementCacheBytes ?? 4 * 1024 * 1024,
      statements: this.#shared.statements,
    })
    this.#pipeline = pipeline
    // maxResultBytes bounds one huge row too: refused at its header, never buffered (issue 14).
    this.#parser.refuseDataRow = (byteLength) => pipeline.refuseRow(byteLength)
    for (const msg of this.#inbox.splice(0)) this.#dispatch(msg)
  }

  #attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      const parser = this.#parser
      parser.feed(chunk)
      try {
        for (let msg = parser.read(); msg !== undefined; msg = parser.read()) this.#dispatch(msg)
      } catch (err) {
        this.#destroy(
          isCovetError(err)
            ? err
            : new CovetError('ERR_INTERNAL', 'failed to process a server message', { cause: err }),
        )
      }
    })
    socket.on('error', (cause) => {
      this.#destroy(
        new ConnectionError('ERR_CONNECTION_CLOSED', `connection to ${describe(this.config)} failed`, {
          cause,
        }),
      )
    })
    socket.on('close', () => {
      this.#destroy(new ConnectionError('ERR_CONNECTION_CLOSED', 'the server closed the connection'))
    })
  }

  #nextStartupMessage(): Promise<BackendMessage> {
    const msg = this.#inbox.shift()
    if (msg !== undefined) return Promise.resolve(msg)
    if (this.#closed) return Promise.reject(this.#closeError)
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject }
    })
  }

  #dispatch(msg: BackendMessage): void {
    switch (msg.type) {
      case 'CommandComplete':
        if (this.session.observe(msg.tag)) this.#pipeline?.forgetStatements()
        break
      case 'NoticeResponse':
        this.#notice(msg.fields)
        return
      case 'ParameterStatus':
        this.parameters.set(msg.name, msg.value)
        return
      case 'NotificationResponse':
        callHandler(this.#settings.onNotification, {
          processId: msg.processId,
          channel: msg.channel,
          payload: msg.payload,
        })
        return
      case 'ErrorResponse': {
        const severity = msg.fields.severity ?? msg.fields.severityLocalized
        if (this.#pipeline !== undefined && (severity === 'FATAL' || severity === 'PANIC')) {
          // The backend is exiting (e.g. pg_terminate_backend, 57P01): every pending query fails.
          this.#destroy(
            new ConnectionError(
              'ERR_CONNECTION_CLOSED',
              `the server ended the session: ${msg.fields.message}`,
              {
                cause: databaseError(msg.fields),
              },
            ),
          )
          return
        }
      }
    }
    if (this.#pipeline === undefined) {
      const waiter = this.#waiter
      this.#waiter = undefined
      if (waiter !== undefined) waiter.resolve(msg)
      else this.#inbox.push(msg)
      return
    }
    this.#pipeline.dispatch(msg)
  }

  #notice(fields: ServerFields): void {
    const handler = this.#settings.onNotice
    if (handler === undefined && !noticeChannel.hasSubscribers) return
    const notice: Notice = { ...databaseErrorFields(fields), message: fields.message ?? '' }
    if (noticeChannel.hasSubscribers) noticeChannel.publish({ connection: this, notice })
    callHandler(handler, notice)
  }

  #send(write: (w: MessageWriter) => void): void {
    write(this.#out)
    this.#flush()
  }

  #flush(): void {
    if (this.#out.length === 0 || this.#socket === undefined || this.#closed) return
    this.#socket.write(this.#out.take())
  }

  /** The type layer this connection encodes and decodes with (for COPY binary rows). */
  get codecs(): TypeCodecs {
    return this.#pipeline?.codecs ?? textCodecs
  }

  /** Bytes received and sent on this connection's socket. */
  get bytes(): { in: number; out: number } {
    return { in: this.#socket?.bytesRead ?? 0, out: this.#socket?.bytesWritten ?? 0 }
  }

  /** Calls `listener` once when the session ends, for any reason (at once if it already has). */
  onClose(listener: (error: CovetError) => void): void {
    if (this.#closed) queueMicrotask(() => listener(this.#closeError!))
    else this.#closeListeners.push(listener)
  }

  /**
   * Runs `COPY ... FROM STDIN` (text, CSV or binary) fed by `source`: a Readable, an async
   * iterable or an iterable of Buffer/string chunks (§55.2.6). Resolves with the rows copied. A
   * source that throws aborts the COPY with CopyFail (nothing is copied) and rejects with its error.
   */
  async copyFrom(sql: string, source: CopySource, options: CopyOptions = {}): Promise<number> {
    if (source === null || typeof source !== 'object') {
      throw new InvalidArgumentError('copyFrom(sql, source): source must be an iterable or a Readable')
    }
    const result = await this.#run(sql, [], options, undefined, { direction: 'in', source })
    return result.rowCount ?? 0
  }

  /**
   * Runs `COPY ... TO STDOUT` and yields its data as Buffers as they arrive, pausing the socket
   * while `highWaterMark` chunks (default 64) wait; breaking out of the loop cancels the COPY.
   */
  copyTo(sql: string, options: CopyOptions & { highWaterMark?: number } = {}): AsyncIterableIterator<Buffer> {
    return this.#streamed(sql, [], options, (sink) => ({ direction: 'out', sink }), 64)
  }

  /**
   * Runs a statement. With parameters (or by default) it uses the extended protocol and a cached
   * named statement; `simple: true`, or a parameterless text with several statements, uses the
   * simple protocol and returns the last statement's result.
   */
  async query<T = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
    options: QueryOptions = {},
  ): Promise<QueryResult<T>> {
    try {
      return (await this.#run(sql, params, options, undefined)) as QueryResult<T>
    } catch (error) {
      // DESIGN §4: the error points at the caller's line. Captured here, after the await, V8's
      // async stack trace already leads to the awaiting caller, so nothing is paid per query that
      // succeeds (capturing the stack before sending cost ~8 µs per query, a fifth of the client CPU).
      if (isCovetError(error)) {
        const site: { stack?: string } = {}
        Error.captureStackTrace(site, this.query)
        const frames = site.stack ?? ''
        error.stack = `${error.name}: ${error.message}${frames.slice(frames.indexOf('\n'))}`
      }
      throw error
    }
  }

  #run(
    sql: string,
    params: readonly unknown[],
    options: QueryOptions,
    sink: RowStream<unknown> | undefined,
    copy?: CopyTransfer,
  ): Promise<QueryResult<unknown>> {
    if (typeof sql !== 'string') return Promise.reject(new InvalidArgumentError('sql must be a string'))
    if (!Array.isArray(params)) return Promise.reject(new InvalidArgumentError('params must be an array'))
    if (this.#closed || this.#pipeline === undefined) {
      // Refused before anything was written: the driver may run it on another connection.
      return Promise.reject(
        neverSent(
          new ConnectionError('ERR_CONNECTION_CLOSED', 'the connection is closed', {
            cause: this.#closeError,
          }),
        ),
      )
    }
    if (options.simple && params.length > 0) {
      return Promise.reject(new InvalidArgumentError('simple: true cannot take parameters'))
    }
    const s = this.#settings
    // A stream's errors reach the caller through its iterator, outside any await of this call:
    // capture the call site now, once per stream (query() captures it only on failure).
    let callSite: { stack?: string } | undefined
    if (sink !== undefined) {
      callSite = {}
      Error.captureStackTrace(callSite, this.stream)
    }
    const enqueued = this.#pipeline.enqueue(
      sql,
      params,
      {
        callSite,
        sink,
        prepare: options.prepare ?? s.prepare ?? true,
        simple: options.simple ?? false,
        maxResultBytes:
          sink !== undefined
            ? Number.POSITIVE_INFINITY
            : (options.maxResultBytes ?? s.maxResultBytes ?? Number.POSITIVE_INFINITY),
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        // A stream or COPY may rightly take long (a slow consumer, a big source): own timeoutMs only.
        defaultDeadline: sink === undefined && copy === undefined,
        batch: options.batch,
      },
      copy,
    )
    return enqueued as Promise<QueryResult<unknown>>
  }

  /**
   * Runs a query and yields its rows as they arrive, pausing the socket while `highWaterMark`
   * rows (default 1,000) wait for the consumer. Breaking out of the loop stops the query
   * (CancelRequest) and drops the rest. The stream must be consumed or closed: while it is
   * paused, later queries on this connection wait behind it.
   */
  stream<T = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
    options: StreamOptions = {},
  ): AsyncIterableIterator<T> {
    return this.#streamed<T>(sql, params, options, undefined, 1000)
  }

  /** A query or COPY TO whose rows (chunks) flow through a RowStream with socket backpressure. */
  #streamed<T>(
    sql: string,
    params: readonly unknown[],
    options: StreamOptions,
    copy: ((sink: RowStream<Buffer>) => CopyTransfer) | undefined,
    defaultHighWaterMark: number,
  ): AsyncIterableIterator<T> {
    const highWaterMark = options.highWaterMark ?? defaultHighWaterMark
    if (!Number.isInteger(highWaterMark) || highWaterMark < 1) {
      throw new InvalidArgumentError('highWaterMark must be a positive integer')
    }
    // An internal signal makes the query cancellable, so nothing is pipelined behind it and the
    // CancelRequest sent when the loop breaks can only reach this query.
    const stop = new AbortController()
    const outer = options.signal
    const onOuterAbort = () => stop.abort(outer?.reason)
    if (outer?.aborted) onOuterAbort()
    else outer?.addEventListener('abort', onOuterAbort, { once: true })
    const socket = this.#socket
    const rows = new RowStream<T>(
      highWaterMark,
      { pause: () => socket?.pause(), resume: () => socket?.resume() },
      () => stop.abort(),
    )
    const queryOptions: QueryOptions = { signal: stop.signal }
    if (options.prepare !== undefined) queryOptions.prepare = options.prepare
    if (options.timeoutMs !== undefined) queryOptions.timeoutMs = options.timeoutMs
    const transfer = copy?.(rows as unknown as RowStream<Buffer>)
    const sink = transfer === undefined ? (rows as RowStream<unknown>) : undefined
    this.#run(sql, params, queryOptions, sink, transfer).then(
      () => {
        outer?.removeEventListener('abort', onOuterAbort)
        rows.end()
      },
      (err) => {
        outer?.removeEventListener('abort', onOuterAbort)
        rows.fail(err)
      },
    )
    return rows
  }

  /** Ends the session (Terminate) and closes the socket. Pending queries reject with ERR_CONNECTION_CLOSED. */
  async close(): Promise<void> {
    const socket = this.#socket
    if (this.#closed || socket === undefined) return
    writeTerminate(this.#out)
    this.#flush()
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    this.#destroy(new ConnectionError('ERR_CONNECTION_CLOSED', 'the connection was closed by close()'), false)
    socket.end()
    // The server closes after Terminate; one that does not is not waited for forever.
    const timer = setTimeout(() => socket.destroy(), 1000)
    await closed
    clearTimeout(timer)
  }

  #destroy(error: CovetError, destroySocket = true): void {
    if (this.#closed) return
    this.#closed = true
    this.#closeError = error
    this.#waiter?.reject(error)
    this.#waiter = undefined
    this.#pipeline?.failAll(error)
    if (destroySocket) this.#socket?.destroy()
    for (const listener of this.#closeListeners.splice(0)) callHandler(listener, error)
  }
}
