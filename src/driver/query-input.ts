import { InvalidArgumentError } from '../errors/classes.js'
import type { RowTypeOf } from '../internal/row-type.js'
import type { QueryDialect } from './contract.js'
import { SqlFragment } from './sql-tag.js'

/** A statement ready for the connection: text with the dialect's placeholders and its parameters. */
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

/**
 * The row type of `execute(input)`: the explicit `T` when given, else the row type a typed
 * builder declares (covet/query's), else plain objects.
 */
export type RowFor<T, I> = [T] extends [never] ? RowTypeOf<I, Record<string, unknown>> : T

/** The dialect a builder says it compiles for, if it says: a string or an object with a name. */
function dialectOf(builder: object): string | undefined {
  const d = (builder as { dialect?: unknown }).dialect
  if (typeof d === 'string') return d
  if (typeof d === 'object' && d !== null && typeof (d as { name?: unknown }).name === 'string') {
    return (d as { name: string }).name
  }
  return undefined
}

/**
 * Turns what `execute()` accepts into text + parameters, refusing what it cannot run: a
 * fragment or a builder made for another dialect would carry the wrong placeholders and quotes.
 */
export function toQuery(
  input: QueryInput,
  params: readonly unknown[] | undefined,
  dialect: QueryDialect,
): BuiltQuery {
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
  if (input instanceof SqlFragment) {
    if (!dialect.builderDialects.has(input.syntax.dialect)) {
      throw new InvalidArgumentError(
        `the sql\`\` fragment was written for ${input.syntax.label}, not ${dialect.syntax.label}`,
      )
    }
    return input.render()
  }
  if (typeof (input as QueryBuilderLike).build !== 'function') {
    throw new InvalidArgumentError('execute() takes SQL text, a sql`` fragment or a query builder')
  }
  const name = dialectOf(input)
  if (name !== undefined && !dialect.builderDialects.has(name.toLowerCase())) {
    throw new InvalidArgumentError(`the builder compiles for ${name}, not ${dialect.syntax.label}`)
  }
  const built = (input as QueryBuilderLike).build()
  if (typeof built?.sql !== 'string' || !Array.isArray(built.params)) {
    throw new InvalidArgumentError('the builder must return { sql, params } from build()')
  }
  return built
}
