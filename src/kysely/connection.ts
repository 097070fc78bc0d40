import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely'
import { InvalidArgumentError, QueryError } from '../errors/classes.js'
import { signalOf } from './abort-signal.js'

/** The options Kysely 0.29 passes to `executeQuery`/`streamQuery` (its AbortableOperationOptions). */
export interface AbortableOptions {
  signal?: AbortSignal | undefined
}

/**
 * What the connection needs of a covet session: the shared driver core's Session
 * (src/driver/session.ts) has it, so PostgreSQL's and MySQL's sessions, transactions and reserved
 * connections all do. `Result` is the driver's own result (covet's rows with their counts).
 */
export interface KyselySession<Result> {
  execute(sql: string, params: readonly unknown[], options?: { signal?: AbortSignal }): Promise<Result>
  stream(
    sql: string,
    params: readonly unknown[],
    options?: { signal?: AbortSignal; batchSize?: number },
  ): AsyncIterableIterator<unknown>
}

/** A driver's result as Kysely's QueryResult (each dialect reports its counts its own way). */
export type ToKyselyResult<Result> = (result: Result, query: CompiledQuery) => QueryResult<unknown>

/**
 * One covet session (a reserved connection, or the session given to the onConnect hook) as
 * Kysely's DatabaseConnection, for either driver.
 *
 * Cancel: a query with a signal runs with an AbortSignal of its own, and covet's driver cancels it
 * on the server when that aborts (PostgreSQL: a CancelRequest on a new socket, protocol §55.2.9;
 * MySQL: KILL QUERY from a side connection); no connection from the pool is needed, unlike
 * `pg_cancel_backend()`. `cancelQuery()` (Kysely 0.29's name) aborts it too.
 */
export class CovetKyselyConnection<S extends KyselySession<Result>, Result = unknown>
  implements DatabaseConnection
{
  readonly session: S
  readonly #toResult: ToKyselyResult<Result>
  #running: AbortController | undefined

  constructor(session: S, toResult: ToKyselyResult<Result>) {
    this.session = session
    this.#toResult = toResult
  }

  async executeQuery<R>(query: CompiledQuery, options?: AbortableOptions): Promise<QueryResult<R>> {
    const cancel = this.#cancellable(query, options)
    try {
      const result = await this.session.execute(query.sql, query.parameters, cancel?.options)
      return this.#toResult(result, query) as QueryResult<R>
    } finally {
      cancel?.done()
    }
  }

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize?: number,
    options?: AbortableOptions,
  ): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isSafeInteger(chunkSize) || (chunkSize as number) < 1) {
      throw new InvalidArgumentError('chunkSize must be a positive integer')
    }
    const size = chunkSize as number
    const cancel = this.#cancellable(query, options)
    try {
      // Covet streams with bounded memory (socket backpressure or a server-side cursor).
      const stream = this.session.stream(query.sql, query.parameters, {
        ...cancel?.options,
        batchSize: size,
      })
      let rows: R[] = []
      for await (const row of stream) {
        rows.push(row as R)
        if (rows.length === size) {
          yield { rows }
          rows = []
        }
      }
      if (rows.length > 0) yield { rows }
    } finally {
      cancel?.done()
    }
  }

  /** Cancels the query running on this connection, if it was started with a signal. */
  cancelQuery(): Promise<void> {
    this.#running?.abort(new QueryError('ERR_QUERY_CANCELLED', 'cancelQuery() was called'))
    return Promise.resolve()
  }

  /**
   * A signal of the query's own, following the one `withSignal()` gave it. With Kysely 0.29's
   * `options.signal` it follows nothing: Kysely races that signal itself and calls cancelQuery()
   * only when its inflightQueryAbortStrategy says so. Undefined when nothing can abort the query
   * (an AbortSignal makes a covet query a pipeline barrier, which costs nothing here but a listener).
   */
  #cancellable(
    query: CompiledQuery,
    options: AbortableOptions | undefined,
  ): { options: { signal: AbortSignal }; done(): void } | undefined {
    const outer = signalOf(query)
    if (outer === undefined && options?.signal === undefined) return undefined
    const own = new AbortController()
    const follow = () => own.abort(outer?.reason)
    if (outer?.aborted) follow()
    else outer?.addEventListener('abort', follow, { once: true })
    this.#running = own
    return {
      options: { signal: own.signal },
      done: () => {
        outer?.removeEventListener('abort', follow)
        if (this.#running === own) this.#running = undefined
      },
    }
  }
}
