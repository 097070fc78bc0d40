import { InvalidArgumentError, JsonError } from '../errors/classes.js'
import type { ErrorCode } from '../errors/codes.js'
import { arrayIndex, childAt, isMissing, parsePointer } from './pointer.js'
import { isContainer, jsonClone, jsonEqual, shallowCopy } from './values.js'

/** One RFC 6902 operation (§4). */
export type PatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'move'; from: string; path: string }
  | { op: 'copy'; from: string; path: string }
  | { op: 'test'; path: string; value: unknown }

export interface ApplyPatchOptions {
  /**
   * Change `document` in place instead of returning a new one. Still atomic: the operations run
   * on copies of the touched containers and are written back only when every one succeeded.
   */
  mutate?: boolean
}

/** A JSON Patch failed; `index` is the failing operation's position in the patch. */
export class JsonPatchError extends JsonError {
  static override readonly kind: string = 'JsonPatchError'
  readonly index: number
  readonly op: string
  readonly path: string

  constructor(code: ErrorCode, index: number, op: string, path: string, why: string, cause?: unknown) {
    super(code, `JSON Patch operation ${index} (${op} ${JSON.stringify(path)}): ${why}`, { cause })
    this.index = index
    this.op = op
    this.path = path
  }
}

type Container = Record<string, unknown> | unknown[]

function isPrefix(prefix: readonly string[], tokens: readonly string[]): boolean {
  if (prefix.length > tokens.length) return false
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== tokens[i]) return false
  return true
}

function copyWithout(source: Record<string, unknown>, without: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const key in source) if (key !== without && Object.hasOwn(source, key)) copy[key] = source[key]
  return copy
}

/** Thrown inside the patcher, turned into a JsonPatchError that names the operation. */
class StepError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Applies operations copy-on-write: a container on a written path is shallow-copied the first time
 * it is touched (then owned and written in place), so the input is never changed and everything
 * off the written paths is shared with it (issue 8: no deep clone).
 */
class Patcher {
  root: unknown
  /**
   * Containers created by this patch (writable in place). A short array: a patch touches few
   * containers, and a linear scan of a handful beats hashing; past 32 a Set takes over.
   */
  private owned: object[] = []
  private ownedSet: Set<object> | undefined
  /** For `mutate`: each copy made by `own`, mapped to the container it was copied from. */
  readonly originals: Map<object, Container> | undefined

  constructor(root: unknown, mutate: boolean) {
    this.root = root
    this.originals = mutate ? new Map() : undefined
  }

  private isOwned(container: object): boolean {
    return this.ownedSet === undefined ? this.owned.includes(container) : this.ownedSet.has(container)
  }

  private markOwned(container: object): void {
    if (this.ownedSet !== undefined) this.ownedSet.add(container)
    else if (this.owned.push(container) > 32) this.ownedSet = new Set(this.owned)
  }

  /** A writable version of `container`; `without` names an object member to leave out of a copy. */
  private own(container: Container, without: string | undefined): Container {
    if (this.isOwned(container)) return container
    // Building the copy without the member keeps V8's fast object layout, which `delete` loses.
    const copy =
      without === undefined
        ? shallowCopy(container)
        : copyWithout(container as Record<string, unknown>, without)
    this.markOwned(copy)
    this.originals?.set(copy, container)
    return copy
  }

  /** A fresh copy of a value coming from the patch, so the patch object is never aliased. */
  private fresh(value: unknown): unknown {
    if (!isContainer(value)) return value
    const copy = jsonClone(value)
    this.markOwned(copy)
    return copy
  }

  read(tokens: readonly string[]): unknown {
    let current = this.root
    for (const token of tokens) {
      current = childAt(current, token)
      if (isMissing(current)) throw new StepError('ERR_JSON_PATCH', 'the path does not exist')
    }
    return current
  }

  /**
   * The parent container of the last token, made writable along the way. With `removing`, an
   * object parent copied here already lacks the last member (the caller checked it exists).
   */
  private parentOf(tokens: readonly string[], removing = false): Container {
    if (!isContainer(this.root)) throw new StepError('ERR_JSON_PATCH', 'the parent does not exist')
    const last = tokens.length - 1
    const dropped = removing ? tokens[last] : undefined
    let current = this.own(this.root, last === 0 && !Array.isArray(this.root) ? dropped : undefined)
    this.root = current
    for (let i = 0; i < last; i++) {
      const token = tokens[i]!
      const child = childAt(current, token)
      if (!isContainer(child)) throw new StepError('ERR_JSON_PATCH', 'the parent does not exist')
      const owned = this.own(child, i + 1 === last && !Array.isArray(child) ? dropped : undefined)
      if (owned !== child)
        (current as Record<string, unknown>)[Array.isArray(current) ? Number(token) : token] = owned
      current = owned
    }
    return current
  }

  add(tokens: readonly string[], value: unknown): void {
    if (tokens.length === 0) {
      this.root = this.fresh(value)
      return
    }
    const parent = this.parentOf(tokens)
    const key = tokens[tokens.length - 1]!
    if (Array.isArray(parent)) {
      const index = arrayIndex(key, parent.length, true)
      if (index < 0) throw new StepError('ERR_JSON_PATCH', 'the array index is out of range or malformed')
      if (index === parent.length) parent.push(this.fresh(value))
      else parent.splice(index, 0, this.fresh(value))
    } else {
      parent[key] = this.fresh(value)
    }
  }

