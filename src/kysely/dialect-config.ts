import type { DatabaseConnection } from 'kysely'
import { InvalidArgumentError } from '../errors/classes.js'
import type { ReservingDriverConfig } from './reserving-driver.js'

/** The configuration both covet dialects take; `D` is the covet driver, `O` its options. */
export interface CovetDialectConfig<D, O> {
  /**
   * Where to connect: a URL or the driver's options. The dialect creates the driver at Kysely's
   * first query and closes it on `db.destroy()`.
   */
  connection?: string | O
  /**
   * Or a driver of your own (or a function returning one, called once at the first query). It is
   * closed on `db.destroy()`, as Kysely's own dialects end their pool. Give a per-connection
   * hook to it as its `onConnect` option: onCreateConnection needs a driver the dialect creates.
   */
  driver?: D | (() => D | Promise<D>)
  /**
   * Runs on each new connection before its first use (`SET application_name`, `SET @app`...),
   * and again after a release whose reset undid session state, so that what it set holds for
   * every query (covet's driver option `onConnect`).
   */
  onCreateConnection?: (connection: DatabaseConnection) => Promise<void>
  /** Runs every time Kysely takes a connection from the pool. */
  onReserveConnection?: (connection: DatabaseConnection) => Promise<void>
}

/** How one dialect makes its driver. */
export interface DriverMaker<D, O, S> {
  /** The dialect's class name, for error messages. */
  dialect: string
  /** The covet driver class, for `instanceof` and error messages. */
  driverClass: abstract new (
    ...args: never[]
  ) => D
  /** The options of a driver the dialect creates, with the dialect's defaults (a copy). */
  options(given: O | undefined): O & { onConnect?: (session: S) => unknown }
  create(url: string | undefined, options: O): D
  /** The onConnect session as the DatabaseConnection Kysely's hook receives. */
  connection(session: S): DatabaseConnection
}

function isFunction(value: unknown): value is (...args: never[]) => unknown {
  return typeof value === 'function'
}

function checkHook(dialect: string, name: string, hook: unknown): void {
  if (hook !== undefined && !isFunction(hook)) {
    throw new InvalidArgumentError(`${dialect} option ${name} must be a function`)
  }
}

/**
 * Checks a dialect's config at construction (DESIGN §4) and gives its Kysely driver's config:
 * exactly one of `connection` and `driver`, hooks that are functions, and a created driver's
 * options checked by constructing it (the pool opens nothing until used).
 */
export function resolveDialectConfig<D, O, S>(
  config: CovetDialectConfig<D, O>,
  maker: DriverMaker<D, O, S>,
): ReservingDriverConfig<D> {
  const name = maker.dialect
  if (typeof config !== 'object' || config === null) {
    throw new InvalidArgumentError(`${name} takes a config object`)
  }
  const { connection, driver, onCreateConnection, onReserveConnection } = config
  if ((connection === undefined) === (driver === undefined)) {
    throw new InvalidArgumentError(`${name} takes a connection (URL or options) or a driver`)
  }
  checkHook(name, 'onCreateConnection', onCreateConnection)
  checkHook(name, 'onReserveConnection', onReserveConnection)
  if (driver !== undefined) {
    if (onCreateConnection !== undefined) {
      throw new InvalidArgumentError(
        `${name}: with a driver of your own, give the hook to it as its onConnect option`,
      )
    }
    if (driver instanceof maker.driverClass) return { driver: () => driver, onReserveConnection }
    if (isFunction(driver)) return { driver: driver as () => D | Promise<D>, onReserveConnection }
    throw new InvalidArgumentError(`${name} option driver must be a ${maker.driverClass.name} or a function`)
  }
  const options = maker.options(typeof connection === 'string' ? undefined : (connection as O))
  if (onCreateConnection !== undefined) {
    options.onConnect = (session) => onCreateConnection(maker.connection(session))
  }
  const url = typeof connection === 'string' ? connection : undefined
  // Each Kysely instance on this dialect gets a driver of its own and closes it on destroy(), as
  // Kysely's PostgresDialect gets a pool per instance from its `pool: async () => new Pool()`.
  // The first is the one built here to check the options.
  let unused: D | undefined = maker.create(url, options)
  const driverPerInstance = (): D => {
    const driver = unused ?? maker.create(url, options)
    unused = undefined
    return driver
  }
  return { driver: driverPerInstance, onReserveConnection }
}
