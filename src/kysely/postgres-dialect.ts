import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
} from 'kysely'
import type { TypeCodecs } from '../postgres/codecs.js'
import type { PostgresDriverOptions } from '../postgres/driver/options.js'
import type { Session } from '../postgres/driver/session.js'
import { PostgresDriver } from '../postgres/driver.js'
import type { QueryResult as CovetResult } from '../postgres/query-handlers.js'
import type { TypeOptions } from '../postgres/types/options.js'
import { TypeRegistry } from '../postgres/types/registry.js'
import { CovetKyselyConnection } from './connection.js'
import { type CovetDialectConfig, type DriverMaker, resolveDialectConfig } from './dialect-config.js'
import { CovetKyselyDriver, pgResult } from './postgres-driver.js'
import type { ReservingDriverConfig } from './reserving-driver.js'

/** `connection`: a `postgres://` URL or PostgresDriver options; `driver`: a PostgresDriver. */
export type CovetPostgresDialectConfig = CovetDialectConfig<PostgresDriver, PostgresDriverOptions>

/**
 * int8 comes back as a string, as pg returns it, so that code written for Kysely on pg (a
 * `count()` sent to JSON.stringify, compared with '3') keeps working; `types: { int8: 'bigint' }`
 * gives exact bigints. A TypeRegistry given as `types` is used as it is.
 */
function kyselyTypes(types: TypeCodecs | TypeOptions | undefined): TypeCodecs {
  if (types !== undefined && typeof (types as { result?: unknown }).result === 'function') {
    return types as TypeCodecs
  }
  return new TypeRegistry({ int8: 'string', ...(types as TypeOptions | undefined) })
}

const POSTGRES: DriverMaker<PostgresDriver, PostgresDriverOptions, Session> = {
  dialect: 'CovetPostgresDialect',
  driverClass: PostgresDriver,
  options: (given) => ({ ...given, types: kyselyTypes(given?.types) }),
  create: (url, options) =>
    url === undefined ? new PostgresDriver(options) : new PostgresDriver(url, options),
  connection: (session) => new CovetKyselyConnection<Session, CovetResult<unknown>>(session, pgResult),
}

/**
 * A Kysely dialect for PostgreSQL on covet's driver: `new Kysely<DB>({ dialect: new
 * CovetPostgresDialect({ connection: process.env.DATABASE_URL }) })`. SQL, adapter and
 * introspection are Kysely's own PostgreSQL ones, so queries compile exactly as with its
 * PostgresDialect; execution, streaming, cancel and pooling are covet's.
 */
export class CovetPostgresDialect implements Dialect {
  readonly #config: ReservingDriverConfig<PostgresDriver>

  constructor(config: CovetPostgresDialectConfig) {
    this.#config = resolveDialectConfig(config, POSTGRES)
  }

  createDriver(): Driver {
    return new CovetKyselyDriver(this.#config)
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler()
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter()
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db)
  }
}
