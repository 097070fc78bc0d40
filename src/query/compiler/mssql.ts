import { InvalidArgumentError } from '../../errors/classes.js'
import type { Dialect, JoinNode, OrderNode, QueryNode } from '../nodes.js'
import { SqlCompiler } from './base.js'

/** T-SQL: "The number of row value expressions in the INSERT statement exceeds … 1000" (error 10738). */
export const MSSQL_MAX_INSERT_ROWS = 1000

/**
 * Microsoft SQL Server (T-SQL). Bracket quoting with `]` doubled, `@pN` placeholders (tedious),
 * `TOP (n)` for a limit alone and `OFFSET … ROWS FETCH NEXT … ROWS ONLY` otherwise — which T-SQL
 * allows only after ORDER BY, so an OFFSET without ORDER BY is refused here instead of by the
 * server. OUTPUT instead of RETURNING, MERGE for upserts, CROSS/OUTER APPLY for lateral joins.
 */
export class MssqlCompiler extends SqlCompiler {
  readonly dialect: Dialect = 'mssql'
  protected readonly maxIdentifierLength = 128
  protected override readonly supportsLateral = true
  protected override readonly supportsSetOpAll = false

  protected placeholder(index: number): string {
    return '@p' + index
  }

  protected quotePart(part: string): string {
    return `[${part.replaceAll(']', ']]')}]`
  }

  /** T-SQL error 1033: ORDER BY is invalid in a subquery, CTE or derived table without TOP/OFFSET. */
  protected override subquery(q: QueryNode): string {
    if (q.kind === 'select' && q.orderBy.length > 0 && q.limit === null && q.offset === null) {
      throw this.unsupported('ORDER BY in a subquery without a limit or offset')
    }
    return this.query(q)
  }

  protected override withKeyword(): string {
    return 'WITH'
  }

  protected override orderItem(o: OrderNode): string {
    return this.emulatedNullsOrder(o)
  }

  protected override selectHead(q: QueryNode): string {
    const head = super.selectHead(q)
    return q.limit !== null && q.offset === null && q.setOps.length === 0 ? `${head}TOP (${q.limit}) ` : head
  }

  protected override limitClause(q: QueryNode): string {
    if (q.offset === null && (q.limit === null || q.setOps.length === 0)) return ''
    if (q.orderBy.length === 0) {
      throw this.unsupported(
        q.offset === null ? 'a LIMIT on a set operation without ORDER BY' : 'OFFSET without ORDER BY',
      )
    }
    const fetch = q.limit === null ? '' : ` FETCH NEXT ${q.limit} ROWS ONLY`
    return ` OFFSET ${q.offset ?? 0} ROWS${fetch}`
  }

  /** LATERAL → APPLY; APPLY has no ON clause, so a lateral join condition belongs in the subquery. */
  protected override joinClause(j: JoinNode): string {
    if (!j.lateral) return super.joinClause(j)
    if (j.on !== null)
      throw this.unsupported('a condition on a lateral join (APPLY has no ON; filter inside the subquery)')
    return `${j.type === 'left' ? 'OUTER APPLY' : 'CROSS APPLY'} ${this.fromItem(j.table)}`
  }

  protected override returningClause(): string {
    return ''
  }

  /** `OUTPUT INSERTED.c` / `DELETED.c`: returned columns come from the pseudo-table. */
  protected override outputClause(q: QueryNode, pseudoTable: 'INSERTED' | 'DELETED'): string {
    if (q.returning.length === 0) return ''
    const items = q.returning.map((item) => {
      let out: string
      if (item.expr.kind === 'path') {
        const last = item.expr.path.slice(item.expr.path.lastIndexOf('.') + 1)
        out = `${pseudoTable}.${this.path(last, 'column')}`
      } else out = this.expr(item.expr)
      return item.alias === null ? out : `${out} AS ${this.name(item.alias)}`
    })
    return ` OUTPUT ${items.join(', ')}`
  }

  protected override insert(q: QueryNode): string {
    if (q.conflict !== null) return this.merge(q)
    if (q.rows.length > MSSQL_MAX_INSERT_ROWS) {
      throw this.unsupported(`an INSERT of more than ${MSSQL_MAX_INSERT_ROWS} rows (use buildBatches())`)
    }
    return super.insert(q)
  }

  /** An upsert as `MERGE … WITH (HOLDLOCK)`, the lock that keeps two MERGEs from both inserting. */
  protected merge(q: QueryNode): string {
    this.checkClauses(q, false, false)
    const c = q.conflict!
    if (c.columns.length === 0) throw new InvalidArgumentError('MSSQL MERGE needs conflict columns')
    const columns = this.insertColumns(q)
    const ctes = this.withClause(q.with)
    if (q.rows.some((row) => columns.some((k) => row[k] === undefined))) {
      throw this.unsupported('an upsert whose rows leave out columns')
    }
    const target = this.tableName(q.target!)
    const cols = columns.map((k) => this.name(k))
    const source =
      q.insertQuery !== null ? this.query(q.insertQuery) : `VALUES ${this.insertRows(q.rows, columns)}`
    const on = c.columns.map((k) => `${target}.${this.name(k)} = excluded.${this.name(k)}`).join(' AND ')
    let sql = `${ctes}MERGE INTO ${target} WITH (HOLDLOCK) USING (${source}) AS excluded (${cols.join(', ')}) ON ${on}`
    if (c.set !== null) sql += ` WHEN MATCHED THEN UPDATE SET ${this.assignments(c.set)}`
    sql += ` WHEN NOT MATCHED THEN INSERT (${cols.join(', ')}) VALUES (${cols.map((k) => `excluded.${k}`).join(', ')})`
    // T-SQL: "A MERGE statement must be terminated by a semi-colon".
    return `${sql}${this.outputClause(q, 'INSERTED')};`
  }

  /** `UPDATE a SET … OUTPUT … FROM t AS a JOIN … WHERE …` when there is an alias, FROM or a join. */
  protected override update(q: QueryNode): string {
    this.checkClauses(q, true, false)
    if (q.set.length === 0) throw new InvalidArgumentError('update() needs set()')
    const t = q.target!
    const extended = t.alias !== null || q.from.length > 0 || q.joins.length > 0
    const head = t.alias !== null ? this.name(t.alias) : this.tableName(t)
    let sql = `${this.withClause(q.with)}UPDATE ${head} SET ${this.assignments(q.set)}${this.outputClause(q, 'INSERTED')}`
    if (extended) {
      sql += ` FROM ${this.targetWithAlias(t)}`
      if (q.from.length > 0) sql += `, ${this.fromList(q.from)}`
      sql += this.joins(q.joins)
    }
    if (q.where.length > 0) sql += ` WHERE ${this.conditions(q.where)}`
    return sql
  }

  protected override delete(q: QueryNode): string {
    this.checkClauses(q, false, false)
    const t = q.target!
    const output = this.outputClause(q, 'DELETED')
    let sql =
      t.alias === null
        ? `${this.withClause(q.with)}DELETE FROM ${this.tableName(t)}${output}`
        : `${this.withClause(q.with)}DELETE ${this.name(t.alias)}${output} FROM ${this.targetWithAlias(t)}`
    if (q.where.length > 0) sql += ` WHERE ${this.conditions(q.where)}`
    return sql
  }
}
