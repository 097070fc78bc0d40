import { InvalidArgumentError } from '../errors/classes.js'
import type { ResultOf, SessionDialect, SessionTypes } from './contract.js'
import type { DriverCounters } from './metrics.js'
import { type QueryInput, type RowFor, toQuery } from './query-input.js'
import { executingSqlTag, firstRow, type SqlQuery, type SqlTag } from './sql-tag.js'

/**
 * The statements every holder of one connection can run: a transaction (`tx`), a reserved
 * connection, the session given to onConnect. The pooled driver offers the same methods, each on
 * a borrowed connection. A driver subclasses it for its own extras (PostgreSQL: COPY).
 */
export class Session<Types extends SessionTypes> {
  readonly connection: Types['connection']
  protected readonly dialect: SessionDialect<Types>
  protected readonly counters: DriverCounters
  #sql: SqlTag<SqlQuery<ResultOf<Types, Record<string, unknown>>>> | undefined
  /** Set once the holder is done with the connection (committed, released). */
  protected ended: string | undefined

  constructor(connection: Types['connection'], dialect: SessionDialect<Types>, counters: DriverCounters) {
    this.connection = connection
    this.dialect = dialect
    this.counters = counters
  }

  protected check(): void {
    if (this.ended !== undefined)
      throw new InvalidArgumentError(`this ${this.ended}; it can no longer be used`)
  }

  execute<T = never, I extends QueryInput = QueryInput>(
    input: I,
    params?: readonly unknown[],
    options?: Types['executeOptions'],
  ): Promise<ResultOf<Types, RowFor<T, I>>> {
    try {
      this.check()
      const q = toQuery(input, params, this.dialect.query)
      return this.counters.observe(
        this.dialect.run(this.connection, q.sql, q.params, options) as Promise<ResultOf<Types, RowFor<T, I>>>,
      )
    } catch (error) {
      return Promise.reject(error)
    }
  }

  async executeOne<T = never, I extends QueryInput = QueryInput>(
    input: I,
    params?: readonly unknown[],
    options?: Types['executeOptions'],
  ): Promise<RowFor<T, I> | null> {
    const rows = (await this.execute<RowFor<T, I>>(input, params, options)) as unknown as RowFor<T, I>[]
    return firstRow(rows)
  }

  /** `tx.sql\`select * from t where id = ${id}\`` runs on this connection when awaited. */
  get sql(): SqlTag<SqlQuery<ResultOf<Types, Record<string, unknown>>>> {
    this.#sql ??= executingSqlTag(this.dialect.query.syntax, (sql, params) => this.execute(sql, params))
    return this.#sql
  }

  stream<T = Record<string, unknown>>(
    input: QueryInput,
    params?: readonly unknown[],
    options?: Types['streamOptions'],
  ): AsyncIterableIterator<T> {
    this.check()
    const q = toQuery(input, params, this.dialect.query)
    return this.dialect.stream(this.connection, q.sql, q.params, options) as AsyncIterableIterator<T>
  }
}
