import { invalidIdentifier } from '../identifiers.js'
import type { Dialect, OrderNode, QueryNode } from '../nodes.js'
import { SqlCompiler } from './base.js'

/**
 * MySQL 8.0 (≥ 8.0.19 for the INSERT row alias, 8.0.14 for LATERAL, 8.0.31 for INTERSECT/EXCEPT).
 * Backtick quoting, `?` placeholders, no FULL JOIN, no NULLS FIRST/LAST (emulated), no
 * RETURNING. Multi-table UPDATE puts the joins before SET (MySQL manual 15.2.17).
 */
export class MysqlCompiler extends SqlCompiler {
  readonly dialect: Dialect = 'mysql'
  protected readonly maxIdentifierLength = 64
  protected override readonly supportsFullJoin = false
  protected override readonly supportsLateral: boolean = true
  // MySQL manual 15.2.13: "to retrieve all rows from a certain offset … use some large number".
  protected override readonly offsetOnlyLimit = '18446744073709551615'

  protected placeholder(): string {
    return '?'
  }

  /** MySQL manual 11.2: no NUL, no supplementary characters, no trailing space in a name. */
  protected quotePart(part: string): string {
    if (/[\u{10000}-\u{10FFFF}]/u.test(part) || part.endsWith(' ')) {
      throw invalidIdentifier(
        'identifier',
        part,
        `${this.label} refuses supplementary characters and trailing spaces`,
      )
    }
    return `\`${part.replaceAll('`', '``')}\``
  }

  protected override orderItem(o: OrderNode): string {
    return this.emulatedNullsOrder(o)
  }

  /** MySQL has no `DEFAULT VALUES`; an empty column list and an empty row say the same. */
  protected override defaultValues(): string {
    return '() VALUES ()'
  }

  /** `INSERT … VALUES (…) AS excluded` (MySQL 8.0.19), so `excluded.c` works as in PostgreSQL. */
  protected rowAlias(q: QueryNode): string {
    if (q.insertQuery !== null) throw this.unsupported('an upsert from INSERT … SELECT')
    return ' AS excluded'
  }

  /**
   * ON DUPLICATE KEY UPDATE fires on any unique key, so the conflict columns only serve DO NOTHING,
   * which becomes a no-op assignment of the first of them (INSERT IGNORE would hide other errors).
   */
  protected override upsertClause(q: QueryNode, columns: readonly string[]): string {
    const c = q.conflict!
    if (c.set === null) {
      const first = this.name(c.columns[0] ?? columns[0]!)
      return ` ON DUPLICATE KEY UPDATE ${first} = ${first}`
    }
    return `${this.rowAlias(q)} ON DUPLICATE KEY UPDATE ${this.assignments(c.set)}`
  }

  protected override returningClause(q: QueryNode): string {
    if (q.returning.length > 0) throw this.unsupported('RETURNING')
    return ''
  }

  /** `UPDATE t AS a, o JOIN p ON … SET … WHERE … ORDER BY … LIMIT n`. */
  protected override update(q: QueryNode): string {
    this.checkClauses(q, true, true)
    if (q.offset !== null) throw this.unsupported('OFFSET on UPDATE')
    let sql = `${this.withClause(q.with)}UPDATE ${this.targetWithAlias(q.target!)}`
    if (q.from.length > 0) sql += `, ${this.fromList(q.from)}`
    sql += `${this.joins(q.joins)} SET ${this.assignments(q.set)}`
    if (q.where.length > 0) sql += ` WHERE ${this.conditions(q.where)}`
    sql += this.orderAndLimit(q)
    return sql + this.returningClause(q)
  }

  protected override delete(q: QueryNode): string {
    this.checkClauses(q, false, true)
    if (q.offset !== null) throw this.unsupported('OFFSET on DELETE')
    let sql = `${this.withClause(q.with)}DELETE FROM ${this.targetWithAlias(q.target!)}`
    if (q.where.length > 0) sql += ` WHERE ${this.conditions(q.where)}`
    return sql + this.orderAndLimit(q) + this.returningClause(q)
  }

  protected orderAndLimit(q: QueryNode): string {
    let sql = q.orderBy.length > 0 ? ` ORDER BY ${this.orderList(q.orderBy)}` : ''
    if (q.limit !== null) sql += ` LIMIT ${q.limit}`
    return sql
  }
}

/**
 * MariaDB ≥ 10.5: as MySQL, but no LATERAL, `VALUES(col)` in ON DUPLICATE KEY UPDATE (no row
 * alias), and RETURNING on INSERT and DELETE (not UPDATE; MariaDB KB "INSERT...RETURNING").
 */
export class MariaDbCompiler extends MysqlCompiler {
  override readonly dialect: Dialect = 'mariadb'
  protected override readonly supportsLateral = false

  protected override excluded(column: string): string {
    return `VALUES(${this.name(column)})`
  }

  protected override rowAlias(): string {
    return ''
  }

  protected override returningClause(q: QueryNode): string {
    if (q.returning.length === 0) return ''
    if (q.kind === 'update') throw this.unsupported('RETURNING on UPDATE')
    return ` RETURNING ${this.selectList(q.returning)}`
  }
}
