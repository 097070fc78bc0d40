import { InvalidArgumentError } from '../errors/classes.js'
import type { SqlSyntax } from '../query/compiler/expressions.js'
import type { BuiltQuery } from './query-input.js'

/**
 * The `sql` tagged template: every interpolated value becomes a bound parameter (`$n` or `?`,
 * the dialect's placeholder from covet/query's compiler), never text, so a value cannot inject
 * SQL. Three kinds of value are spliced instead: another fragment (its text, with its parameters
 * renumbered), an identifier from `sql.id()` (quoted by the dialect's compiler: PostgreSQL
 * §4.1.1, MySQL manual 11.2) and a list from `sql.in()` (`($1, $2, ...)`).
 */
export class SqlFragment {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
    readonly syntax: SqlSyntax,
  ) {}

  /** The text with the dialect's placeholders and the parameters in order. */
  render(): BuiltQuery {
    const params: unknown[] = []
    const sql = this.appendTo(params, this.syntax)
    return { sql, params }
  }

  /** Used by render() of an enclosing fragment: its placeholders number on from `params`. */
  appendTo(params: unknown[], syntax: SqlSyntax): string {
    let text = this.strings[0]!
    for (let i = 0; i < this.values.length; i++) {
      text += spliced(this.values[i], params, syntax) + this.strings[i + 1]!
    }
    return text
  }
}

class Identifier {
  constructor(readonly quoted: string) {}
}

class InList {
  constructor(readonly values: readonly unknown[]) {}
}

function spliced(value: unknown, params: unknown[], syntax: SqlSyntax): string {
  if (value instanceof SqlFragment) return value.appendTo(params, syntax)
  if (value instanceof Identifier) return value.quoted
  if (value instanceof InList) {
    // `x IN ()` is a syntax error; `x IN (NULL)` is never true, which is what an empty list means.
    if (value.values.length === 0) return '(NULL)'
    return `(${value.values.map((v) => placeholder(v, params, syntax)).join(', ')})`
  }
  return placeholder(value, params, syntax)
}

function placeholder(value: unknown, params: unknown[], syntax: SqlSyntax): string {
  params.push(value)
  return syntax.placeholder(params.length)
}

/**
 * Quotes one identifier as the dialect's compiler does (inner quote characters doubled); an
 * empty name or a NUL is refused (PostgreSQL §4.1.1, MySQL manual 11.2: no NUL in a name).
 */
export function quoteIdentifier(name: string, syntax: SqlSyntax): string {
  if (typeof name !== 'string' || name.length === 0 || name.includes('\0')) {
    throw new InvalidArgumentError('an identifier must be a non-empty string without NUL')
  }
  return syntax.quote(name)
}

export interface SqlTag<R> {
  (strings: TemplateStringsArray, ...values: unknown[]): R
  /** An identifier, quoted: `sql.id('users')`, or qualified: `sql.id('public', 'users')`. */
  id(...parts: string[]): unknown
  /** A parenthesised list of parameters for `IN`: `where id in ${sql.in([1, 2, 3])}`. */
  in(values: readonly unknown[]): unknown
  /** A fragment to splice into another `sql` template (not executed by itself). */
  fragment(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment
}

/** Builds a tag for `syntax` whose result is `make(fragment)` (e.g. an executable query). */
export function createSqlTag<R>(syntax: SqlSyntax, make: (fragment: SqlFragment) => R): SqlTag<R> {
  const tag = ((strings: TemplateStringsArray, ...values: unknown[]) =>
    make(new SqlFragment(strings, values, syntax))) as SqlTag<R>
  tag.id = (...parts: string[]) => {
    if (parts.length === 0) throw new InvalidArgumentError('sql.id() needs at least one name')
    return new Identifier(parts.map((part) => quoteIdentifier(part, syntax)).join('.'))
  }
  tag.in = (values: readonly unknown[]) => {
    if (!Array.isArray(values)) throw new InvalidArgumentError('sql.in() takes an array')
    return new InList([...values])
  }
  tag.fragment = (strings: TemplateStringsArray, ...values: unknown[]) =>
    new SqlFragment(strings, values, syntax)
  return tag
}

/**
 * What `driver.sql\`...\`` returns: a fragment that runs when awaited (once), so it can also be
 * passed to `execute()` or spliced into another template without running.
 */
export class SqlQuery<T> extends SqlFragment implements PromiseLike<T> {
  #run: (query: BuiltQuery) => Promise<T>
  #result: Promise<T> | undefined

  constructor(fragment: SqlFragment, run: (query: BuiltQuery) => Promise<T>) {
    super(fragment.strings, fragment.values, fragment.syntax)
    this.#run = run
  }

  // biome-ignore lint/suspicious/noThenProperty: awaiting the query runs it, as in postgres.js
  then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.#result ??= Promise.resolve().then(() => this.#run(this.render()))
    return this.#result.then(onFulfilled, onRejected)
  }
}

/** The `sql` tag of anything with `execute` (the driver, a transaction): a tagged query runs there. */
export function executingSqlTag<R>(
  syntax: SqlSyntax,
  execute: (sql: string, params: readonly unknown[]) => Promise<R>,
): SqlTag<SqlQuery<R>> {
  return createSqlTag(syntax, (fragment) => new SqlQuery(fragment, (q) => execute(q.sql, q.params)))
}

/** `executeOne`'s answer: the first row, or null. */
export const firstRow = <T>(rows: readonly T[]): T | null => (rows.length === 0 ? null : rows[0]!)
