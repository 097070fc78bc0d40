import type { ParamCodec, ParameterCodec, ResultCodec, TypeCodecs } from '../codecs.js'
import { arrayType } from './arrays.js'
import { binaryParam, binaryResult, bindCodec, type TypeRegistry, textResult } from './registry.js'

/**
 * Domains, one connection's view (issue 14). A domain's parameters are described with the
 * domain's OID (ParameterDescription), its results with the base type's (printtup.c sends
 * getBaseType), and an array of a domain has an OID of its own. OIDs of user types differ between
 * databases, so they are looked up in pg_type per connection: a domain then takes its base type's
 * codec pair (typbasetype, followed through domains over domains), an array of a domain an array
 * of the base type's elements, and every other OID stays with the registry.
 */

/** FirstGenbkiObjectId (access/transam.h): OIDs below it are the built-in catalog's types. */
const FIRST_NON_BUILTIN_OID = 10_000

interface Alias {
  result: ResultCodec
  preferred: ResultCodec
  param: ParameterCodec
  binary: ParamCodec | undefined
}

export class DomainTypes implements TypeCodecs {
  readonly #registry: TypeRegistry
  readonly #aliases = new Map<number, Alias>()
  /** OIDs pg_type was asked about, domains or not: each is looked up once per connection. */
  readonly #looked = new Set<number>()

  constructor(registry: TypeRegistry) {
    this.#registry = registry
  }

  result(oid: number): ResultCodec {
    return this.#aliases.get(oid)?.result ?? this.#registry.result(oid)
  }

  preferredResult(oid: number): ResultCodec {
    return this.#aliases.get(oid)?.preferred ?? this.#registry.preferredResult(oid)
  }

  param(oid: number): ParameterCodec {
    return this.#aliases.get(oid)?.param ?? this.#registry.param(oid)
  }

  binary(oid: number): ParamCodec | undefined {
    const alias = this.#aliases.get(oid)
    return alias === undefined ? this.#registry.binary(oid) : alias.binary
  }

  /**
   * The pg_type query for the OIDs of a described statement that may be domains (not built in,
   * not registered, not looked up yet), or undefined when there are none. Its rows go to learn().
   */
  lookup(paramTypes: readonly number[], fields: readonly { typeOid: number }[]): string | undefined {
    let oids: number[] | undefined
    const consider = (oid: number) => {
      if (oid < FIRST_NON_BUILTIN_OID || this.#looked.has(oid) || this.#registry.type(oid) !== undefined)
        return
      if (oids === undefined) oids = [oid]
      else if (!oids.includes(oid)) oids.push(oid)
    }
    for (const oid of paramTypes) consider(oid)
    for (const f of fields) consider(f.typeOid)
    return oids === undefined ? undefined : domainLookupSql(oids)
  }

  /** Rows of the lookup query: [root, elem, start, base, depth] (see domainLookupSql). */
  learn(rows: readonly unknown[]): void {
    const registry = this.#registry
    const binary = registry.options.binary
    for (const row of rows as readonly [number, boolean, number, number, number][]) {
      const [root, elem, start, base, depth] = row
      this.#looked.add(root)
      if (depth === 0) continue
      if (!elem) {
        this.#aliases.set(root, {
          result: registry.result(base),
          preferred: registry.preferredResult(base),
          param: registry.param(base),
          binary: registry.binary(base),
        })
        continue
      }
      const element = registry.type(base)
      if (element === undefined) continue
      // array_recv checks the element OID in the header: it is the domain's, not the base type's.
      const t = arrayType(element, start)
      const result = textResult(t)
      this.#aliases.set(root, {
        result,
        preferred: (binary ? binaryResult(t) : undefined) ?? result,
        param: bindCodec(t, binary),
        binary: binaryParam(t),
      })
    }
  }
}

/**
 * For each OID: the end of its typbasetype chain (elem false), and for an array type the end of
 * its element's chain (elem true, start = the element). depth 0 means not a domain. The OIDs are
 * the server's own numbers (uint32 from ParameterDescription/RowDescription), safe to inline.
 */
export function domainLookupSql(oids: readonly number[]): string {
  const list = oids.join(', ')
  return `with recursive c(root, elem, start, oid, depth) as (
  select t.oid, false, t.oid, t.oid, 0 from pg_catalog.pg_type t where t.oid in (${list})
  union all
  select t.oid, true, t.typelem, t.typelem, 0 from pg_catalog.pg_type t
    where t.oid in (${list}) and t.typcategory = 'A' and t.typelem <> 0
  union all
  select c.root, c.elem, c.start, t.typbasetype, c.depth + 1 from c
    join pg_catalog.pg_type t on t.oid = c.oid where t.typtype = 'd'
)
select distinct on (root, elem) root, elem, start, oid, depth from c order by root, elem, depth desc`
}
