/**
 * What the storage code says differently on PostgreSQL and on MySQL/MariaDB: the builder's dialect,
 * jsonb containment, the database clock, how tags travel, how a boolean comes back, and the schema
 * (storage/schema.ts). Everything else is one QueryBuilder statement for both.
 *
 * Case-insensitive title search is the builder's `ilike` on both: PostgreSQL's ILIKE, and on MySQL
 * and MariaDB `lower(title) LIKE lower(?)`. The MariaDB tables use the binary collation
 * utf8mb4_bin (schema.ts), so `=` and UNIQUE compare exactly as PostgreSQL's text does, and the
 * case-folding happens only where the query asks for it.
 */
import { type Expression, QueryBuilder, sql } from '../../../src/query/index.js'

export interface SqlDialect {
  /** What the banner and the schema choice go by. */
  readonly name: 'postgresql' | 'mariadb' | 'mysql'
  /** A fresh builder for this dialect. */
  builder(): QueryBuilder
  /** A condition: the note's tags include every one of `tags`. */
  tagsContain(tags: readonly string[]): Expression
  /** The database's clock, in the form the timestamp columns hold. */
  readonly now: Expression
  /** `tags` as a bound value for the tags column. */
  tagsValue(tags: readonly string[]): unknown
  /** A boolean the database computed (a select-list comparison), as read back. */
  isTrue(value: unknown): boolean
}

export const POSTGRES: SqlDialect = {
  name: 'postgresql',
  builder: () => new QueryBuilder('postgresql'),
  // jsonb containment (@>) is not in the builder's operator list: a raw fragment, value still bound.
  tagsContain: (tags) => sql`tags @> ${JSON.stringify(tags)}::jsonb`,
  now: sql`now()`,
  // The server types the parameter jsonb (statements are prepared), so the driver sends it as JSON.
  tagsValue: (tags) => tags,
  isTrue: (value) => value === true,
}

/**
 * MariaDB ≥ 10.5 and MySQL ≥ 8.0.13 (JSON_CONTAINS, DATETIME(6), expression defaults). MariaDB's
 * JSON is LONGTEXT with a JSON_VALID check; covet reads it back parsed either way (MariaDB marks
 * the column with the extended format 'json').
 */
function mysqlFamily(name: 'mariadb' | 'mysql'): SqlDialect {
  return {
    name,
    builder: () => new QueryBuilder(name),
    // MariaDB KB "JSON_CONTAINS": true when every element of the candidate array is in the target.
    tagsContain: (tags) => sql`JSON_CONTAINS(tags, ${JSON.stringify(tags)})`,
    // NOW(6): microseconds, as stored. NOW() alone is whole seconds, which would keep a session
    // alive up to a second past its expiry. It reads the session time zone, the one covet sets
    // at connect and writes Dates in ('+00:00', app.ts).
    now: sql`NOW(6)`,
    // The builder binds no array for MySQL (it would be ambiguous there): the JSON text instead.
    tagsValue: (tags) => JSON.stringify(tags),
    // A comparison yields an integer there: 0 or 1.
    isTrue: (value) => Number(value) === 1,
  }
}

export const MARIADB: SqlDialect = mysqlFamily('mariadb')
export const MYSQL: SqlDialect = mysqlFamily('mysql')
