import { InvalidArgumentError } from '../errors/classes.js'
import { columnNode, Expression, valueNode } from './expressions.js'
import {
  type ComparisonOperator,
  type ConditionItem,
  type ConditionNode,
  type ExprNode,
  isQuerySource,
  type QuerySource,
  toQueryNode,
} from './nodes.js'

/**
 * The WHERE vocabulary, shared by QueryBuilder (WHERE and HAVING), nested groups
 * (`where((w) => …)`) and join conditions (`join(t, (j) => j.on(…).where(…))`).
 */

// A Map, not an object literal: `where(col, 'toString', v)` must not find Object.prototype members.
const OPERATORS: ReadonlyMap<string, ComparisonOperator | 'in' | 'not in'> = new Map([
  ['=', '='],
  ['<>', '<>'],
  ['!=', '<>'],
  ['<', '<'],
  ['<=', '<='],
  ['>', '>'],
  ['>=', '>='],
  ['like', 'like'],
  ['not like', 'not like'],
  ['ilike', 'ilike'],
  ['not ilike', 'not ilike'],
  ['in', 'in'],
  ['not in', 'not in'],
])

type LowerOperator = ComparisonOperator | '!=' | 'in' | 'not in'
/** Comparison operators, in either case: the fixed list of issue 6. */
export type Operator = LowerOperator | Uppercase<LowerOperator>

export type Column = string | Expression
export type GroupCallback = (group: ConditionGroup) => unknown

function operator(op: unknown): ComparisonOperator | 'in' | 'not in' {
  const found = typeof op !== 'string' ? undefined : (OPERATORS.get(op) ?? OPERATORS.get(op.toLowerCase()))
  if (found === undefined) {
    throw new InvalidArgumentError(`operator must be one of ${[...OPERATORS.keys()].join(', ')}`)
  }
  return found
}

/** `where(col, value)`, `where(col, op, value)`, `where(sql…)` or `where((w) => …)` as a node. */
export function comparison(argc: number, a: unknown, b: unknown, c: unknown): ConditionNode {
  if (argc === 1) {
    if (typeof a === 'function') {
      const group = new ConditionGroup()
      ;(a as GroupCallback)(group)
      return { kind: 'group', items: group.items }
    }
    if (a instanceof Expression && a.node.kind === 'raw') return { kind: 'rawCondition', raw: a.node }
    throw new InvalidArgumentError('a one-argument where() takes a callback or an sql`` fragment')
  }
  const op = argc === 2 ? '=' : operator(b)
  const value = argc === 2 ? b : c
  const left = columnNode(a)
  if (op === 'in' || op === 'not in') return inList(op === 'not in', left, value)
  if (value === null) {
    if (op === '=' || op === '<>') return { kind: 'null', not: op === '<>', left }
    throw new InvalidArgumentError(`comparing with null using ${op} is never true; use whereNull()`)
  }
  return { kind: 'compare', left, op, right: valueNode(value) }
}

export function inList(not: boolean, left: ExprNode, values: unknown): ConditionNode {
  if (isQuerySource(values)) return { kind: 'in', not, left, list: [], query: values[toQueryNode]() }
  if (!Array.isArray(values))
    throw new InvalidArgumentError('whereIn() takes an array of values or a builder')
  return { kind: 'in', not, left, list: values.map(valueNode), query: null }
}

/** Methods that add conditions to one list; subclasses say which list. */
export abstract class ConditionMethods {
  protected abstract conditionList(): ConditionItem[]

  #add(or: boolean, condition: ConditionNode): this {
    this.conditionList().push({ or, condition })
    return this
  }

  where(group: GroupCallback | Expression): this
  where(column: Column, value: unknown): this
  where(column: Column, op: Operator, value: unknown): this
  where(...args: [unknown, unknown?, unknown?]): this {
    return this.#add(false, comparison(args.length, args[0], args[1], args[2]))
  }

  orWhere(group: GroupCallback | Expression): this
  orWhere(column: Column, value: unknown): this
  orWhere(column: Column, op: Operator, value: unknown): this
  orWhere(...args: [unknown, unknown?, unknown?]): this {
    return this.#add(true, comparison(args.length, args[0], args[1], args[2]))
  }

  whereIn(column: Column, values: readonly unknown[] | QuerySource): this {
    return this.#add(false, inList(false, columnNode(column), values))
  }

  orWhereIn(column: Column, values: readonly unknown[] | QuerySource): this {
    return this.#add(true, inList(false, columnNode(column), values))
  }

  whereNotIn(column: Column, values: readonly unknown[] | QuerySource): this {
    return this.#add(false, inList(true, columnNode(column), values))
  }

  orWhereNotIn(column: Column, values: readonly unknown[] | QuerySource): this {
    return this.#add(true, inList(true, columnNode(column), values))
  }

  whereBetween(column: Column, low: unknown, high: unknown): this {
    return this.#add(false, between(false, column, low, high))
  }

  orWhereBetween(column: Column, low: unknown, high: unknown): this {
    return this.#add(true, between(false, column, low, high))
  }

  whereNotBetween(column: Column, low: unknown, high: unknown): this {
    return this.#add(false, between(true, column, low, high))
  }

  whereNull(column: Column): this {
    return this.#add(false, { kind: 'null', not: false, left: columnNode(column) })
  }

  orWhereNull(column: Column): this {
    return this.#add(true, { kind: 'null', not: false, left: columnNode(column) })
  }

  whereNotNull(column: Column): this {
    return this.#add(false, { kind: 'null', not: true, left: columnNode(column) })
  }

  orWhereNotNull(column: Column): this {
    return this.#add(true, { kind: 'null', not: true, left: columnNode(column) })
  }

  whereExists(query: QuerySource): this {
    return this.#add(false, exists(false, query))
  }

  orWhereExists(query: QuerySource): this {
    return this.#add(true, exists(false, query))
  }

  whereNotExists(query: QuerySource): this {
    return this.#add(false, exists(true, query))
  }
}

function between(not: boolean, column: Column, low: unknown, high: unknown): ConditionNode {
  return { kind: 'between', not, left: columnNode(column), low: valueNode(low), high: valueNode(high) }
}

function exists(not: boolean, query: QuerySource): ConditionNode {
  if (!isQuerySource(query)) throw new InvalidArgumentError('whereExists() takes a builder')
  return { kind: 'exists', not, query: query[toQueryNode]() }
}

/** A parenthesised group, and a join's structured ON condition (`on` compares two columns). */
export class ConditionGroup extends ConditionMethods {
  readonly items: ConditionItem[] = []

  protected override conditionList(): ConditionItem[] {
    return this.items
  }

  on(left: Column, op: Operator, right: Column): this {
    this.items.push({ or: false, condition: columnComparison(left, op, right) })
    return this
  }

  orOn(left: Column, op: Operator, right: Column): this {
    this.items.push({ or: true, condition: columnComparison(left, op, right) })
    return this
  }
}

function columnComparison(left: Column, op: Operator, right: Column): ConditionNode {
  const o = operator(op)
  if (o === 'in' || o === 'not in') throw new InvalidArgumentError('on() compares two columns; use whereIn()')
  return { kind: 'compare', left: columnNode(left), op: o, right: columnNode(right) }
}
