/**
 * What the storage code runs statements on: covet's PostgresDriver, or — inside
 * `driver.transaction(async (tx) => ...)` — its transaction, which has the same execute/executeOne.
 */
import type { PostgresDriver } from '../../../src/postgres/index.js'

export type Database = PostgresDriver

export type Queryable = Pick<PostgresDriver, 'execute' | 'executeOne'>
