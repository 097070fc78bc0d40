import { InvalidArgumentError } from '../../errors/classes.js'
import { SqlFragment } from './sql-tag.js'

/** A statement ready for the connection: text with `$n` placeholders and its parameters. */
export interface BuiltQuery {
  sql: string
  params: readonly unknown[]
}

/**
 * A query builder from covet/query, recognised by shape (DESIGN §2: only drivers know the
 * builder's output, structurally): `build()` returning `{ sql, params }`.
 */
export interface QueryBuilderLike {
  build(): { sql: string; params: readonly unknown[] }
}

export type QueryInput = string | SqlFragment | QueryBuilderLike

const POSTGRES_DIALECTS = new Set(['postgresql', 'postgres', 'pg'])

/** The dialect a builder says it compiles for, if it says: a string or an object with a name. */
function dialectOf(builder: object): string | undefined {
  const d = (builder as { dialect?: unknown }).dialect
  if (typeof d === 'string') return d
  if (typeof d === 'object' && d !== null && typeof (d as { name?: unknown }).name === 'string') {
    return (d as { name: string }).name
  }
  return undefined
}

/** Turns what `execute()` accepts into text + parameters, refusing what it cannot run. */
export function toQuery(input: QueryInput, params: readonly unknown[] | undefined): BuiltQuery {
  if (typeof input === 'string') {
    if (params !== undefined && !Array.isArray(params)) {
      throw new InvalidArgumentError('params must be an array')
    }
    return { sql: input, params: params ?? [] }
  }
  if (typeof input !== 'object' || input === null) {
    throw new InvalidArgumentError('execute() takes SQL text, a sql`` fragment or a query builder')
  }
  if (params !== undefined && params.length > 0) {
    throw new InvalidArgumentError('a sql`` fragment or a builder carries its own parameters')
  }
  if (input instanceof SqlFragment) return input.render()
  if (typeof (input as QueryBuilderLike).build !== 'function') {
    throw new InvalidArgumentError('execute() takes SQL text, a sql`` fragment or a query builder')
  }
  const dialect = dialectOf(input)
  if (dialect !== undefined && !POSTGRES_DIALECTS.has(dialect.toLowerCase())) {
    throw new InvalidArgumentError(`the builder compiles for ${dialect}, not PostgreSQL`)
  }
  const built = (input as QueryBuilderLike).build()
  if (typeof built?.sql !== 'string' || !Array.isArray(built.params)) {
    throw new InvalidArgumentError('the builder must return { sql, params } from build()')
  }
  return built
}

/**
 * Statements that may share a connection with other callers' statements (pipelining): they
 * change no session state. Anything else (SET, BEGIN, LISTEN, DDL...) gets a connection of its own.
 */
const SHAREABLE = /^\s*(?:select|insert|update|delete|with|values|table)\b/i

export function isShareable(sql: string): boolean {
  return SHAREABLE.test(sql)
}
