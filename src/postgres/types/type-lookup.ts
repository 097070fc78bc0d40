import { InvalidArgumentError } from '../../errors/classes.js'

/** What a name lookup needs from a connection (PgConnection satisfies it). */
export interface TypeLookup {
  query(sql: string, params?: readonly unknown[]): Promise<readonly Record<string, unknown>[]>
}

export interface TypeOids {
  oid: number
  /** 0 when the type has no array type. */
  arrayOid: number
}

/**
 * The OIDs of types by name, as the server resolves them: `to_regtype` accepts what a cast
 * would (`mood`, `public.mood`, `"Mixed Case"`, `int4`) and follows the search_path. OIDs of user
 * types differ between databases, so they are looked up at run time, never hard-coded.
 */
export async function resolveTypeOids(
  conn: TypeLookup,
  names: readonly string[],
): Promise<Map<string, TypeOids>> {
  const rows = await conn.query(
    'select n.name, t.oid, t.typarray from unnest($1::text[]) as n(name) left join pg_type t on t.oid = to_regtype(n.name)',
    [names],
  )
  const out = new Map<string, TypeOids>()
  for (const row of rows) {
    const name = row.name as string
    if (row.oid === null) throw new InvalidArgumentError(`register: no type named ${JSON.stringify(name)}`)
    out.set(name, { oid: Number(row.oid), arrayOid: Number(row.typarray) })
  }
  return out
}
