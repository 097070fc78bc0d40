import { InvalidArgumentError } from '../../errors/classes.js'
import { valueNode } from '../expressions.js'
import type { Assignment, CteNode, FromNode, JoinNode, QueryNode, SelectItem, TableNode } from '../nodes.js'
import { ExpressionCompiler } from './expressions.js'

const JOIN_KEYWORDS = {
  inner: 'INNER JOIN',
  left: 'LEFT JOIN',
  right: 'RIGHT JOIN',
  full: 'FULL JOIN',
  cross: 'CROSS JOIN',
} as const

/**
 * The statement half of the compiler, written for the SQL the dialects share (PostgreSQL's
 * spelling). Dialect files override the hooks: `selectHead` (TOP), `limitClause`, `joinClause`
 * (LATERAL/APPLY), `upsertClause`, `returningClause`/`outputClause`, `insertRows` and friends.
 */
export abstract class SqlCompiler extends ExpressionCompiler {
  /** Features a dialect may lack; each refusal names the dialect (ERR_UNSUPPORTED). */
  protected readonly supportsDistinctOn: boolean = false
  protected readonly supportsFullJoin: boolean = true
  protected readonly supportsLateral: boolean = false
  protected readonly supportsModifyingCte: boolean = false
  protected readonly supportsSetOpAll: boolean = true
  /** Whether a set operation's operand may be parenthesised (needed for its own ORDER BY/LIMIT). */
  protected readonly supportsParenthesisedOperand: boolean = true

  override query(q: QueryNode): string {
    switch (q.kind) {
      case 'select':
        return this.select(q)
      case 'insert':
        return this.insert(q)
      case 'update':
        return this.update(q)
      case 'delete':
        return this.delete(q)
    }
  }

  protected withClause(ctes: readonly CteNode[]): string {
    if (ctes.length === 0) return ''
    const recursive = ctes.some((c) => c.recursive)
    const list = ctes.map((c) => {
      if (c.query.kind !== 'select' && !this.supportsModifyingCte)
        throw this.unsupported('a data-modifying CTE')
      const cols = c.columns === null ? '' : ` (${c.columns.map((n) => this.name(n)).join(', ')})`
      return `${this.name(c.name)}${cols} AS (${this.subquery(c.query)})`
    })
    return `${this.withKeyword(recursive)} ${list.join(', ')} `
  }

  protected withKeyword(recursive: boolean): string {
    return recursive ? 'WITH RECURSIVE' : 'WITH'
  }

  protected select(q: QueryNode): string {
    if (
      q.rows.length > 0 ||
      q.insertQuery !== null ||
      q.set.length > 0 ||
      q.conflict !== null ||
      q.returning.length > 0
    ) {
      throw new InvalidArgumentError(
        'values(), set(), onConflict() and returning() need insert(), update() or delete()',
      )
    }
    let sql = this.withClause(q.with) + this.selectCore(q, this.selectHead(q))
    for (const op of q.setOps) {
      if (op.all && op.op !== 'union' && !this.supportsSetOpAll)
        throw this.unsupported(`${op.op.toUpperCase()} ALL`)
      sql += ` ${op.op.toUpperCase()}${op.all ? ' ALL' : ''} ${this.setOperand(op.query)}`
    }
    if (q.orderBy.length > 0) sql += ` ORDER BY ${this.orderList(q.orderBy)}`
    return sql + this.limitClause(q)
  }

  protected setOperand(q: QueryNode): string {
    const own =
      q.orderBy.length > 0 ||
      q.limit !== null ||
      q.offset !== null ||
      q.setOps.length > 0 ||
      q.with.length > 0
    if (!own) return this.query(q)
    if (!this.supportsParenthesisedOperand)
      throw this.unsupported('a set operation operand with its own ORDER BY/LIMIT')
    return `(${this.subquery(q)})`
  }

  /** Text between `SELECT` and the select list (DISTINCT; MSSQL adds TOP). */
  protected selectHead(q: QueryNode): string {
    if (q.distinctOn.length > 0) {
      if (!this.supportsDistinctOn) throw this.unsupported('DISTINCT ON')
      return `DISTINCT ON (${q.distinctOn.map((e) => this.expr(e)).join(', ')}) `
    }
    return q.distinct ? 'DISTINCT ' : ''
  }

