import {
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  type QueryCompiler,
} from 'kysely'
import { InvalidArgumentError } from '../errors/classes.js'
import type { MySqlDriverOptions } from '../mysql/driver/options.js'
import type { MySqlSession } from '../mysql/driver/session.js'
import { MySqlDriver } from '../mysql/driver.js'
import type { MySqlResult } from '../mysql/handlers.js'
import { CovetKyselyConnection } from './connection.js'
import { type CovetDialectConfig, type DriverMaker, resolveDialectConfig } from './dialect-config.js'
import { CovetMysqlKyselyDriver, mysqlResult } from './mysql-driver.js'
import type { ReservingDriverConfig } from './reserving-driver.js'

/** `connection`: a `mysql://` or `mariadb://` URL or MySqlDriver options; `driver`: a MySqlDriver. */
export type CovetMysqlDialectConfig = CovetDialectConfig<MySqlDriver, MySqlDriverOptions>

const MYSQL: DriverMaker<MySqlDriver, MySqlDriverOptions, MySqlSession> = {
  dialect: 'CovetMysqlDialect',
  driverClass: MySqlDriver,
  options(given) {
    // Kysely builds rows as objects.
    if (given?.rowMode !== undefined && given.rowMode !== 'object') {
      throw new InvalidArgumentError("CovetMysqlDialect needs rowMode 'object'")
    }
    // BIGINT (COUNT(*) too) as a number, as mysql2 returns it, so that code written for Kysely on
    // mysql2 keeps working; exact, where mysql2 rounds: past 2^53 the query fails (ERR_TYPE_DECODE).
    return { ...given, types: { bigint: 'number', ...given?.types } }
  },
  create: (url, options) => (url === undefined ? new MySqlDriver(options) : new MySqlDriver(url, options)),
  connection: (session) =>
    new CovetKyselyConnection<MySqlSession, MySqlResult<unknown>>(session, mysqlResult),
}

/**
 * A Kysely dialect for MySQL and MariaDB on covet's driver: `new Kysely<DB>({ dialect: new
 * CovetMysqlDialect({ connection: process.env.DATABASE_URL }) })`. SQL, adapter and
 * introspection are Kysely's own MySQL ones, so queries compile exactly as with its
 * MysqlDialect; execution, streaming (server-side cursors), cancel (KILL QUERY) and pooling are
 * covet's.
 */
export class CovetMysqlDialect implements Dialect {
  readonly #config: ReservingDriverConfig<MySqlDriver>

  constructor(config: CovetMysqlDialectConfig) {
    this.#config = resolveDialectConfig(config, MYSQL)
  }

  createDriver(): Driver {
    return new CovetMysqlKyselyDriver(this.#config)
  }

  createQueryCompiler(): QueryCompiler {
    return new MysqlQueryCompiler()
  }

  createAdapter(): DialectAdapter {
    return new MysqlAdapter()
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new MysqlIntrospector(db)
  }
}
