import type { ErrorCode, ServerErrorCode } from './codes.js'

/**
 * The brand every covet error carries. `Symbol.for` puts it in the global symbol registry, so two
 * copies of covet loaded side by side (a bundled dependency and the app's own) still recognise
 * each other's errors with `instanceof` and `isCovetError` (DESIGN §4).
 */
const KINDS = Symbol.for('covet.error.kinds')

const kindsByClass = new WeakMap<object, readonly string[]>()

/** The `kind` names of a class and of every covet class above it, most specific first. */
function kindsOf(ctor: object): readonly string[] {
  let kinds = kindsByClass.get(ctor)
  if (kinds) return kinds
  const found: string[] = []
  for (let c: unknown = ctor; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c, 'kind')) found.push((c as unknown as { kind: string }).kind)
    if (c === CovetError) break
  }
  kinds = Object.freeze(found)
  kindsByClass.set(ctor, kinds)
  return kinds
}

export interface CovetErrorOptions {
  cause?: unknown
}

/** The base of every error covet throws: a stable `code`, a message, and the ES2022 `cause`. */
export class CovetError extends Error {
  /** The brand name checked by `instanceof`; each covet subclass declares its own. */
  static readonly kind: string = 'CovetError'

  static override [Symbol.hasInstance](value: unknown): boolean {
    // A subclass a user derives without its own `kind` falls back to the prototype chain.
    if (!Object.hasOwn(this, 'kind')) return Function.prototype[Symbol.hasInstance].call(this, value)
    if (typeof value !== 'object' || value === null) return false
    const kinds = (value as { [KINDS]?: unknown })[KINDS]
    return Array.isArray(kinds) && kinds.includes(this.kind)
  }

  /** covet's own code (`ERR_*`), or on a DatabaseError the server's (SQLSTATE, MySQL symbol). */
  readonly code: ErrorCode | ServerErrorCode
  declare readonly [KINDS]: readonly string[]

  constructor(code: ErrorCode | ServerErrorCode, message: string, options?: CovetErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    Object.defineProperty(this, 'name', {
      value: new.target.name,
      enumerable: false,
      configurable: true,
      writable: true,
    })
    Object.defineProperty(this, KINDS, { value: kindsOf(new.target), enumerable: false })
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message }
    for (const key of Object.keys(this)) {
      const value = (this as unknown as Record<string, unknown>)[key]
      if (value !== undefined && key !== 'cause') out[key] = value
    }
    return out
  }
}

/** True for an error thrown by any copy of covet. */
export function isCovetError(value: unknown): value is CovetError {
  return value instanceof CovetError
}
