/**
 * The key of a type-level-only property: covet/query's builders and compiled statements declare
 * the row type they yield under it (never set at run time), and the drivers' `execute()` reads it
 * back structurally, so neither imports the other (DESIGN §2).
 */
export const rowType: unique symbol = Symbol('covet.rowType')

export interface RowTyped<Row> {
  readonly [rowType]?: Row
}

/** The row type `Q` declares, or `Fallback` when it declares none. */
export type RowTypeOf<Q, Fallback> =
  Q extends RowTyped<infer R> ? (unknown extends R ? Fallback : R) : Fallback
