/**
 * Object rows from array rows, as pg (Result.parseRow) and mysql2 build them: each column by name
 * in order, so a later column of the same name wins. The pools read every row as an array, which
 * Drizzle's selects need (joined columns of one name survive), and build objects where Drizzle
 * asks for them (`db.execute()`).
 */
export function objectRows(
  rows: unknown[][],
  fields: readonly { name: string }[],
): Record<string, unknown>[] {
  return rows.map((row) => {
    const out: Record<string, unknown> = {}
    for (let i = 0; i < fields.length; i++) out[fields[i]!.name] = row[i]
    return out
  })
}
