import { InvalidArgumentError } from '../errors/classes.js'
import type { MySqlDriverOptions } from '../mysql/driver/options.js'
import type { MySqlReservedConnection } from '../mysql/driver/session.js'
import { MySqlDriver } from '../mysql/driver.js'
import type { MySqlResult } from '../mysql/handlers.js'
import type { ColumnDefinition } from '../mysql/protocol/columns.js'
import { rowsMatched } from '../mysql/update-info.js'
import { objectRows } from './rows.js'

/** What drizzle-orm/mysql2 passes to `query()`: mysql2's QueryOptions, of which covet reads sql, values and rowsAsArray. */
export interface Mysql2QueryOptions {
  sql: string
  values?: readonly unknown[]
  /** Each row an array of its values in column order (Drizzle's selects). */
  rowsAsArray?: boolean
  /** mysql2's per-field cast: covet decodes as Drizzle's cast does (see CovetDrizzleMysqlPool). */
  typeCast?: unknown
}

/** mysql2's ResultSetHeader, what a statement without rows gives. */
export interface Mysql2ResultHeader {
  fieldCount: 0
  affectedRows: number
  insertId: number
  info: string
  warningStatus: number
  changedRows: number
}

/** mysql2's `[rows, fields]`, or `[header, undefined]` for a statement without rows. */
export type Mysql2Shaped = [
  unknown[] | Mysql2ResultHeader,
  { name: string; table: string; type: number }[] | undefined,
]

type Runner = (sql: string, params: readonly unknown[]) => Promise<MySqlResult<unknown[]>>

/** mysql2's fields, built once per column definitions (a cached statement gives the same array each time). */
const MYSQL2_FIELDS = new WeakMap<ColumnDefinition[], NonNullable<Mysql2Shaped[1]>>()

function fieldsOf(columns: ColumnDefinition[]): NonNullable<Mysql2Shaped[1]> {
  let shaped = MYSQL2_FIELDS.get(columns)
  if (shaped === undefined) {
    shaped = columns.map((c) => ({ name: c.name, table: c.table, type: c.type }))
    MYSQL2_FIELDS.set(columns, shaped)
  }
  return shaped
}

function header(result: MySqlResult<unknown[]>, sql: string): Mysql2ResultHeader {
  const changed = Number(result.affectedRows)
  // mysql2 counts an UPDATE's matched rows (CLIENT_FOUND_ROWS), and its changed ones apart.
  const matched = /^\s*update\b/i.test(sql) ? rowsMatched(result.info) : undefined
  return {
    fieldCount: 0,
    affectedRows: matched === undefined ? changed : Number(matched),
    insertId: Number(result.insertId),
    info: result.info,
    warningStatus: result.warnings,
    changedRows: matched === undefined ? 0 : changed,
  }
}

async function mysql2Query(
  run: Runner,
  options: string | Mysql2QueryOptions,
  values?: readonly unknown[],
): Promise<Mysql2Shaped> {
  const q = typeof options === 'string' ? { sql: options } : options
  if (typeof q !== 'object' || q === null || typeof q.sql !== 'string') {
    throw new InvalidArgumentError('query() takes SQL text or a { sql, values } options object')
  }
  const result = await run(q.sql, values ?? q.values ?? [])
  if (result.fields.length === 0) return [header(result, q.sql), undefined]
  // The result is already an array of row arrays: given as it is, no copy per query.
  return [q.rowsAsArray === true ? result : objectRows(result, result.fields), fieldsOf(result.fields)]
}

/**
 * mysql2's `query` sends text (COM_QUERY), which BEGIN, SAVEPOINT and the other statements
 * Drizzle sends without parameters need on servers that refuse to prepare them; with parameters,
 * covet binds them in a prepared statement instead of interpolating them into the text.
 */
const PREPARED = { prepare: true } as const
const TEXT = { prepare: false } as const
const textUnlessParams = (params: readonly unknown[]) => (params.length > 0 ? PREPARED : TEXT)

/** A reserved connection shaped as mysql2's PoolConnection: a Drizzle transaction runs on one. */
export class CovetDrizzleMysqlConnection {
  readonly #session: MySqlReservedConnection

  constructor(session: MySqlReservedConnection) {
    this.#session = session
  }

  query(options: string | Mysql2QueryOptions, values?: readonly unknown[]): Promise<Mysql2Shaped> {
    return mysql2Query(
      (sql, p) => this.#session.execute<unknown[]>(sql, p, textUnlessParams(p)),
      options,
      values,
    )
  }

  execute(options: string | Mysql2QueryOptions, values?: readonly unknown[]): Promise<Mysql2Shaped> {
    return this.query(options, values)
  }

  /** Gives the connection back; covet rolls back a transaction left open and resets the session. */
  release(): void {
    this.#session.release()
  }
}

/**
 * A MySqlDriver shaped as mysql2's promise Pool for drizzle-orm's mysql2 driver: `drizzle({
 * client: new CovetDrizzleMysqlPool(url) })`. Drizzle tells a pool by its `getConnection()` and
 * runs each transaction on the connection it gives, released at its end.
 *
 * Values come back as mysql2 with Drizzle's cast gives them: DATE, DATETIME and TIMESTAMP as the
 * server's text, DECIMAL as a string, BIGINT as a number (exact: past 2^53 the query fails with
 * ERR_TYPE_DECODE, where mysql2 rounds; `types: { bigint: 'string' }` reads such ids exactly, as
 * mysql2's bigNumberStrings). So the pool sets the driver's `rowMode`, and `types` under yours.
 */
export class CovetDrizzleMysqlPool {
  readonly #driver: MySqlDriver

  constructor(connection: string | Omit<MySqlDriverOptions, 'rowMode'>) {
    if (typeof connection === 'object' && connection !== null && 'rowMode' in connection) {
      throw new InvalidArgumentError("CovetDrizzleMysqlPool sets rowMode as Drizzle's mysql2 driver reads it")
    }
    const given = typeof connection === 'string' ? {} : (connection as MySqlDriverOptions)
    const options: MySqlDriverOptions = {
      rowMode: 'array',
      types: { bigint: 'number', datetime: 'string', date: 'string', decimal: 'string', ...given.types },
    }
    this.#driver =
      typeof connection === 'string'
        ? new MySqlDriver(connection, options)
        : new MySqlDriver({ ...given, ...options })
  }

  /** The covet driver behind the pool (metrics, bulkInsert...). */
  get driver(): MySqlDriver {
    return this.#driver
  }

  query(options: string | Mysql2QueryOptions, values?: readonly unknown[]): Promise<Mysql2Shaped> {
    return mysql2Query(
      (sql, p) => this.#driver.execute<unknown[]>(sql, p, textUnlessParams(p)),
      options,
      values,
    )
  }

  execute(options: string | Mysql2QueryOptions, values?: readonly unknown[]): Promise<Mysql2Shaped> {
    return this.query(options, values)
  }

  async getConnection(): Promise<CovetDrizzleMysqlConnection> {
    return new CovetDrizzleMysqlConnection(await this.#driver.reserve())
  }

  end(): Promise<void> {
    return this.#driver.close()
  }
}
