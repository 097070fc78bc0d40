import { serializeArray } from './arrays.js'
import { encodeError, type PgType } from './pg-type.js'

/**
 * Parameters of a type covet has no codec for (an enum, a domain, a composite, an extension's
 * type) go in text format and the server's input function converts them; the JS value decides
 * only how the text is written. Results of such types come back as the server's text.
 */
function serialize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
    case 'bigint':
      return String(value)
    case 'boolean':
      return value ? 't' : 'f'
    case 'object':
      if (value === null) break
      if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) break
        return value.toISOString()
      }
      // An array of an unknown element type (e.g. an enum[]): array_in's syntax.
      if (Array.isArray(value)) return serializeArray(value, serialize, false, 'array')
      try {
        return JSON.stringify(value)
      } catch (err) {
        throw encodeError('text', 'a JSON-serialisable object', err)
      }
  }
  throw encodeError('text', 'a string, number, bigint, boolean, Buffer, Date, array or object')
}

export const textParamType: PgType = {
  name: 'text',
  parse: (s) => s,
  serialize,
}
