/**
 * The query as plain data (DESIGN §6.3): builders append nodes, one compiler walks them, and each
 * dialect overrides only what it spells differently. Nodes are never mutated once appended, so a
 * clone copies the arrays of a QueryNode and shares the nodes inside them.
 */

/** The dialects a compiler exists for; `postgresql` is accepted as a synonym of `postgres`. */
export type Dialect = 'postgres' | 'mysql' | 'mariadb' | 'sqlite' | 'mssql'
export type DialectName = Dialect | 'postgresql'

/** A column or table path as written: `id`, `u.id`, `s.users`, `u.*`, `*`; validated when compiled. */
export interface PathNode {
  readonly kind: 'path'
  readonly path: string
}

/** An identifier given part by part with `ident()`: always quoted, any characters but NUL. */
export interface IdentNode {
  readonly kind: 'ident'
  readonly parts: readonly string[]
}

/** A bound parameter. */
export interface ValueNode {
  readonly kind: 'value'
  readonly value: unknown
}

/** Trusted SQL text from the `sql` tag; `values[i]` stands between `strings[i]` and `strings[i + 1]`. */
export interface RawNode {
  readonly kind: 'raw'
  readonly strings: readonly string[]
  readonly values: readonly ExprNode[]
}

export interface FunctionNode {
  readonly kind: 'function'
  readonly name: string
  readonly args: readonly ExprNode[]
}

/** `fn OVER (PARTITION BY … ORDER BY …)`. */
export interface WindowNode {
  readonly kind: 'window'
  readonly fn: ExprNode
  readonly partitionBy: readonly ExprNode[]
  readonly orderBy: readonly OrderNode[]
}

export interface SubqueryNode {
  readonly kind: 'subquery'
  readonly query: QueryNode
}

/** The value an upsert proposed for a column (PG/SQLite `excluded.c`, MySQL `VALUES(c)`, MERGE source). */
export interface ExcludedNode {
  readonly kind: 'excluded'
  readonly column: string
}

/** The DEFAULT keyword, for a column a row of a multi-row INSERT leaves out. */
export interface DefaultNode {
  readonly kind: 'default'
}

export type ExprNode =
  | PathNode
  | IdentNode
  | ValueNode
  | RawNode
  | FunctionNode
  | WindowNode
  | SubqueryNode
  | ExcludedNode
  | DefaultNode

export type ComparisonOperator =
  | '='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | 'like'
  | 'not like'
  | 'ilike'
  | 'not ilike'

export interface CompareNode {
  readonly kind: 'compare'
  readonly left: ExprNode
  readonly op: ComparisonOperator
  readonly right: ExprNode
}

/** IN / NOT IN over a list (`query` null) or a subquery (`list` empty). */
export interface InNode {
  readonly kind: 'in'
  readonly not: boolean
  readonly left: ExprNode
  readonly list: readonly ExprNode[]
  readonly query: QueryNode | null
}

export interface BetweenNode {
  readonly kind: 'between'
  readonly not: boolean
  readonly left: ExprNode
  readonly low: ExprNode
  readonly high: ExprNode
}

export interface NullNode {
  readonly kind: 'null'
  readonly not: boolean
  readonly left: ExprNode
}

export interface ExistsNode {
  readonly kind: 'exists'
  readonly not: boolean
  readonly query: QueryNode
}

/** A parenthesised AND/OR group. */
export interface GroupNode {
  readonly kind: 'group'
  readonly items: readonly ConditionItem[]
}

/** A boolean expression from the `sql` tag. */
export interface RawConditionNode {
  readonly kind: 'rawCondition'
  readonly raw: RawNode
}

export type ConditionNode =
  | CompareNode
  | InNode
  | BetweenNode
  | NullNode
  | ExistsNode
  | GroupNode
  | RawConditionNode

/** One condition and the connective that joins it to the one before (ignored for the first). */
export interface ConditionItem {
  readonly or: boolean
  readonly condition: ConditionNode
}

export interface SelectItem {
  readonly expr: ExprNode
  readonly alias: string | null
}

