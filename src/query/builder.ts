import { InvalidArgumentError } from '../errors/classes.js'
import { type RowTyped, rowType } from '../internal/row-type.js'
import { type CompiledQuery, compileBatches, compileQuery, resolveDialect } from './compiler/dialects.js'
import { type Column, ConditionMethods, comparison, type GroupCallback, type Operator } from './conditions.js'
import { AliasedExpression, columnNode, Expression, orderNode, valueNode } from './expressions.js'
import { checkName } from './identifiers.js'
import {
  type ConditionItem,
  cloneQuery,
  type Dialect,
  type DialectName,
  emptyQuery,
  type FromNode,
  isQuerySource,
  type JoinType,
  type QueryNode,
  type QuerySource,
  type SelectItem,
  type SetOperator,
  type StatementKind,
  type TableNode,
  toQueryNode,
} from './nodes.js'
import { parseOnClause } from './on-clause.js'
import type {
  AddScope,
  JoinScope,
  Mode,
  RefAlias,
  RefRow,
  ResultRow,
  Select,
  Selector,
  SourceRow,
  TableName,
  TableRef,
  Unselected,
} from './row-types.js'

export type SelectArg = string | Expression | AliasedExpression
export type TableArg = string | Expression | QuerySource
export type JoinCondition = string | GroupCallback | Expression

const JOIN_TYPES: ReadonlySet<string> = new Set(['inner', 'left', 'right', 'full', 'cross'])

const ALIASED = /^(\S+)\s+as\s+(\S+)$/i

/** `'u.name as n'` → column + alias; anything else is a column (checked when compiled). */
function selectItem(arg: SelectArg): SelectItem {
  if (typeof arg === 'string') {
    const m = arg.indexOf(' ') === -1 ? null : ALIASED.exec(arg)
    if (m === null) return { expr: { kind: 'path', path: arg }, alias: null }
    return { expr: { kind: 'path', path: m[1]! }, alias: checkName(m[2], 'alias') }
  }
  if (arg instanceof AliasedExpression) return { expr: arg.node, alias: arg.alias }
  return { expr: columnNode(arg), alias: null }
}

function tableNode(table: TableArg, alias: string | undefined): FromNode {
  const a = alias === undefined ? null : checkName(alias, 'alias')
  if (typeof table === 'string') {
    const m = table.indexOf(' ') === -1 ? null : ALIASED.exec(table)
    if (m !== null) {
      if (a !== null) throw new InvalidArgumentError(`${JSON.stringify(table)} already has an alias`)
      return { kind: 'table', name: { kind: 'path', path: m[1]! }, alias: checkName(m[2], 'alias') }
    }
    return { kind: 'table', name: { kind: 'path', path: table }, alias: a }
  }
  if (table instanceof Expression && table.node.kind === 'ident')
    return { kind: 'table', name: table.node, alias: a }
  if (isQuerySource(table)) {
    if (a === null) throw new InvalidArgumentError('a subquery in FROM or JOIN needs an alias')
    return { kind: 'derived', query: table[toQueryNode](), alias: a }
  }
  throw new InvalidArgumentError('a table is a name, ident(…) or a builder')
}

function joinCondition(on: JoinCondition): readonly ConditionItem[] {
  if (typeof on === 'string') return parseOnClause(on)
  return [{ or: false, condition: comparison(1, on, undefined, undefined) }]
}

function checkCount(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new InvalidArgumentError(`${what} must be a non-negative safe integer`)
  }
  return n
}

/** A table argument once the builder has a table map: names go through the typed overloads. */
type FromArg<T> = Mode<T> extends 'tables' ? Expression : TableArg

/**
 * The builder once `Scope` changed: the same object, typed anew (see row-types.ts). Only a table
 * map has a scope; other builders stay `This`.
 */
type Scoped<T, S, Out, This> = Mode<T> extends 'tables' ? QueryBuilder<T, S, Out> : This
/** The builder once `Out` changed: untyped builders stay `This`. */
type Selected<T, S, Out, X, This> =
  Mode<T> extends 'untyped' ? This : QueryBuilder<T, S, Select<T, S, Out, X>>

