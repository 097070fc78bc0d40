import type { PreparedStatementCache } from '../cache/statement-cache.js'
import { AuthenticationError, ConnectionError, InvalidArgumentError } from '../errors/classes.js'
import { CovetError, isCovetError } from '../errors/covet-error.js'
import { DatabaseError } from '../errors/database-error.js'
import {
  type BulkSession,
  bulkInsert,
  type MySqlBulkInsertOptions,
  type MySqlBulkRows,
} from './bulk-insert.js'
import { type MySqlConfig, resolveMySqlConfig } from './config.js'
import { describe } from './connect-socket.js'
import {
  type ExecuteOptions,
  type MySqlConnectionSettings,
  type QueryOptions,
  type StreamOptions,
  validateSettings,
} from './connection-options.js'
import type { MySqlResult } from './handlers.js'
import { neverSent, Pipeline } from './pipeline.js'
import { Capability, MariaDbCapability } from './protocol/constants.js'
import { databaseError } from './server-error.js'
import { initSession } from './session-init.js'
import { type Session, startup } from './startup.js'
import { type PreparedStatement, privateStatementCache } from './statements.js'
import { streamRows } from './stream.js'
import { resolveTypeOptions } from './types/options.js'
import { Wire } from './wire.js'

export type { MySqlBulkInsertOptions, MySqlBulkRow, MySqlBulkRows } from './bulk-insert.js'
export type {
  ExecuteOptions,
  MySqlConnectionSettings,
  QueryOptions,
  StreamOptions,
} from './connection-options.js'

/** What a pool's connections share (MySqlDriver passes it): the L2 statement cache. */
export interface SharedState {
  statements?: PreparedStatementCache<PreparedStatement>
}

/**
 * One MySQL/MariaDB session (issue 15): socket and TLS, handshake and authentication, then text
 * queries (COM_QUERY), prepared statements (COM_STMT_*) with a bounded per-connection cache,
 * pipelining, streaming with backpressure and server-side cursors, KILL QUERY cancellation, and
 * bulk inserts (issue 16, bulk-insert.ts).
 */
export class MySqlConnection {
  readonly config: MySqlConfig
  #session: Session | undefined
  readonly #wire: Wire
  #pipeline: Pipeline | undefined
  readonly #settings: MySqlConnectionSettings
  readonly #shared: SharedState

  private constructor(settings: MySqlConnectionSettings, config: MySqlConfig, shared: SharedState) {
    this.#settings = settings
    this.config = config
    this.#shared = shared
    this.#wire = new Wire(config, settings.maxPacketBytes, (error) => this.#pipeline?.failAll(error))
  }

  /** Opens a connection from a `mysql://` / `mariadb://` URL or options; hosts are tried in turn. */
  static async connect(
    input: string | MySqlConnectionSettings,
    shared: SharedState = {},
  ): Promise<MySqlConnection> {
    const settings: MySqlConnectionSettings = typeof input === 'string' ? {} : input
    const config = resolveMySqlConfig(input)
    validateSettings(settings)
    let lastError: unknown
    for (const target of config.hosts) {
      try {
        return await MySqlConnection.#connectTo(settings, { ...config, ...target }, shared)
      } catch (err) {
        // A host that answered and refused us (auth, TLS, unknown database) is not retried elsewhere.
        if (!(err instanceof ConnectionError) || err.code === 'ERR_TLS') throw err
        lastError = err
      }
    }
    throw lastError
  }

