import { channel } from 'node:diagnostics_channel'
import type { Socket } from 'node:net'
import { AuthenticationError, ConnectionError, InvalidArgumentError } from '../errors/classes.js'
import { CovetError, isCovetError } from '../errors/covet-error.js'
import { DatabaseError } from '../errors/database-error.js'
import { sendCancelRequest } from './cancel.js'
import { textCodecs } from './codecs.js'
import { type PgConfig, resolvePgConfig } from './config.js'
import { describe, openSocket } from './connect-socket.js'
import {
  callHandler,
  type Notice,
  type PgConnectionSettings,
  type QueryOptions,
  type StreamOptions,
  validateSettings,
} from './connection-options.js'
import { connectToSomeHost } from './host-selection.js'
import { BackendParser } from './protocol/backend.js'
import type { TransactionStatus } from './protocol/codes.js'
import { type MessageWriter, writeTerminate } from './protocol/frontend.js'
import { MessageBuffer } from './protocol/message-buffer.js'
import type { BackendMessage, ServerFields } from './protocol/messages.js'
import type { QueryResult } from './query-handlers.js'
import { QueryPipeline } from './query-pipeline.js'
import { RowStream } from './row-stream.js'
import { databaseError, databaseErrorFields } from './server-error.js'

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

  private constructor(settings: PgConnectionSettings, config: PgConfig) {
    this.#settings = settings
    this.config = config
    this.#parser = new BackendParser(
      settings.maxMessageBytes === undefined ? {} : { maxMessageBytes: settings.maxMessageBytes },
    )
  }

  /** Opens a connection: `postgres://` URL or options, with `PG*` environment defaults. */
  static async connect(input: string | PgConnectionSettings): Promise<PgConnection> {
    const settings: PgConnectionSettings = typeof input === 'string' ? {} : input
    const config = resolvePgConfig(input)
    validateSettings(settings)
    return connectToSomeHost(config, (target) => PgConnection.#connectTo(settings, target))
  }

  static async #connectTo(settings: PgConnectionSettings, config: PgConfig): Promise<PgConnection> {
    const mode = config.sslmode
    const first = new PgConnection(settings, config)
    try {
      // libpq ignores sslmode on Unix sockets: the server never offers TLS there.
      await first.#open(mode !== 'disable' && mode !== 'allow' && !config.host.startsWith('/'))
      return first
    } catch (err) {
      // sslmode=allow: try without TLS first, then with it if the server insists (libpq).
      if (mode !== 'allow' || !(err instanceof AuthenticationError || err instanceof DatabaseError)) throw err
      const second = new PgConnection(settings, config)
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
    let timer: NodeJS.Timeout | undefined
    const work = (async () => {
      const opened = await openSocket(config, tls)
      this.#socket = opened.socket
      this.#tls = opened.serverCertificate !== undefined
      if (this.#closed) throw this.#closeError
      this.#attach(opened.socket)
      const result = await startup(
        {
          send: (write) => this.#send(write),
          next: () => this.#nextStartupMessage(),
          onNotice: (fields) => this.#notice(fields),
        },
        config,
        opened.serverCertificate,
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
    const s = this.#settings
    this.#pipeline = new QueryPipeline({
      // The pipeline encodes a batch, then flushes once: one socket write per batch.
      write: (write) => write(this.#out),
      flush: () => this.#flush(),
      cancel: () => sendCancelRequest(config, this.#tls, this.processId, this.#secretKey),
      setStatus: (status) => {
        this.#status = status
      },
      codecs: s.types ?? textCodecs,
      rowMode: s.rowMode ?? 'object',
      cacheSize: s.statementCacheSize ?? 256,
      cacheBytes: s.statementCacheBytes ?? 4 * 1024 * 1024,
    })
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

  /**
   * Runs a statement. With parameters (or by default) it uses the extended protocol and a cached
   * named statement; `simple: true`, or a parameterless text with several statements, uses the
   * simple protocol and returns the last statement's result.
   */
  query<T = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
    options: QueryOptions = {},
  ): Promise<QueryResult<T>> {
    return this.#run(sql, params, options, undefined) as Promise<QueryResult<T>>
  }

  #run(sql: string, params: readonly unknown[], options: QueryOptions, sink: RowStream<unknown> | undefined) {
    if (typeof sql !== 'string') return Promise.reject(new InvalidArgumentError('sql must be a string'))
    if (!Array.isArray(params)) return Promise.reject(new InvalidArgumentError('params must be an array'))
    if (this.#closed || this.#pipeline === undefined) {
      return Promise.reject(
        new ConnectionError('ERR_CONNECTION_CLOSED', 'the connection is closed', { cause: this.#closeError }),
      )
    }
    if (options.simple && params.length > 0) {
      return Promise.reject(new InvalidArgumentError('simple: true cannot take parameters'))
    }
    const s = this.#settings
    // Frames are captured now and formatted only if the query fails (a microsecond, not a stack string).
    const callSite: { stack?: string } = {}
    Error.captureStackTrace(callSite, sink === undefined ? this.query : this.stream)
    return this.#pipeline.enqueue(sql, params, {
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
    })
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
    const highWaterMark = options.highWaterMark ?? 1000
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
    this.#run(sql, params, queryOptions, rows as RowStream<unknown>).then(
      () => rows.end(),
      (err) => rows.fail(err),
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
  }
}
