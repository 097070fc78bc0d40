import { InvalidArgumentError } from '../../errors/classes.js'
import type { ParamCodec, ParameterCodec, ResultCodec, TypeCodecs } from '../codecs.js'
import { arrayType } from './arrays.js'
import { builtinTypes } from './builtin.js'
import { type ResolvedTypeOptions, resolveTypeOptions, type TypeOptions } from './options.js'
import type { PgType } from './pg-type.js'
import { utf8 } from './pg-type.js'
import { textParamType } from './text-param.js'
import { resolveTypeOids, type TypeLookup } from './type-lookup.js'

/**
 * A codec for a type covet does not know (enums, domains, composites, extensions). Give `oid`, or
 * `name` and call `registry.resolve(conn)` to look the OID up in pg_type. `parse`/`serialize` are
 * the text format (default: the text as a string / String(value)); `decode`/`encode`, if given,
 * the binary format of the type's send/recv functions. Its array type is registered with it.
 */
export interface CustomType {
  oid?: number
  name?: string
  arrayOid?: number
  parse?: (text: string) => unknown
  serialize?: (value: unknown) => string
  decode?: (buffer: Buffer, offset: number, length: number) => unknown
  encode?: (value: unknown) => Uint8Array
}

const asString: ResultCodec = { format: 0, decode: utf8 }

/**
 * The type layer of a connection (TypeCodecs): built-in types in binary format (text with
 * `binary: false`), everything else in text, plus registered custom types. Codecs are made once
 * per OID and cached, so a statement resolves each of its columns with one map lookup.
 */
export class TypeRegistry implements TypeCodecs {
  readonly options: Readonly<ResolvedTypeOptions>
  readonly #types: Map<number, PgType>
  readonly #textResultOids: Set<number>
  readonly #pending: CustomType[] = []
  #text = new Map<number, ResultCodec>()
  #preferred = new Map<number, ResultCodec>()
  #params = new Map<number, ParameterCodec>()
  #binary = new Map<number, ParamCodec | undefined>()

  constructor(options: TypeOptions = {}) {
    this.options = Object.freeze(resolveTypeOptions(options))
    this.#types = builtinTypes(this.options)
    const names = new Set(this.options.textResults)
    this.#textResultOids = new Set([...this.#types].filter(([, t]) => names.has(t.name)).map(([oid]) => oid))
  }

  /** The type registered for an OID, if any. */
  type(oid: number): PgType | undefined {
    return this.#types.get(oid)
  }

  result(oid: number): ResultCodec {
    let c = this.#text.get(oid)
    if (c === undefined) {
      c = textResult(this.#types.get(oid))
      this.#text.set(oid, c)
    }
    return c
  }

  preferredResult(oid: number): ResultCodec {
    let c = this.#preferred.get(oid)
    if (c === undefined) {
      const t = this.#types.get(oid)
      c = this.options.binary && !this.#textResultOids.has(oid) ? binaryResult(t) : undefined
      c ??= this.result(oid)
      this.#preferred.set(oid, c)
    }
    return c
  }

  param(oid: number): ParameterCodec {
    let c = this.#params.get(oid)
    if (c === undefined) {
      c = bindCodec(this.#types.get(oid) ?? textParamType, this.options.binary)
      this.#params.set(oid, c)
    }
    return c
  }

  binary(oid: number): ParamCodec | undefined {
    if (this.#binary.has(oid)) return this.#binary.get(oid)
    const c = binaryParam(this.#types.get(oid))
    this.#binary.set(oid, c)
    return c
  }

  /**
   * Adds a codec for a custom type (and its array type). Statements already prepared keep the
   * codecs they were built with: register before running queries that use the type.
   */
  register(custom: CustomType): this {
    if (custom.oid === undefined && custom.name === undefined) {
      throw new InvalidArgumentError('register: give the type an oid or a name')
    }
    if ((custom.decode === undefined) !== (custom.encode === undefined)) {
      throw new InvalidArgumentError('register: give both decode and encode (binary format), or neither')
    }
    if (custom.oid === undefined) this.#pending.push(custom)
    else this.#add(custom, custom.oid, custom.arrayOid)
    return this
  }

  /** Looks up the OIDs of the types registered by name (pg_type, via to_regtype). */
  async resolve(conn: TypeLookup): Promise<void> {
    const pending = this.#pending.splice(0)
    if (pending.length === 0) return
    const found = await resolveTypeOids(
      conn,
      pending.map((p) => p.name!),
    )
    for (const p of pending) {
      const ids = found.get(p.name!)!
      this.#add(p, ids.oid, p.arrayOid ?? (ids.arrayOid || undefined))
    }
  }

  #add(custom: CustomType, oid: number, arrayOid: number | undefined): void {
    for (const [key, v] of [
      ['oid', oid],
      ['arrayOid', arrayOid],
    ] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v <= 0 || v > 0xffffffff)) {
        throw new InvalidArgumentError(`register: ${key} must be a positive 32-bit integer`)
      }
    }
    const type: PgType = {
      name: custom.name ?? `oid ${oid}`,
      decode: custom.decode,
      encode: custom.encode,
      parse: custom.parse ?? ((s) => s),
      serialize: custom.serialize ?? textParamType.serialize,
    }
    this.#types.set(oid, type)
    if (arrayOid !== undefined) this.#types.set(arrayOid, arrayType(type, oid))
    this.#text.clear()
    this.#preferred.clear()
    this.#params.clear()
    this.#binary.clear()
  }
}

/** The text-format (format 0) decoder of a type; unknown types are their text. */
export function textResult(t: PgType | undefined): ResultCodec {
  if (t === undefined) return asString
  const parse = t.parse
  return { format: 0, decode: t.decodeText ?? ((b, o, n) => parse(utf8(b, o, n))) }
}

export function binaryResult(t: PgType | undefined): ResultCodec | undefined {
  return t?.decode === undefined ? undefined : { format: 1, decode: t.decode }
}

export function binaryParam(t: PgType | undefined): ParamCodec | undefined {
  return t?.encode === undefined ? undefined : { format: 1, encode: t.encode }
}

/**
 * The Bind encoder of a type (PgType.stringsToServer, bindText, bind): binary for the values its
 * binary encoder takes, when binary is on and the type has one; text otherwise.
 */
export function bindCodec(t: PgType, binary: boolean): ParameterCodec {
  const inBinary = binary && t.bindText !== true && t.encode !== undefined
  const other: (v: unknown) => Uint8Array | string =
    t.bindText === true ? (t.bind ?? t.serialize) : inBinary ? (t.bind ?? t.encode!) : t.serialize
  const encode = t.stringsToServer === true ? (v: unknown) => (typeof v === 'string' ? v : other(v)) : other
  return { format: inBinary ? 1 : 0, encode }
}

/** The registry behind `PgConnectionSettings.types`: an instance as is, options made into one. */
export function typeCodecsFrom(types: TypeCodecs | TypeOptions | undefined): TypeCodecs {
  if (types === undefined) return defaultTypes()
  if (typeof (types as TypeCodecs).result === 'function') return types as TypeCodecs
  return new TypeRegistry(types as TypeOptions)
}

let shared: TypeRegistry | undefined
/** One default registry for all connections: its codecs are immutable, so sharing is safe. */
function defaultTypes(): TypeRegistry {
  shared ??= new TypeRegistry()
  return shared
}