  static async #connectTo(settings: MySqlConnectionSettings, config: MySqlConfig, shared: SharedState) {
    const mode = config.sslmode
    // As libpq on Unix sockets, sslmode does not apply to a local socket file.
    const tls = mode !== 'disable' && mode !== 'allow' && !config.host.startsWith('/')
    const first = new MySqlConnection(settings, config, shared)
    try {
      await first.#open(tls)
      return first
    } catch (err) {
      // sslmode=allow: without TLS first, then with it if the server refused (libpq's rule).
      if (mode !== 'allow' || !(err instanceof AuthenticationError || err instanceof DatabaseError)) throw err
      const second = new MySqlConnection(settings, config, shared)
      await second.#open(true)
      return second
    }
  }

  /** The server's thread id for this session (what KILL takes). */
  get connectionId(): number {
    return this.#session?.handshake.connectionId ?? 0
  }

  /** The server version without MariaDB's 5.5.5- prefix. */
  get serverVersion(): string {
    return this.#session?.handshake.serverVersion ?? ''
  }

  get mariaDb(): boolean {
    return this.#session?.handshake.mariaDb ?? false
  }

  /** True when TLS is up. */
  get tls(): boolean {
    return this.#session?.tls ?? false
  }

  get closed(): boolean {
    return this.#wire.closed
  }

  /** SERVER_STATUS_IN_TRANS of the latest answer. */
  get inTransaction(): boolean {
    return this.#pipeline?.inTransaction ?? false
  }

  /** Commands written or waiting to be written. */
  get pendingQueries(): number {
    return this.#pipeline?.pending ?? 0
  }

  /** Bytes received and sent on this connection's socket. */
  get bytes(): { in: number; out: number } {
    const socket = this.#wire.socket
    return { in: socket?.bytesRead ?? 0, out: socket?.bytesWritten ?? 0 }
  }

  async #open(wantTls: boolean): Promise<void> {
    const config = this.config
    const wire = this.#wire
    let timer: NodeJS.Timeout | undefined
    const work = (async () => {
      await wire.open()
      this.#session = await startup(wire.startupIo(), config, wantTls)
      const pipeline = this.#makePipeline(this.#session)
      this.#pipeline = pipeline
      wire.receive((payload) => this.#dispatch(pipeline, payload))
      const limit = await initSession(pipeline, config, this.mariaDb)
      const size = Math.min(this.#settings.statementCacheSize ?? 256, limit)
      const bytes = this.#settings.statementCacheBytes ?? 4 * 1024 * 1024
      pipeline.useStatements(this.#shared.statements ?? privateStatementCache(size, bytes))
    })()
    const deadline =
      config.connectTimeoutMs > 0
        ? new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              const error = new ConnectionError(
                'ERR_CONNECT_TIMEOUT',
                `connecting to ${describe(config)} timed out`,
              )
              wire.destroy(error)
              reject(error)
            }, config.connectTimeoutMs)
          })
        : undefined
    try {
      await (deadline === undefined ? work : Promise.race([work, deadline]))
    } catch (err) {
      wire.destroy(isCovetError(err) ? err : new CovetError('ERR_INTERNAL', 'connect failed', { cause: err }))
      work.catch(() => {})
      throw err
    } finally {
      clearTimeout(timer)
    }
  }

  #makePipeline(session: Session): Pipeline {
    const s = this.#settings
    return new Pipeline({
      writer: this.#wire.out,
      flush: () => this.#wire.flush(),
      kill: () => this.#kill(),
      context: {
        deprecateEof: (session.capabilities & Capability.DEPRECATE_EOF) !== 0,
        sessionTrack: (session.capabilities & Capability.SESSION_TRACK) !== 0,
        extendedMetadata: (session.mariaDbCapabilities & MariaDbCapability.EXTENDED_METADATA) !== 0,
        cacheMetadata: (session.mariaDbCapabilities & MariaDbCapability.CACHE_METADATA) !== 0,
      },
      decode: {
        types: resolveTypeOptions(s.types ?? {}, this.config.timezone.offsetMs),
        rowMode: s.rowMode ?? 'object',
      },
      pipelinePrepare:
        this.config.pipelinePrepare &&
        (session.mariaDbCapabilities & MariaDbCapability.STMT_BULK_OPERATIONS) !== 0,
      infile: this.#wire.infileIo(),
      sendFramed: (packet) => this.#wire.writeFramed(packet),
    })
  }

  #dispatch(pipeline: Pipeline, payload: Buffer): void {
    const unsolicited = pipeline.dispatch(payload)
    if (unsolicited !== undefined) {
      // E.g. MySQL 8's ER_CLIENT_INTERACTION_TIMEOUT before it closes an idle session.
      const cause = databaseError(unsolicited)
      this.#wire.destroy(
        new ConnectionError('ERR_CONNECTION_CLOSED', `the server ended the session: ${cause.message}`, {
          cause,
        }),
      )
    }
  }

  /** KILL QUERY from a side connection (best effort: the command's own promise reports the outcome). */
  async #kill(): Promise<void> {
    let side: MySqlConnection | undefined
    try {
      side = await MySqlConnection.#connectTo({}, this.config, {})
      await side.query(`KILL QUERY ${this.connectionId}`)
    } catch {
      // Best effort, see above.
    } finally {
      await side?.close()
    }
  }

  /** Calls `listener` once when the session ends, for any reason (at once if it already has). */
  onClose(listener: (error: CovetError) => void): void {
    this.#wire.onClose(listener)
  }

  /** Runs SQL text over the text protocol (COM_QUERY). Values are never interpolated: use execute() for parameters. */
  async query<T = Record<string, unknown>>(sql: string, options: QueryOptions = {}): Promise<MySqlResult<T>> {
    try {
      if (Array.isArray(options)) {
        throw new InvalidArgumentError('query(sql, options) takes no parameters: use execute(sql, params)')
      }
      return (await this.#run('query', sql, [], {
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        maxResultBytes: options.maxResultBytes ?? this.#settings.maxResultBytes ?? Number.POSITIVE_INFINITY,
        infile: options.infile,
      })) as MySqlResult<T>
    } catch (error) {
      throw atCaller(error, this.query)
    }
  }

  /** Runs a prepared statement (binary protocol), preparing and caching it on first use. */
  async execute<T = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
    options: ExecuteOptions = {},
  ): Promise<MySqlResult<T>> {
    try {
      if (!Array.isArray(params)) throw new InvalidArgumentError('params must be an array')
      return (await this.#run('execute', sql, params, {
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        maxResultBytes: options.maxResultBytes ?? this.#settings.maxResultBytes ?? Number.POSITIVE_INFINITY,
        cache: options.cache ?? true,
      })) as MySqlResult<T>
    } catch (error) {
      throw atCaller(error, this.execute)
    }
  }

  /** Yields the rows of a prepared statement as they arrive (see StreamOptions for cursors). */
  stream<T = Record<string, unknown>>(
    sql: string,
    params: readonly unknown[] = [],
    options: StreamOptions = {},
  ): AsyncIterableIterator<T> {
    if (this.#wire.closed || this.#pipeline === undefined) throw this.#closedError()
    return streamRows<T>(this.#pipeline, this.#wire.socket!, sql, params, options, this.stream)
  }

  /**
   * Inserts `rows` into `table` in batches, all or nothing (docs/mysql.md, bulkInsert): on MariaDB
   * COM_STMT_BULK_EXECUTE, else multi-row INSERTs. Resolves with the number of rows inserted.
   */
  async bulkInsert(
    table: string | readonly string[],
    columns: readonly string[],
    rows: MySqlBulkRows,
    options: MySqlBulkInsertOptions = {},
  ): Promise<number> {
    try {
      if (this.#wire.closed || this.#pipeline === undefined) throw this.#closedError()
      const session: BulkSession = {
        pipeline: this.#pipeline,
        wire: this.#wire,
        bulkOperations: (this.#session!.mariaDbCapabilities & MariaDbCapability.STMT_BULK_OPERATIONS) !== 0,
        tzOffsetMs: this.config.timezone.offsetMs,
      }
      return await bulkInsert(session, table, columns, rows, options)
    } catch (error) {
      throw atCaller(error, this.bulkInsert)
    }
  }

  /** COM_PING: resolves when the server answered. */
  async ping(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    try {
      await this.#run('ping', '', [], { signal: options.signal, timeoutMs: options.timeoutMs })
    } catch (error) {
      throw atCaller(error, this.ping)
    }
  }

  /**
   * COM_RESET_CONNECTION: rolls back, drops temporary tables, user variables and prepared
   * statements, then sets the session time zone and collation again.
   */
  async reset(): Promise<void> {
    try {
      const pipeline = this.#pipeline
      await this.#run('reset', '', [], {})
      if (pipeline !== undefined) await initSession(pipeline, this.config, this.mariaDb)
    } catch (error) {
      throw atCaller(error, this.reset)
    }
  }

  #closedError(): CovetError {
    return neverSent(
      new ConnectionError('ERR_CONNECTION_CLOSED', 'the connection is closed', {
        cause: this.#wire.closeError,
      }),
    )
  }

  #run(
    kind: 'query' | 'execute' | 'ping' | 'reset',
    sql: string,
    params: readonly unknown[],
    options: Parameters<Pipeline['enqueue']>[3],
  ): Promise<unknown> {
    if (typeof sql !== 'string') return Promise.reject(new InvalidArgumentError('sql must be a string'))
    if (this.#wire.closed || this.#pipeline === undefined) return Promise.reject(this.#closedError())
    return this.#pipeline.enqueue(kind, sql, params, options)
  }

  /** Ends the session (COM_QUIT) and closes the socket. Pending commands reject with ERR_CONNECTION_CLOSED. */
  close(): Promise<void> {
    return this.#wire.quit(this.#pipeline !== undefined)
  }
}

/**
 * DESIGN §4: a failed command's stack leads to the caller's line. Captured here, after the await,
 * where V8's async stack trace already reaches the awaiting caller, so a command that succeeds
 * pays nothing (as PgConnection.query).
 */
function atCaller(error: unknown, method: (...args: never) => unknown): unknown {
  if (!isCovetError(error)) return error
  const site: { stack?: string } = {}
  Error.captureStackTrace(site, method)
  const frames = site.stack ?? ''
  const nl = frames.indexOf('\n')
  if (nl !== -1) error.stack = `${error.name}: ${error.message}${frames.slice(nl)}`
  return error
}
