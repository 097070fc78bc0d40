import type { ConditionItem, Dialect, QueryNode, RawNode } from '../nodes.js'
import { SqlCompiler } from './base.js'

const TRUE: RawNode = { kind: 'raw', strings: ['true'], values: [] }

/** A SELECT whose text ends with its FROM/JOIN list (nothing after it to end the ambiguity). */
function endsWithFrom(q: QueryNode): boolean {
  return (
    q.kind === 'select' &&
    q.from.length > 0 &&
    q.where.length === 0 &&
    q.groupBy.length === 0 &&
    q.having.length === 0 &&
    q.setOps.length === 0 &&
    q.orderBy.length === 0 &&
    q.limit === null &&
    q.offset === null
  )
}

/**
 * SQLite ≥ 3.39 (RIGHT/FULL JOIN; RETURNING since 3.35, UPDATE … FROM since 3.33, NULLS FIRST/LAST
 * since 3.30). `?` placeholders; booleans bound as 1/0 because SQLite has no boolean type and
 * some drivers refuse JavaScript booleans. No LATERAL, no DEFAULT inside VALUES, no parenthesised
 * compound operands, no INTERSECT/EXCEPT ALL (lang_select.html).
 */
export class SqliteCompiler extends SqlCompiler {
  readonly dialect: Dialect = 'sqlite'
  protected readonly maxIdentifierLength = Number.MAX_SAFE_INTEGER
  protected override readonly supportsSetOpAll = false
  protected override readonly supportsParenthesisedOperand = false
  // lang_select.html: "If the LIMIT expression evaluates to a negative value, then there is no upper bound".
  protected override readonly offsetOnlyLimit = '-1'

  protected placeholder(): string {
    return '?'
  }

  protected quotePart(part: string): string {
    return `"${part.replaceAll('"', '""')}"`
  }

  protected override bindValue(value: unknown): unknown {
    if (typeof value === 'boolean') return value ? 1 : 0
    return super.bindValue(value)
  }

  /**
   * lang_upsert.html, "Parsing Ambiguity": after `INSERT … SELECT … FROM t` the parser reads
   * `ON CONFLICT` as a join constraint unless the SELECT has a WHERE, so an upsert gets `WHERE true`.
   */
  protected override insertSource(q: QueryNode, columns: readonly string[]): string {
    const source = q.insertQuery
    if (q.conflict === null || source === null || !endsWithFrom(source)) return super.insertSource(q, columns)
    const where: ConditionItem[] = [{ or: false, condition: { kind: 'rawCondition', raw: TRUE } }]
    return this.query({ ...source, where })
  }

  protected override missingValue(): string {
    throw this.unsupported('DEFAULT inside VALUES (give every row the same columns)')
  }
}
