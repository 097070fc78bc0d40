import type { Dialect, ExprNode } from '../nodes.js'
import { SqlCompiler } from './base.js'

/**
 * PostgreSQL: the base compiler's SQL plus `$n` placeholders, native ILIKE, DISTINCT ON, LATERAL,
 * data-modifying CTEs, and arrays / JSON objects as single bound values (the driver encodes them).
 * Identifiers over 63 bytes are refused: PostgreSQL would truncate them (NAMEDATALEN - 1).
 */
export class PostgresCompiler extends SqlCompiler {
  readonly dialect: Dialect = 'postgres'
  protected readonly maxIdentifierLength = 63
  protected override readonly supportsDistinctOn = true
  protected override readonly supportsLateral = true
  protected override readonly supportsModifyingCte = true

  /** NAMEDATALEN counts bytes. */
  protected override identifierLength(part: string): number {
    return Buffer.byteLength(part)
  }

  protected placeholder(index: number): string {
    return '$' + index
  }

  protected quotePart(part: string): string {
    return `"${part.replaceAll('"', '""')}"`
  }

  protected override bindValue(value: unknown): unknown {
    if (
      typeof value === 'object' &&
      value !== null &&
      !(value instanceof Date) &&
      !(value instanceof Uint8Array)
    ) {
      return value
    }
    return super.bindValue(value)
  }

  protected override compare(left: ExprNode, op: string, right: ExprNode): string {
    if (op === 'ilike') return `${this.expr(left)} ILIKE ${this.expr(right)}`
    if (op === 'not ilike') return `${this.expr(left)} NOT ILIKE ${this.expr(right)}`
    return super.compare(left, op, right)
  }
}