  protected selectCore(q: QueryNode, head: string): string {
    let sql = `SELECT ${head}${q.columns.length === 0 ? '*' : this.selectList(q.columns)}`
    if (q.from.length > 0) sql += ` FROM ${this.fromList(q.from)}`
    sql += this.joins(q.joins)
    if (q.where.length > 0) sql += ` WHERE ${this.conditions(q.where)}`
    if (q.groupBy.length > 0) sql += ` GROUP BY ${q.groupBy.map((e) => this.expr(e)).join(', ')}`
    if (q.having.length > 0) sql += ` HAVING ${this.conditions(q.having)}`
    return sql
  }

  protected selectList(items: readonly SelectItem[]): string {
    let out = ''
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!
      out += (i === 0 ? '' : ', ') + this.expr(item.expr)
      if (item.alias !== null) out += ` AS ${this.name(item.alias)}`
    }
    return out
  }

  protected fromList(items: readonly FromNode[]): string {
    let out = ''
    for (let i = 0; i < items.length; i++) out += (i === 0 ? '' : ', ') + this.fromItem(items[i]!)
    return out
  }

  protected fromItem(f: FromNode): string {
    if (f.kind === 'derived') return `(${this.subquery(f.query)}) AS ${this.name(f.alias)}`
    return this.tableName(f) + (f.alias === null ? '' : ` AS ${this.name(f.alias)}`)
  }

  protected tableName(t: TableNode): string {
    return t.name.kind === 'path' ? this.path(t.name.path, 'table') : this.identParts(t.name.parts)
  }

  protected joins(joins: readonly JoinNode[]): string {
    let out = ''
    for (const j of joins) out += ` ${this.joinClause(j)}`
    return out
  }

  /** SQL-standard joins; LATERAL as PostgreSQL and MySQL 8.0.14 spell it. */
  protected joinClause(j: JoinNode): string {
    if (j.type === 'full' && !this.supportsFullJoin) throw this.unsupported('FULL JOIN')
    if (j.lateral && !this.supportsLateral) throw this.unsupported('a LATERAL join')
    const table = (j.lateral ? 'LATERAL ' : '') + this.fromItem(j.table)
    if (j.on === null) return j.type === 'left' ? `LEFT JOIN ${table} ON TRUE` : `CROSS JOIN ${table}`
    return `${JOIN_KEYWORDS[j.type]} ${table} ON ${this.conditions(j.on)}`
  }

  /** `LIMIT n OFFSET m`; `offsetOnlyLimit` is what a dialect needs before OFFSET without LIMIT. */
  protected limitClause(q: QueryNode): string {
    let out = ''
    if (q.limit !== null) out += ` LIMIT ${q.limit}`
    else if (q.offset !== null && this.offsetOnlyLimit !== '') out += ` LIMIT ${this.offsetOnlyLimit}`
    if (q.offset !== null) out += ` OFFSET ${q.offset}`
    return out
  }

  protected readonly offsetOnlyLimit: string = ''

  /** Clauses that make no sense for the statement kind are an error, not silently dropped. */
  protected checkClauses(q: QueryNode, allowJoins: boolean, allowOrderLimit: boolean): void {
    const kind = q.kind.toUpperCase()
    if (q.columns.length > 0 || q.distinct || q.distinctOn.length > 0 || q.groupBy.length > 0) {
      throw new InvalidArgumentError(`${kind} cannot take select(), distinct() or groupBy()`)
    }
    if (q.having.length > 0 || q.setOps.length > 0) {
      throw new InvalidArgumentError(`${kind} cannot take having() or set operations`)
    }
    if (!allowJoins && (q.joins.length > 0 || q.from.length > 0))
      throw this.unsupported(`FROM/JOIN on ${kind}`)
    if (!allowOrderLimit && (q.orderBy.length > 0 || q.limit !== null || q.offset !== null)) {
      throw this.unsupported(`ORDER BY/LIMIT/OFFSET on ${kind}`)
    }
  }

  protected insertColumns(q: QueryNode): string[] {
    if (q.insertColumns !== null) return q.insertColumns
    const seen = new Set<string>()
    for (const row of q.rows) {
      for (const key of Object.keys(row)) if (row[key] !== undefined) seen.add(key)
    }
    return [...seen]
  }

  protected insert(q: QueryNode): string {
    this.checkClauses(q, false, false)
    const columns = this.insertColumns(q)
    let sql = `${this.withClause(q.with)}INSERT INTO ${this.tableName(q.target!)}`
    if (columns.length > 0) sql += ` (${columns.map((c) => this.name(c)).join(', ')})`
    sql += this.outputClause(q, 'INSERTED')
    sql += ` ${this.insertSource(q, columns)}`
    if (q.conflict !== null) sql += this.upsertClause(q, columns)
    return sql + this.returningClause(q)
  }

  /** `VALUES (…), (…)`, `SELECT …` or the dialect's empty-row form. */
  protected insertSource(q: QueryNode, columns: readonly string[]): string {
    if (q.insertQuery !== null) {
      if (q.rows.length > 0)
        throw new InvalidArgumentError('an INSERT takes values() rows or a builder, not both')
      return this.query(q.insertQuery)
    }
    if (q.rows.length === 0) throw new InvalidArgumentError('insert() needs values()')
    if (columns.length === 0) {
      if (q.rows.length > 1) throw this.unsupported('several rows of defaults in one INSERT')
      return this.defaultValues()
    }
    return `VALUES ${this.insertRows(q.rows, columns)}`
  }

  protected defaultValues(): string {
    return 'DEFAULT VALUES'
  }

  protected insertRows(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
    let out = ''
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!
      out += r === 0 ? '(' : ', ('
      for (let c = 0; c < columns.length; c++) {
        const v = row[columns[c]!]
        out += (c === 0 ? '' : ', ') + (v === undefined ? this.missingValue() : this.expr(valueNode(v)))
      }
      out += ')'
    }
    return out
  }

  /** A column a row of a multi-row INSERT leaves out. */
  protected missingValue(): string {
    return 'DEFAULT'
  }

  /** PostgreSQL/SQLite `ON CONFLICT (…) DO NOTHING | DO UPDATE SET …`. */
  protected upsertClause(q: QueryNode, _columns: readonly string[]): string {
    const c = q.conflict!
    const target = c.columns.length === 0 ? '' : ` (${c.columns.map((n) => this.name(n)).join(', ')})`
    if (c.set === null) return ` ON CONFLICT${target} DO NOTHING`
    if (target === '') throw new InvalidArgumentError(`${this.label} needs conflict columns for DO UPDATE`)
    return ` ON CONFLICT${target} DO UPDATE SET ${this.assignments(c.set)}`
  }

  protected assignments(set: readonly Assignment[]): string {
    return set.map((a) => `${this.name(a.column)} = ${this.expr(a.value)}`).join(', ')
  }

  protected returningClause(q: QueryNode): string {
    return q.returning.length === 0 ? '' : ` RETURNING ${this.selectList(q.returning)}`
  }

  /** MSSQL's OUTPUT clause; empty elsewhere. */
  protected outputClause(_q: QueryNode, _pseudoTable: 'INSERTED' | 'DELETED'): string {
    return ''
  }

  protected targetWithAlias(t: TableNode): string {
    return this.tableName(t) + (t.alias === null ? '' : ` AS ${this.name(t.alias)}`)
  }

  /** `UPDATE t SET … FROM … WHERE …` (PostgreSQL, SQLite ≥ 3.33); joins need a FROM item to hang on. */
  protected update(q: QueryNode): string {
    this.checkClauses(q, true, false)
    if (q.set.length === 0) throw new InvalidArgumentError('update() needs set()')
    let sql = `${this.withClause(q.with)}UPDATE ${this.targetWithAlias(q.target!)} SET ${this.assignments(q.set)}`
    if (q.from.length > 0) sql += ` FROM ${this.fromList(q.from)}${this.joins(q.joins)}`
    else if (q.joins.length > 0) throw this.unsupported('UPDATE with joins but no from()')
    if (q.where.length > 0) sql += ` WHERE ${this.conditions(q.where)}`
    return sql + this.returningClause(q)
  }

  protected delete(q: QueryNode): string {
    this.checkClauses(q, false, false)
    let sql = `${this.withClause(q.with)}DELETE FROM ${this.targetWithAlias(q.target!)}`
    if (q.where.length > 0) sql += ` WHERE ${this.conditions(q.where)}`
    return sql + this.returningClause(q)
  }
}
