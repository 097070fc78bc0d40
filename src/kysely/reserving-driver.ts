import {
  type CompiledQuery,
  createQueryId,
  type DatabaseConnection,
  type Driver,
  IdentifierNode,
  type QueryCompiler,
  RawNode,
  type TransactionSettings,
} from 'kysely'
import { InvalidArgumentError, PoolError } from '../errors/classes.js'
import { CovetKyselyConnection, type KyselySession, type ToKyselyResult } from './connection.js'

/** A covet connection taken out of the pool: PostgreSQL's ReservedConnection, MySQL's MySqlReservedConnection. */
export interface ReservedSession<Result> extends KyselySession<Result> {
  release(): void
}

/** What the Kysely driver needs of a covet pooled driver (PostgresDriver, MySqlDriver). */
export interface ReservingPool<R> {
  reserve(): Promise<R>
  close(): Promise<void>
}

export interface ReservingDriverConfig<P> {
  driver: () => P | Promise<P>
  onReserveConnection?: ((connection: DatabaseConnection) => Promise<void>) | undefined
}

/** A connection Kysely holds between acquireConnection() and releaseConnection(). */
export class ReservedKyselyConnection<
  R extends ReservedSession<Result>,
  Result = unknown,
> extends CovetKyselyConnection<R, Result> {}

/** `savepoint \`name\`` and friends, the name quoted by the dialect's own Kysely compiler. */
export function savepointQuery(
  command: string,
  name: string,
  compile: QueryCompiler['compileQuery'],
): CompiledQuery {
  const node = RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(name)])
  return compile(node, createQueryId())
}

/**
 * Kysely's Driver on a covet pooled driver, the part both dialects share: each Kysely connection
 * is a reserved covet connection (`driver.reserve()`), given back with `release()`, which resets
 * what the session changed before the next borrower. Transactions are the dialect's.
 */
export abstract class ReservingDriver<P extends ReservingPool<R>, R extends ReservedSession<Result>, Result>
  implements Driver
{
  readonly #config: ReservingDriverConfig<P>
  readonly #toResult: ToKyselyResult<Result>
  /** The connections this driver lent and has not taken back. */
  readonly #lent = new WeakSet<ReservedKyselyConnection<R, Result>>()
  #driver: P | undefined
  #destroyed = false

  constructor(config: ReservingDriverConfig<P>, toResult: ToKyselyResult<Result>) {
    this.#config = config
    this.#toResult = toResult
  }

  async init(): Promise<void> {
    const driver = await this.#config.driver()
    if (this.#destroyed) await driver.close()
    else this.#driver = driver
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const driver = this.#driver
    if (driver === undefined) throw new PoolError('ERR_POOL_CLOSED', 'the Kysely dialect was destroyed')
    const connection = new ReservedKyselyConnection<R, Result>(await driver.reserve(), this.#toResult)
    const hook = this.#config.onReserveConnection
    if (hook !== undefined) {
      try {
        await hook(connection)
      } catch (error) {
        connection.session.release()
        throw error
      }
    }
    this.#lent.add(connection)
    return connection
  }

  abstract beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void>
  abstract commitTransaction(connection: DatabaseConnection): Promise<void>
  abstract rollbackTransaction(connection: DatabaseConnection): Promise<void>

  /** The reserved covet connection behind one of this driver's Kysely connections. */
  protected reserved(connection: DatabaseConnection): R {
    if (!this.#lent.has(connection as ReservedKyselyConnection<R, Result>)) {
      throw new InvalidArgumentError('the connection is not one this driver lent, or it was released')
    }
    return (connection as ReservedKyselyConnection<R, Result>).session
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const session = this.reserved(connection)
    this.#lent.delete(connection as ReservedKyselyConnection<R, Result>)
    session.release()
  }

  async destroy(): Promise<void> {
    this.#destroyed = true
    const driver = this.#driver
    this.#driver = undefined
    await driver?.close()
  }
}
