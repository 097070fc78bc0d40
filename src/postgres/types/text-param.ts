import { localDateTimeText } from './calendar.js'
import { encodeError, type PgType } from './pg-type.js'

/**
 * The text of a JS value for a parameter whose type takes text as it is: text, varchar, name,
 * an enum, a domain over an unknown type, an extension's type, or `$1` where the server infers
 * text. It is what node-postgres sends (its documented `prepareValue`), so `SELECT $1` gives the
 * same answer with either: a boolean is 'true'/'false', a Date ISO 8601 local time with its
 * offset, a Buffer the bytea hex text inside arrays, an array an array literal, an object JSON.
 */
export function valueText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
    case 'bigint':
      return String(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object':
      if (value === null) break
      if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) break
        return localDateTimeText(value)
      }
      if (Array.isArray(value)) return arrayLiteral(value)
      return objectJson(value)
  }
  throw encodeError('text', 'a string, number, bigint, boolean, Buffer, Date, array or object')
}

/**
 * array_in's syntax, every element quoted: for an array type the registry does not know (an
 * enum[]), whose input function checks the shape, or plain text, which takes any shape.
 */
function arrayLiteral(value: readonly unknown[]): string {
  let out = '{'
  for (let i = 0; i < value.length; i++) {
    const x = value[i]
    if (i > 0) out += ','
    if (x === null || x === undefined) out += 'NULL'
    else if (Array.isArray(x)) out += arrayLiteral(x)
    else out += `"${valueText(x).replace(/[\\"]/g, '\\$&')}"`
  }
  return `${out}}`
}

function objectJson(value: object): string {
  try {
    const json = JSON.stringify(value)
    if (json !== undefined) return json
  } catch (err) {
    throw encodeError('text', 'a JSON-serialisable object', err)
  }
  throw encodeError('text', 'a JSON-serialisable object')
}

/**
 * A Bind parameter of a text type: a Buffer goes as its bytes (node-postgres sends a Buffer in
 * binary format, whose bytes for a text type are the same); anything else as `valueText`.
 */
export function textBind(value: unknown): Uint8Array | string {
  return value instanceof Uint8Array ? value : valueText(value)
}

/**
 * Parameters of a type covet has no codec for (an enum, a composite, an extension's type, a
 * domain over one of those) go in text format and the server's input function converts them.
 * Results of such types come back as the server's text.
 */
export const textParamType: PgType = {
  name: 'text',
  parse: (s) => s,
  serialize: valueText,
  stringsToServer: true,
  bindText: true,
  bind: textBind,
}
