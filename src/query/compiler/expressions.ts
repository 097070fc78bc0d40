import { InvalidArgumentError, QueryBuilderError } from '../../errors/classes.js'
import { checkName, invalidIdentifier, needsQuoting, splitPath } from '../identifiers.js'
import type { ConditionItem, ConditionNode, Dialect, ExprNode, OrderNode, QueryNode } from '../nodes.js'

type Role = 'column' | 'table' | 'name'

/** How a dialect writes a bound parameter and a quoted identifier. */
export interface SqlSyntax {
  readonly dialect: Dialect
  readonly label: string
  /** The placeholder of the parameter at 1-based `index`: `$1` or `?`. */
  placeholder(index: number): string
  /** One identifier part, quoted unconditionally: `"a""b"` or `` `a``b` ``. */
  quote(part: string): string
}

/** Compiled identifier strings per dialect and role; bounded so hostile input cannot grow them forever. */
const CACHE_LIMIT = 5000
const newCaches = (): Record<Role, Map<string, string>> => ({
  column: new Map(),
  table: new Map(),
  name: new Map(),
})
const CACHES: Record<Dialect, Record<Role, Map<string, string>>> = {
  postgres: newCaches(),
  mysql: newCaches(),
  mariadb: newCaches(),
  sqlite: newCaches(),
  mssql: newCaches(),
}

const LABELS: Record<Dialect, string> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  sqlite: 'SQLite',
  mssql: 'MSSQL',
}

/**
 * The expression half of the compiler: parameters, identifiers, values, conditions. Compiling is
 * synchronous, so one instance per dialect compiles every statement in turn, starting each with
 * fresh `params`; a dialect subclass overrides the hooks that differ.
 */
export abstract class ExpressionCompiler {
  abstract readonly dialect: Dialect
  /** The parameters bound so far; `compileQuery` gives each statement a fresh array. */
  params: unknown[] = []
  #caches: Record<Role, Map<string, string>> | undefined

  /** The placeholder of the parameter at 1-based `index`. */
  protected abstract placeholder(index: number): string
  /** Quotes one identifier part unconditionally, doubling the closing quote character. */
  protected abstract quotePart(part: string): string
  /** The longest identifier part the dialect keeps without truncating (PG 63 bytes, MySQL 64, MSSQL 128). */
  protected abstract readonly maxIdentifierLength: number

  /** Statements are compiled by the statement layer; subqueries call back into it. */
  abstract query(q: QueryNode): string

  /** A statement nested in parentheses (derived table, scalar/IN/EXISTS subquery, CTE, operand). */
  protected subquery(q: QueryNode): string {
    return this.query(q)
  }

  get label(): string {
    return LABELS[this.dialect]
  }

  /** The dialect's placeholders and identifier quoting, for the drivers' sql`` tags (src/driver). */
  syntax(): SqlSyntax {
    return {
      dialect: this.dialect,
      label: this.label,
      placeholder: (index) => this.placeholder(index),
      quote: (part) => this.quotePart(part),
    }
  }

  unsupported(feature: string): QueryBuilderError {
    return new QueryBuilderError('ERR_UNSUPPORTED', `${feature} is not supported by ${this.label}`)
  }

  bind(value: unknown): string {
    this.params.push(this.bindValue(value))
    return this.placeholder(this.params.length)
  }

  /** Checks a parameter value and converts it to what the dialect's drivers bind. */
  protected bindValue(value: unknown): unknown {
    switch (typeof value) {
      case 'string':
      case 'number':
      case 'bigint':
      case 'boolean':
        return value
      case 'object':
        if (value === null || value instanceof Date || value instanceof Uint8Array) return value
        if (Array.isArray(value))
          throw this.unsupported('an array as one bound value (use whereIn for lists)')
        throw this.unsupported('an object as a bound value (serialise JSON first)')
      default:
        throw new InvalidArgumentError(`a ${typeof value} cannot be bound as an SQL value`)
    }
  }

  /** How the dialect measures a name: UTF-16 units (MySQL refuses the rest; MSSQL's sysname is nvarchar). */
  protected identifierLength(part: string): number {
    return part.length
  }

  /** A checked identifier part: quoted when needed, refused when the dialect would truncate it. */
  protected part(part: string, always: boolean): string {
    if (part === '*') return part
    if (this.identifierLength(part) > this.maxIdentifierLength) {
      throw invalidIdentifier('identifier', part, `${this.label} allows ${this.maxIdentifierLength}`)
    }
    return always || needsQuoting(part) ? this.quotePart(part) : part
  }

