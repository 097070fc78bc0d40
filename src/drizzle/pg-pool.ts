import { InvalidArgumentError } from '../errors/classes.js'
import type { PostgresDriverOptions } from '../postgres/driver/options.js'
import type { ReservedConnection } from '../postgres/driver/reserved.js'
import { PostgresDriver } from '../postgres/driver.js'
import type { FieldDescription } from '../postgres/protocol/messages.js'
import type { QueryResult as CovetResult } from '../postgres/query-handlers.js'
import { objectRows } from './rows.js'

/** What drizzle-orm/node-postgres passes to `query()`: pg's QueryConfig, of which covet reads text, values and rowMode. */
export interface PgQueryConfig {
  text: string
  values?: readonly unknown[]
  /** 'array': each row an array of its values in column order (Drizzle's selects, so that joined columns of one name survive). */
  rowMode?: 'array'
  /** pg's statement name and type parsers: covet caches statements itself and decodes as Drizzle's parsers do (see CovetDrizzlePool). */
  name?: string
  types?: unknown
}

/** pg's QueryResult, as Drizzle reads it and `db.execute()` returns it. */
export interface PgShapedResult {
  command: string
  rowCount: number | null
  rows: unknown[]
  fields: { name: string; dataTypeID: number; tableID: number; columnID: number }[]
  oid: null
}

type Runner = (sql: string, params: readonly unknown[]) => Promise<CovetResult<unknown[]>>

/** pg's fields, built once per result description (a cached statement gives the same array each time). */
const PG_FIELDS = new WeakMap<FieldDescription[], PgShapedResult['fields']>()

function fieldsOf(fields: FieldDescription[]): PgShapedResult['fields'] {
  let shaped = PG_FIELDS.get(fields)
  if (shaped === undefined) {
    shaped = fields.map((f) => ({
      name: f.name,
      dataTypeID: f.typeOid,
      tableID: f.tableOid,
      columnID: f.columnAttribute,
    }))
    PG_FIELDS.set(fields, shaped)
  }
  return shaped
}

async function pgQuery(
  run: Runner,
  config: string | PgQueryConfig,
  values?: readonly unknown[],
): Promise<PgShapedResult> {
  const q = typeof config === 'string' ? { text: config } : config
  if (typeof q !== 'object' || q === null || typeof q.text !== 'string') {
    throw new InvalidArgumentError('query() takes SQL text or a { text, values } config')
  }
  const result = await run(q.text, values ?? q.values ?? [])
  // The result is already an array of row arrays: given as it is, no copy per query.
  const rows = q.rowMode === 'array' ? result : objectRows(result, result.fields)
  return {
    command: result.command,
    rowCount: result.rowCount,
    rows,
    fields: fieldsOf(result.fields),
    oid: null,
  }
}

/** A reserved connection shaped as pg's PoolClient: a Drizzle transaction runs on one. */
export class CovetDrizzleClient {
  readonly #session: ReservedConnection

  constructor(session: ReservedConnection) {
    this.#session = session
  }

  query(config: string | PgQueryConfig, values?: readonly unknown[]): Promise<PgShapedResult> {
    return pgQuery((sql, params) => this.#session.execute<unknown[]>(sql, params), config, values)
  }

  /** Gives the connection back; covet rolls back a transaction left open and resets what the session changed. */
  release(): void {
    this.#session.release()
  }
}

const OWN_KEYS = ['rowMode', 'types'] as const

/**
 * A PostgresDriver shaped as pg's Pool for drizzle-orm's node-postgres driver: `drizzle({ client:
 * new CovetDrizzlePool(url) })`. Drizzle tells a pool from a client by the class name ("Pool")
 * and runs each transaction on `connect()`'s client, released at its end.
 *
 * Values come back as Drizzle's pg type parsers leave them: timestamps, dates and intervals as
 * PostgreSQL's text (Drizzle maps them per column), int8 and numeric as strings, the rest as pg
 * parses them. So the pool sets the driver's `rowMode` and `types`; the other PostgresDriver
 * options are the caller's.
 */
export class CovetDrizzlePool {
  readonly #driver: PostgresDriver

  constructor(connection: string | Omit<PostgresDriverOptions, 'rowMode' | 'types'>) {
    if (typeof connection === 'object' && connection !== null) {
      for (const key of OWN_KEYS) {
        if (key in connection) {
          throw new InvalidArgumentError(
            `CovetDrizzlePool sets ${key} as Drizzle's node-postgres driver reads it`,
          )
        }
      }
    }
    const options: PostgresDriverOptions = {
      rowMode: 'array',
      types: { int8: 'string', timestamps: 'string', date: 'string', interval: 'string', numeric: 'string' },
    }
    this.#driver =
      typeof connection === 'string'
        ? new PostgresDriver(connection, options)
        : new PostgresDriver({ ...(connection as PostgresDriverOptions), ...options })
  }

  /** The covet driver behind the pool (metrics, listen, bulkInsert...). */
  get driver(): PostgresDriver {
    return this.#driver
  }

  query(config: string | PgQueryConfig, values?: readonly unknown[]): Promise<PgShapedResult> {
    return pgQuery((sql, params) => this.#driver.execute<unknown[]>(sql, params), config, values)
  }

  async connect(): Promise<CovetDrizzleClient> {
    return new CovetDrizzleClient(await this.#driver.reserve())
  }

  end(): Promise<void> {
    return this.#driver.close()
  }
}