/**
 * A mutable, chainable SQL statement (DESIGN §3): every method records nodes and returns `this`;
 * `build()` compiles for the builder's dialect. The type parameters only type the rows (see
 * row-types.ts): `T` is a row type or a table map, `Scope` the tables in FROM/JOIN by alias, `Out`
 * the row select()/returning() built. A call that changes them returns the same object.
 */
export class QueryBuilder<T = Record<string, unknown>, Scope = Record<never, never>, Out = Unselected>
  extends ConditionMethods
  implements QuerySource, RowTyped<ResultRow<T, Scope, Out>>
{
  readonly dialect: Dialect
  declare readonly [rowType]?: ResultRow<T, Scope, Out>
  #q: QueryNode

  constructor(dialect: DialectName = 'postgres') {
    super()
    this.dialect = resolveDialect(dialect)
    this.#q = emptyQuery()
  }

  protected override conditionList(): ConditionItem[] {
    return this.#q.where
  }

  /** A snapshot of the query as nodes; later calls on this builder do not change it. */
  [toQueryNode](): QueryNode {
    return cloneQuery(this.#q)
  }

  /**
   * Typed builders check the names (`'u.id'`, `'u.*'`, `'id as n'`, expressions `.as('n')`) and
   * narrow the row type to what is selected; untyped ones take any SelectArg.
   */
  select<X extends Selector<T, Scope>[]>(...columns: X): Selected<T, Scope, Out, X[number], this>
  // The same object either way: narrowing the row type changes only what TypeScript knows.
  select(...columns: SelectArg[]): unknown {
    for (const c of columns) this.#q.columns.push(selectItem(c))
    return this
  }

  distinct(): this {
    this.#q.distinct = true
    return this
  }

  /** PostgreSQL `DISTINCT ON (…)`; ERR_UNSUPPORTED elsewhere. */
  distinctOn(...columns: Column[]): this {
    for (const c of columns) this.#q.distinctOn.push(columnNode(c))
    return this
  }

  /** With a table map, a table name (or `'users as u'`) brings its row into scope under its alias. */
  from<X extends TableRef<T>, A extends string = never>(
    table: X,
    alias?: A,
  ): Scoped<T, AddScope<Scope, RefAlias<X, A>, RefRow<T, X>>, Out, this>
  from<Q extends QuerySource, A extends string>(
    table: Q,
    alias: A,
  ): Scoped<T, AddScope<Scope, A, SourceRow<Q>>, Out, this>
  from(table: FromArg<T>, alias?: string): this
  from(table: TableArg, alias?: string): unknown {
    this.#q.from.push(tableNode(table, alias))
    return this
  }

  /** Typed like from(); a LEFT join makes the joined row's columns nullable, RIGHT the others', FULL both. */
  join<X extends TableRef<T>, J extends JoinType = 'inner', A extends string = never>(
    table: X,
    on: JoinCondition,
    type?: J,
    alias?: A,
  ): Scoped<T, JoinScope<Scope, RefAlias<X, A>, RefRow<T, X>, J>, Out, this>
  join<Q extends QuerySource, J extends JoinType, A extends string>(
    table: Q,
    on: JoinCondition,
    type: J,
    alias: A,
  ): Scoped<T, JoinScope<Scope, A, SourceRow<Q>, J>, Out, this>
  join(table: FromArg<T>, on: JoinCondition, type?: JoinType, alias?: string): this
  join(table: TableArg, on: JoinCondition, type: JoinType = 'inner', alias?: string): unknown {
    return this.#join(type, table, alias, on, false)
  }

  innerJoin<X extends TableRef<T>, A extends string = never>(
    table: X,
    alias?: A,
    on?: JoinCondition,
  ): Scoped<T, JoinScope<Scope, RefAlias<X, A>, RefRow<T, X>, 'inner'>, Out, this>
  innerJoin(table: FromArg<T>, alias?: string, on?: JoinCondition): this
  innerJoin(table: TableArg, alias?: string, on?: JoinCondition): unknown {
    return this.#join('inner', table, alias, on, false)
  }

  leftJoin<X extends TableRef<T>, A extends string = never>(
    table: X,
    alias?: A,
    on?: JoinCondition,
  ): Scoped<T, JoinScope<Scope, RefAlias<X, A>, RefRow<T, X>, 'left'>, Out, this>
  leftJoin(table: FromArg<T>, alias?: string, on?: JoinCondition): this
  leftJoin(table: TableArg, alias?: string, on?: JoinCondition): unknown {
    return this.#join('left', table, alias, on, false)
  }

  rightJoin<X extends TableRef<T>, A extends string = never>(
    table: X,
    alias?: A,
    on?: JoinCondition,
  ): Scoped<T, JoinScope<Scope, RefAlias<X, A>, RefRow<T, X>, 'right'>, Out, this>
  rightJoin(table: FromArg<T>, alias?: string, on?: JoinCondition): this
  rightJoin(table: TableArg, alias?: string, on?: JoinCondition): unknown {
    return this.#join('right', table, alias, on, false)
  }

  fullJoin<X extends TableRef<T>, A extends string = never>(
    table: X,
    alias?: A,
    on?: JoinCondition,
  ): Scoped<T, JoinScope<Scope, RefAlias<X, A>, RefRow<T, X>, 'full'>, Out, this>
  fullJoin(table: FromArg<T>, alias?: string, on?: JoinCondition): this
  fullJoin(table: TableArg, alias?: string, on?: JoinCondition): unknown {
    return this.#join('full', table, alias, on, false)
  }

  crossJoin<X extends TableRef<T>, A extends string = never>(
    table: X,
    alias?: A,
  ): Scoped<T, JoinScope<Scope, RefAlias<X, A>, RefRow<T, X>, 'cross'>, Out, this>
  crossJoin(table: FromArg<T>, alias?: string): this
  crossJoin(table: TableArg, alias?: string): unknown {
    return this.#join('cross', table, alias, undefined, false)
  }

  /** `JOIN LATERAL` (PostgreSQL, MySQL 8) / `CROSS APPLY` (MSSQL). */
  innerJoinLateral<Q extends QuerySource, A extends string>(
    query: Q,
    alias: A,
    on?: JoinCondition,
  ): Scoped<T, JoinScope<Scope, A, SourceRow<Q>, 'inner'>, Out, this> {
    return this.#join(on === undefined ? 'cross' : 'inner', query, alias, on, true) as never
  }

  /** `LEFT JOIN LATERAL … ON true` / `OUTER APPLY` (MSSQL). */
  leftJoinLateral<Q extends QuerySource, A extends string>(
    query: Q,
    alias: A,
    on?: JoinCondition,
  ): Scoped<T, JoinScope<Scope, A, SourceRow<Q>, 'left'>, Out, this> {
    return this.#join('left', query, alias, on, true) as never
  }

  #join(
    type: JoinType,
    table: TableArg,
    alias: string | undefined,
    on: JoinCondition | undefined,
    lateral: boolean,
  ) {
    if (!JOIN_TYPES.has(type))
      throw new InvalidArgumentError(`join type must be one of ${[...JOIN_TYPES].join(', ')}`)
    if (type === 'cross' && on !== undefined)
      throw new InvalidArgumentError('a CROSS join takes no condition')
    if (type !== 'cross' && on === undefined && !lateral) {
      throw new InvalidArgumentError(`a ${type.toUpperCase()} join needs a condition`)
    }
    const node = tableNode(table, alias)
    this.#q.joins.push({ type, table: node, on: on === undefined ? null : joinCondition(on), lateral })
    return this
  }

  groupBy(...columns: Column[]): this {
    for (const c of columns) this.#q.groupBy.push(columnNode(c))
    return this
  }

  having(group: GroupCallback | Expression): this
  having(column: Column, value: unknown): this
  having(column: Column, op: Operator, value: unknown): this
  having(...args: [unknown, unknown?, unknown?]): this {
    this.#q.having.push({ or: false, condition: comparison(args.length, args[0], args[1], args[2]) })
    return this
  }

  orHaving(group: GroupCallback | Expression): this
  orHaving(column: Column, value: unknown): this
  orHaving(column: Column, op: Operator, value: unknown): this
  orHaving(...args: [unknown, unknown?, unknown?]): this {
    this.#q.having.push({ or: true, condition: comparison(args.length, args[0], args[1], args[2]) })
    return this
  }

  orderBy(column: Column, direction: 'asc' | 'desc' = 'asc', nulls?: 'first' | 'last'): this {
    this.#q.orderBy.push(orderNode(column, direction, nulls))
    return this
  }

  /** Inlined after checking it is a non-negative safe integer. */
  limit(count: number): this {
    this.#q.limit = checkCount(count, 'limit')
    return this
  }

  offset(count: number): this {
    this.#q.offset = checkCount(count, 'offset')
    return this
  }

  with(name: string, query: QuerySource, columns?: readonly string[]): this {
    return this.#with(name, query, columns, false)
  }

  withRecursive(name: string, query: QuerySource, columns?: readonly string[]): this {
    return this.#with(name, query, columns, true)
  }

  #with(name: string, query: QuerySource, columns: readonly string[] | undefined, recursive: boolean): this {
    if (!isQuerySource(query)) throw new InvalidArgumentError('with() takes a builder')
    const cols = columns === undefined ? null : columns.map((c) => checkName(c, 'CTE column'))
    this.#q.with.push({
      name: checkName(name, 'CTE name'),
      columns: cols,
      query: query[toQueryNode](),
      recursive,
    })
    return this
  }

  union(query: QuerySource): this {
    return this.#setOp('union', false, query)
  }

  unionAll(query: QuerySource): this {
    return this.#setOp('union', true, query)
  }

  intersect(query: QuerySource): this {
    return this.#setOp('intersect', false, query)
  }

  except(query: QuerySource): this {
    return this.#setOp('except', false, query)
  }

  #setOp(op: SetOperator, all: boolean, query: QuerySource): this {
    if (!isQuerySource(query)) throw new InvalidArgumentError(`${op}() takes a builder`)
    this.#q.setOps.push({ op, all, query: query[toQueryNode]() })
    return this
  }

  #statement(kind: StatementKind, table: string | Expression, alias: string | undefined): this {
    const target = tableNode(table, alias)
    if (target.kind !== 'table') throw new InvalidArgumentError(`${kind} needs a table name`)
    this.#q.kind = kind
    this.#q.target = target as TableNode
    return this
  }

  insert<X extends TableName<T>>(table: X): Scoped<T, AddScope<Scope, X, T[X]>, Out, this>
  insert(table: Mode<T> extends 'tables' ? Expression : string | Expression): this
  insert(table: string | Expression): unknown {
    return this.#statement('insert', table, undefined)
  }

  /** The columns of an INSERT … SELECT. */
  columns(...columns: string[]): this {
    this.#q.insertColumns = columns.map((c) => checkName(c, 'INSERT column'))
    return this
  }

  /** One row, several rows (columns are the union of their keys), or a builder (INSERT … SELECT). */
  values(rows: Record<string, unknown> | readonly Record<string, unknown>[] | QuerySource): this {
    if (isQuerySource(rows)) {
      this.#q.insertQuery = rows[toQueryNode]()
      return this
    }
    const list = Array.isArray(rows) ? rows : [rows]
    for (const row of list) {
      if (typeof row !== 'object' || row === null)
        throw new InvalidArgumentError('each row must be an object')
      this.#q.rows.push(row)
    }
    return this
  }

  update<X extends TableRef<T>, A extends string = never>(
    table: X,
    alias?: A,
  ): Scoped<T, AddScope<Scope, RefAlias<X, A>, RefRow<T, X>>, Out, this>
  update(table: Mode<T> extends 'tables' ? Expression : string | Expression, alias?: string): this
  update(table: string | Expression, alias?: string): unknown {
    return this.#statement('update', table, alias)
  }

  set(values: Record<string, unknown>): this {
    for (const column of Object.keys(values)) {
      const v = values[column]
      if (v !== undefined) this.#q.set.push({ column: checkName(column, 'SET column'), value: valueNode(v) })
    }
    return this
  }

  delete<X extends TableRef<T>, A extends string = never>(
    table: X,
    alias?: A,
  ): Scoped<T, AddScope<Scope, RefAlias<X, A>, RefRow<T, X>>, Out, this>
  delete(table: Mode<T> extends 'tables' ? Expression : string | Expression, alias?: string): this
  delete(table: string | Expression, alias?: string): unknown {
    return this.#statement('delete', table, alias)
  }

  /** Upsert target: ON CONFLICT (PG, SQLite), ON DUPLICATE KEY (MySQL, any unique key), MERGE (MSSQL). */
  onConflict(columns: string | readonly string[]): OnConflict<this> {
    const list = (typeof columns === 'string' ? [columns] : columns).map((c) =>
      checkName(c, 'conflict column'),
    )
    return new OnConflict(this, (set) => {
      this.#q.conflict = { columns: list, set }
    })
  }

  /** Typed and narrowing like select(). */
  returning<X extends Selector<T, Scope>[]>(...columns: X): Selected<T, Scope, Out, X[number], this>
  returning(...columns: SelectArg[]): unknown {
    for (const c of columns) this.#q.returning.push(selectItem(c))
    return this
  }

  /** This builder as a scalar subquery in a select list. */
  as<A extends string>(alias: A): AliasedExpression<A> {
    return new AliasedExpression(
      { kind: 'subquery', query: cloneQuery(this.#q) },
      checkName(alias, 'alias') as A,
    )
  }

  clone(): QueryBuilder<T, Scope, Out> {
    const copy = new QueryBuilder<T, Scope, Out>(this.dialect)
    copy.#q = cloneQuery(this.#q)
    return copy
  }

  /** `{ sql, params }` for this builder's dialect, or for `dialect` when given. */
  build(dialect?: DialectName): CompiledQuery<ResultRow<T, Scope, Out>> {
    return compileQuery(this.#q, dialect === undefined ? this.dialect : resolveDialect(dialect))
  }

  /** A multi-row INSERT split into statements that each stay under the dialect's parameter limit. */
  buildBatches(dialect?: DialectName): CompiledQuery<ResultRow<T, Scope, Out>>[] {
    return compileBatches(this.#q, dialect === undefined ? this.dialect : resolveDialect(dialect))
  }
}

/** The row type of a builder or of its compiled statement. */
export type RowOf<Q> = Q extends RowTyped<infer R> ? R : never

/** What `onConflict(cols)` returns: choose the action, get the builder back. */
export class OnConflict<B> {
  readonly #builder: B
  readonly #apply: (set: QueryNode['set'] | null) => void
  constructor(builder: B, apply: (set: QueryNode['set'] | null) => void) {
    this.#builder = builder
    this.#apply = apply
  }

  doNothing(): B {
    this.#apply(null)
    return this.#builder
  }

  /** An object of column → value (`excluded('c')` for the proposed value), or column names to take from the proposed row. */
  doUpdate(values: Record<string, unknown> | readonly string[]): B {
    const set = Array.isArray(values)
      ? values.map((c: string) => ({
          column: checkName(c, 'update column'),
          value: { kind: 'excluded', column: c } as const,
        }))
      : Object.keys(values)
          .filter((c) => (values as Record<string, unknown>)[c] !== undefined)
          .map((c) => ({
            column: checkName(c, 'update column'),
            value: valueNode((values as Record<string, unknown>)[c]),
          }))
    if (set.length === 0) throw new InvalidArgumentError('doUpdate() needs at least one column')
    this.#apply(set)
    return this.#builder
  }
}
