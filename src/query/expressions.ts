import { InvalidArgumentError, QueryBuilderError } from '../errors/classes.js'
import { checkFunctionName, checkIdentParts, checkName } from './identifiers.js'
import {
  type Direction,
  type ExprNode,
  isQuerySource,
  type NullsOrder,
  type OrderNode,
  type RawNode,
  toQueryNode,
} from './nodes.js'

/**
 * Expressions a user can put where a column or a value goes: `sql` fragments with bound values,
 * `ident()` for unusual names, `col()` for a column on the value side, `val()`, `fn()` with
 * `.over()` for window functions, `excluded()` for upserts. Each wraps one node.
 */
export class Expression {
  readonly node: ExprNode
  constructor(node: ExprNode) {
    this.node = node
  }

  /** This expression under an alias, for select lists and RETURNING (the alias names a typed row's column). */
  as<A extends string>(alias: A): AliasedExpression<A> {
    return new AliasedExpression(this.node, checkName(alias, 'alias') as A)
  }

  /** `fn OVER (PARTITION BY … ORDER BY …)`. */
  over(window: WindowSpec = {}): Expression {
    const partitionBy = toArray(window.partitionBy).map(columnNode)
    const orderBy = toArray(window.orderBy).map((o) =>
      typeof o === 'string' || o instanceof Expression
        ? orderNode(o, 'asc', null)
        : orderNode(o[0], o[1], o[2]),
    )
    return new Expression({ kind: 'window', fn: this.node, partitionBy, orderBy })
  }
}

export class AliasedExpression<A extends string = string> {
  readonly node: ExprNode
  readonly alias: A
  constructor(node: ExprNode, alias: A) {
    this.node = node
    this.alias = alias
  }
}

export type OrderSpec = string | Expression | readonly [string | Expression, Direction?, NullsOrder?]

export interface WindowSpec {
  partitionBy?: string | Expression | readonly (string | Expression)[]
  /** One column, or a list whose items may be `[column, direction, nulls]` tuples. */
  orderBy?: string | Expression | readonly OrderSpec[]
}

function toArray<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return []
  return Array.isArray(value) ? (value as readonly T[]) : [value as T]
}

/** A column reference: a path string, an Expression, or a builder as a scalar subquery. */
export function columnNode(value: unknown): ExprNode {
  if (typeof value === 'string') return { kind: 'path', path: value }
  if (value instanceof Expression) return value.node
  if (isQuerySource(value)) return { kind: 'subquery', query: value[toQueryNode]() }
  throw new InvalidArgumentError(`expected a column name, an Expression or a builder, got a ${typeof value}`)
}

/** A value: bound as a parameter unless it is an Expression or a builder (subquery). */
export function valueNode(value: unknown): ExprNode {
  const type = typeof value
  // Strings and numbers first: they are nearly every value, and need none of the checks below.
  if (type === 'string' || type === 'number') return { kind: 'value', value }
  if (value instanceof Expression) return value.node
  if (value === undefined) {
    throw new InvalidArgumentError('undefined is not an SQL value; use null for NULL')
  }
  if (isQuerySource(value)) return { kind: 'subquery', query: value[toQueryNode]() }
  return { kind: 'value', value }
}

export function orderNode(column: unknown, direction: unknown = 'asc', nulls: unknown = null): OrderNode {
  const d = typeof direction === 'string' ? direction.toLowerCase() : direction
  if (d !== 'asc' && d !== 'desc') throw new InvalidArgumentError("order direction must be 'asc' or 'desc'")
  const n = typeof nulls === 'string' ? nulls.toLowerCase() : nulls
  if (n !== null && n !== undefined && n !== 'first' && n !== 'last') {
    throw new InvalidArgumentError("nulls must be 'first' or 'last'")
  }
  return { expr: columnNode(column), direction: d, nulls: (n ?? null) as NullsOrder | null }
}

/**
 * Trusted SQL with bound values: sql`lower(${col('name')}) = ${input}`. Interpolated values are
 * parameters (Expressions and builders are compiled in place); the literal text is the caller's.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Expression {
  const node: RawNode = { kind: 'raw', strings: [...strings], values: values.map(valueNode) }
  return new Expression(node)
}

/** An identifier of any spelling, always quoted: ident('my schema', 'odd"table'). */
export function ident(...parts: string[]): Expression {
  return new Expression({ kind: 'ident', parts: checkIdentParts(parts) })
}

/** A column on the value side of a comparison: where('a.total', '>', col('b.limit')). */
export function col(path: string): Expression {
  if (typeof path !== 'string') throw new QueryBuilderError('ERR_INVALID_IDENTIFIER', 'col() takes a string')
  return new Expression({ kind: 'path', path })
}

/** A bound value where a column would otherwise be read: select(val(1).as('one')). */
export function val(value: unknown): Expression {
  if (value === undefined) throw new InvalidArgumentError('undefined is not an SQL value; use null for NULL')
  return new Expression({ kind: 'value', value })
}

/** A function call; string arguments are columns (or `*`), others as in `where` values. */
export function fn(name: string, ...args: unknown[]): Expression {
  const nodes = args.map((a) => (typeof a === 'string' ? columnNode(a) : valueNode(a)))
  return new Expression({ kind: 'function', name: checkFunctionName(name), args: nodes })
}

/** In an upsert's update values: the value the INSERT proposed for `column`. */
export function excluded(column: string): Expression {
  return new Expression({ kind: 'excluded', column: checkName(column, 'excluded() column') })
}