  remove(tokens: readonly string[]): void {
    if (tokens.length === 0) throw new StepError('ERR_JSON_PATCH', 'cannot remove the whole document')
    const key = tokens[tokens.length - 1]!
    const target = this.read(tokens.slice(0, -1))
    if (!Array.isArray(target) && !(isContainer(target) && Object.hasOwn(target, key))) {
      throw new StepError('ERR_JSON_PATCH', 'the path does not exist')
    }
    const parent = this.parentOf(tokens, true)
    if (Array.isArray(parent)) {
      const index = arrayIndex(key, parent.length, false)
      if (index < 0 || index >= parent.length)
        throw new StepError('ERR_JSON_PATCH', 'the path does not exist')
      parent.splice(index, 1)
    } else if (Object.hasOwn(parent, key)) {
      delete parent[key]
    }
  }

  replace(tokens: readonly string[], value: unknown): void {
    if (tokens.length === 0) {
      this.root = this.fresh(value)
      return
    }
    const parent = this.parentOf(tokens)
    const key = tokens[tokens.length - 1]!
    if (Array.isArray(parent)) {
      const index = arrayIndex(key, parent.length, false)
      if (index < 0 || index >= parent.length)
        throw new StepError('ERR_JSON_PATCH', 'the path does not exist')
      parent[index] = this.fresh(value)
    } else {
      if (!Object.hasOwn(parent, key)) throw new StepError('ERR_JSON_PATCH', 'the path does not exist')
      parent[key] = this.fresh(value)
    }
  }

  /** RFC 6902 §4.4: remove then add; the value is moved, not copied. */
  move(from: readonly string[], to: readonly string[]): void {
    const value = this.read(from)
    if (isPrefix(from, to)) {
      if (from.length === to.length) return
      throw new StepError('ERR_JSON_PATCH', 'cannot move a value into one of its own children')
    }
    this.remove(from)
    this.insertMoved(to, value)
  }

  private insertMoved(tokens: readonly string[], value: unknown): void {
    if (tokens.length === 0) {
      this.root = value
      return
    }
    const parent = this.parentOf(tokens)
    const key = tokens[tokens.length - 1]!
    if (Array.isArray(parent)) {
      const index = arrayIndex(key, parent.length, true)
      if (index < 0) throw new StepError('ERR_JSON_PATCH', 'the array index is out of range or malformed')
      parent.splice(index, 0, value)
    } else {
      parent[key] = value
    }
  }

  /** Writes every copy back into the container it came from (for `mutate: true`). */
  commitInPlace(): unknown {
    const originals = this.originals!
    const mapped = (value: unknown): unknown => (isContainer(value) ? (originals.get(value) ?? value) : value)
    for (const [copy, original] of originals) {
      if (Array.isArray(copy)) {
        const target = original as unknown[]
        target.length = copy.length
        for (let i = 0; i < copy.length; i++) target[i] = mapped(copy[i])
        continue
      }
      const target = original as Record<string, unknown>
      const keys = Object.keys(copy)
      const oldKeys = Object.keys(target)
      const sameOrder = keys.length === oldKeys.length && keys.every((k, i) => k === oldKeys[i])
      if (!sameOrder) for (const key of oldKeys) delete target[key]
      for (const key of keys) target[key] = mapped((copy as Record<string, unknown>)[key])
    }
    return mapped(this.root)
  }
}

const OPS: ReadonlySet<string> = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test'])

function step(patcher: Patcher, operation: Record<string, unknown>): void {
  const op = operation.op as string
  const path = parsePointer(operation.path as string)
  if (op === 'remove') {
    patcher.remove(path)
    return
  }
  if (op === 'move' || op === 'copy') {
    if (typeof operation.from !== 'string') throw new StepError('ERR_JSON_PATCH', '"from" must be a string')
    const from = parsePointer(operation.from)
    if (op === 'move') patcher.move(from, path)
    else patcher.add(path, patcher.read(from))
    return
  }
  if (!('value' in operation) || operation.value === undefined) {
    throw new StepError('ERR_JSON_PATCH', '"value" is missing')
  }
  if (op === 'add') patcher.add(path, operation.value)
  else if (op === 'replace') patcher.replace(path, operation.value)
  else if (!jsonEqual(patcher.read(path), operation.value)) {
    throw new StepError('ERR_JSON_PATCH_TEST_FAILED', 'the value at the path is not equal to "value"')
  }
}

/**
 * Applies an RFC 6902 JSON Patch. Atomic: if any operation fails, the input is unchanged and the
 * JsonPatchError names the operation's index and path. Returns the patched document (a new one
 * sharing untouched parts with the input, or the input itself with `mutate: true`).
 */
export function applyPatch<T = unknown>(
  document: unknown,
  operations: readonly PatchOperation[],
  options: ApplyPatchOptions = {},
): T {
  if (!Array.isArray(operations)) {
    throw new InvalidArgumentError('applyPatch: operations must be an array (RFC 6902 §3)')
  }
  const patcher = new Patcher(document, options.mutate === true)
  for (let i = 0; i < operations.length; i++) {
    const operation = operations[i] as unknown as Record<string, unknown>
    const op = isContainer(operation) ? operation.op : undefined
    const path = isContainer(operation) ? operation.path : undefined
    const label = typeof op === 'string' ? op : String(op)
    const where = typeof path === 'string' ? path : String(path)
    if (typeof op !== 'string' || !OPS.has(op) || typeof path !== 'string') {
      throw new JsonPatchError(
        'ERR_JSON_PATCH',
        i,
        label,
        where,
        'not a valid operation (needs a known "op" and a "path")',
      )
    }
    try {
      step(patcher, operation)
    } catch (error) {
      const code = error instanceof StepError || error instanceof JsonError ? error.code : 'ERR_JSON_PATCH'
      throw new JsonPatchError(code, i, op, where, (error as Error).message, error)
    }
  }
  return (options.mutate ? patcher.commitInPlace() : patcher.root) as T
}
