import { arrayType } from './arrays.js'
import { dateType, timestampType, timeType, timetzType } from './datetime.js'
import { float4Type, float8Type } from './floats.js'
import { intervalType } from './interval.js'
import { cidrType, inetNetType, macaddrType } from './network.js'
import { boolType, int2Type, int4Type, int8Type, oidType } from './numbers.js'
import { numericType } from './numeric.js'
import { ARRAY_OID, Oid } from './oids.js'
import type { ResolvedTypeOptions } from './options.js'
import type { PgType } from './pg-type.js'
import { byteaType, charType, jsonbType, jsonType, textType, uuidType } from './strings.js'

/** Every built-in type covet maps, and the array type of each, keyed by OID. */
export function builtinTypes(o: ResolvedTypeOptions): Map<number, PgType> {
  const ts = { mode: o.timestamps, wallClock: o.timestampWithoutTimeZone }
  const scalars: [number, PgType][] = [
    [Oid.bool, boolType],
    [Oid.int2, int2Type],
    [Oid.int4, int4Type],
    [Oid.int8, int8Type(o.int8)],
    [Oid.oid, oidType],
    [Oid.float4, float4Type],
    [Oid.float8, float8Type],
    [Oid.numeric, numericType(o.numeric)],
    [Oid.text, textType('text')],
    [Oid.varchar, textType('varchar')],
    [Oid.bpchar, textType('bpchar')],
    [Oid.name, textType('name')],
    [Oid.char, charType],
    [Oid.xml, textType('xml')],
    [Oid.unknown, textType('unknown')],
    [Oid.bytea, byteaType],
    [Oid.uuid, uuidType],
    [Oid.json, jsonType(o.json)],
    [Oid.jsonb, jsonbType(o.json)],
    [Oid.date, dateType(o.date)],
    [Oid.time, timeType],
    [Oid.timetz, timetzType],
    [Oid.timestamp, timestampType({ ...ts, withZone: false })],
    [Oid.timestamptz, timestampType({ ...ts, withZone: true })],
    [Oid.interval, intervalType(o.interval)],
    [Oid.inet, inetNetType],
    [Oid.cidr, cidrType],
    [Oid.macaddr, macaddrType],
  ]
  const types = new Map(scalars)
  for (const [oid, type] of scalars) {
    const arrayOid = ARRAY_OID.get(oid)
    if (arrayOid !== undefined) types.set(arrayOid, arrayType(type, oid))
  }
  return types
}