  /** A column (`c`, `t.c`, `s.t.c`, `t.*`, `*`) or table (`t`, `s.t`, `db.s.t`) path. */
  path(path: string, role: 'column' | 'table'): string {
    const cache = (this.#caches ??= CACHES[this.dialect])[role]
    let out = cache.get(path)
    if (out === undefined) {
      const parts = splitPath(path, role, 3, role === 'column')
      out = parts.map((p) => this.part(p, false)).join('.')
      if (cache.size >= CACHE_LIMIT) cache.clear()
      cache.set(path, out)
    }
    return out
  }

  /** An alias, INSERT column (a row's key) or other one-part name. */
  name(name: string): string {
    const cache = (this.#caches ??= CACHES[this.dialect]).name
    let out = cache.get(name)
    if (out === undefined) {
      out = this.part(checkName(name, 'name'), false)
      if (cache.size >= CACHE_LIMIT) cache.clear()
      cache.set(name, out)
    }
    return out
  }

  identParts(parts: readonly string[]): string {
    return parts.map((p) => this.part(p, true)).join('.')
  }

  expr(node: ExprNode): string {
    switch (node.kind) {
      case 'path':
        return this.path(node.path, 'column')
      case 'value':
        return this.bind(node.value)
      case 'ident':
        return this.identParts(node.parts)
      case 'raw': {
        let out = node.strings[0]!
        for (let i = 0; i < node.values.length; i++) out += this.expr(node.values[i]!) + node.strings[i + 1]!
        return out
      }
      case 'function':
        return `${node.name}(${node.args.map((a) => this.expr(a)).join(', ')})`
      case 'window': {
        const parts: string[] = []
        if (node.partitionBy.length > 0)
          parts.push(`PARTITION BY ${node.partitionBy.map((e) => this.expr(e)).join(', ')}`)
        if (node.orderBy.length > 0) parts.push(`ORDER BY ${this.orderList(node.orderBy)}`)
        return `${this.expr(node.fn)} OVER (${parts.join(' ')})`
      }
      case 'subquery':
        return `(${this.subquery(node.query)})`
      case 'excluded':
        return this.excluded(node.column)
      case 'default':
        return 'DEFAULT'
    }
  }

  /** The value an upsert proposed for `column` (PG/SQLite; dialects override). */
  protected excluded(column: string): string {
    return `excluded.${this.name(column)}`
  }

  conditions(items: readonly ConditionItem[]): string {
    let out = this.condition(items[0]!.condition)
    for (let i = 1; i < items.length; i++) {
      const item = items[i]!
      out += (item.or ? ' OR ' : ' AND ') + this.condition(item.condition)
    }
    return out
  }

  protected condition(c: ConditionNode): string {
    switch (c.kind) {
      case 'compare':
        return this.compare(c.left, c.op, c.right)
      case 'in':
        return this.inCondition(c.not, c.left, c.list, c.query)
      case 'between':
        return `${this.expr(c.left)} ${c.not ? 'NOT BETWEEN' : 'BETWEEN'} ${this.expr(c.low)} AND ${this.expr(c.high)}`
      case 'null':
        return `${this.expr(c.left)} ${c.not ? 'IS NOT NULL' : 'IS NULL'}`
      case 'exists':
        return `${c.not ? 'NOT EXISTS' : 'EXISTS'} (${this.subquery(c.query)})`
      case 'group':
        return `(${this.conditions(c.items)})`
      case 'rawCondition':
        return `(${this.expr(c.raw)})`
    }
  }

  /** ILIKE where the dialect lacks it: lower() on both sides (PostgreSQL overrides with ILIKE). */
  protected compare(left: ExprNode, op: string, right: ExprNode): string {
    if (op === 'ilike' || op === 'not ilike') {
      const like = op === 'ilike' ? 'LIKE' : 'NOT LIKE'
      return `lower(${this.expr(left)}) ${like} lower(${this.expr(right)})`
    }
    return `${this.expr(left)} ${op === 'like' ? 'LIKE' : op === 'not like' ? 'NOT LIKE' : op} ${this.expr(right)}`
  }

  /** An empty list is a constant predicate, never `IN ()` (issue 6; Kysely #709 #1284 #1401). */
  protected inCondition(
    not: boolean,
    left: ExprNode,
    list: readonly ExprNode[],
    q: QueryNode | null,
  ): string {
    const keyword = not ? 'NOT IN' : 'IN'
    if (q !== null) return `${this.expr(left)} ${keyword} (${this.subquery(q)})`
    if (list.length === 0) return not ? '1 = 1' : '1 = 0'
    let out = `${this.expr(left)} ${keyword} (${this.expr(list[0]!)}`
    for (let i = 1; i < list.length; i++) out += `, ${this.expr(list[i]!)}`
    return `${out})`
  }

  orderList(items: readonly OrderNode[]): string {
    let out = ''
    for (let i = 0; i < items.length; i++) out += (i === 0 ? '' : ', ') + this.orderItem(items[i]!)
    return out
  }

  /** SQL:2003 `NULLS FIRST/LAST` (PostgreSQL, SQLite ≥ 3.30); other dialects emulate it. */
  protected orderItem(o: OrderNode): string {
    const base = `${this.expr(o.expr)} ${o.direction === 'asc' ? 'ASC' : 'DESC'}`
    return o.nulls === null ? base : `${base} NULLS ${o.nulls === 'first' ? 'FIRST' : 'LAST'}`
  }

  /** NULLS FIRST/LAST as a leading sort key, for dialects without the clause. */
  protected emulatedNullsOrder(o: OrderNode): string {
    const direction = o.direction === 'asc' ? 'ASC' : 'DESC'
    if (o.nulls === null) return `${this.expr(o.expr)} ${direction}`
    const [whenNull, otherwise] = o.nulls === 'first' ? [0, 1] : [1, 0]
    // Compiled twice, in text order, so a bound value inside is bound twice at the right places.
    const test = `CASE WHEN ${this.expr(o.expr)} IS NULL THEN ${whenNull} ELSE ${otherwise} END`
    return `${test}, ${this.expr(o.expr)} ${direction}`
  }
}