export interface TableNode {
  readonly kind: 'table'
  readonly name: PathNode | IdentNode
  readonly alias: string | null
}

export interface DerivedTableNode {
  readonly kind: 'derived'
  readonly query: QueryNode
  readonly alias: string
}

export type FromNode = TableNode | DerivedTableNode

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'cross'

export interface JoinNode {
  readonly type: JoinType
  readonly table: FromNode
  /** Null for CROSS joins and for a LATERAL join without a condition. */
  readonly on: readonly ConditionItem[] | null
  readonly lateral: boolean
}

export type Direction = 'asc' | 'desc'
export type NullsOrder = 'first' | 'last'

export interface OrderNode {
  readonly expr: ExprNode
  readonly direction: Direction
  readonly nulls: NullsOrder | null
}

export interface CteNode {
  readonly name: string
  readonly columns: readonly string[] | null
  readonly query: QueryNode
  readonly recursive: boolean
}

export type SetOperator = 'union' | 'intersect' | 'except'

export interface SetOpNode {
  readonly op: SetOperator
  readonly all: boolean
  readonly query: QueryNode
}

export interface Assignment {
  readonly column: string
  readonly value: ExprNode
}

export interface ConflictNode {
  readonly columns: readonly string[]
  /** Null means DO NOTHING. */
  readonly set: readonly Assignment[] | null
}

export type StatementKind = 'select' | 'insert' | 'update' | 'delete'

/** A whole statement. Builders mutate only their own QueryNode, by pushing to its arrays. */
export interface QueryNode {
  kind: StatementKind
  with: CteNode[]
  distinct: boolean
  distinctOn: ExprNode[]
  columns: SelectItem[]
  from: FromNode[]
  joins: JoinNode[]
  where: ConditionItem[]
  groupBy: ExprNode[]
  having: ConditionItem[]
  orderBy: OrderNode[]
  limit: number | null
  offset: number | null
  setOps: SetOpNode[]
  /** The table an INSERT, UPDATE or DELETE writes. */
  target: TableNode | null
  /** Explicit INSERT columns (INSERT … SELECT); otherwise the keys of `rows`. */
  insertColumns: string[] | null
  rows: Record<string, unknown>[]
  insertQuery: QueryNode | null
  set: Assignment[]
  conflict: ConflictNode | null
  returning: SelectItem[]
}

export function emptyQuery(): QueryNode {
  return {
    kind: 'select',
    with: [],
    distinct: false,
    distinctOn: [],
    columns: [],
    from: [],
    joins: [],
    where: [],
    groupBy: [],
    having: [],
    orderBy: [],
    limit: null,
    offset: null,
    setOps: [],
    target: null,
    insertColumns: null,
    rows: [],
    insertQuery: null,
    set: [],
    conflict: null,
    returning: [],
  }
}

/** An independent copy: later pushes to either side do not reach the other. */
export function cloneQuery(q: QueryNode): QueryNode {
  return {
    kind: q.kind,
    with: q.with.slice(),
    distinct: q.distinct,
    distinctOn: q.distinctOn.slice(),
    columns: q.columns.slice(),
    from: q.from.slice(),
    joins: q.joins.slice(),
    where: q.where.slice(),
    groupBy: q.groupBy.slice(),
    having: q.having.slice(),
    orderBy: q.orderBy.slice(),
    limit: q.limit,
    offset: q.offset,
    setOps: q.setOps.slice(),
    target: q.target,
    insertColumns: q.insertColumns === null ? null : q.insertColumns.slice(),
    rows: q.rows.slice(),
    insertQuery: q.insertQuery,
    set: q.set.slice(),
    conflict: q.conflict,
    returning: q.returning.slice(),
  }
}

/** Implemented by QueryBuilder: a snapshot of its query, for use as a subquery. */
export const toQueryNode: unique symbol = Symbol('covet.query.node')

export interface QuerySource {
  [toQueryNode](): QueryNode
}

export function isQuerySource(value: unknown): value is QuerySource {
  return typeof value === 'object' && value !== null && toQueryNode in value
}
