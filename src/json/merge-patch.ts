import { JsonError } from '../errors/classes.js'
import { isForbiddenSegment } from './pointer.js'
import { isContainer, jsonClone, jsonEqual } from './values.js'

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isContainer(value) && !Array.isArray(value)
}

function refuseKey(key: string): void {
  if (isForbiddenSegment(key)) {
    throw new JsonError('ERR_JSON_UNSAFE', `JSON Merge Patch: the member name "${key}" is refused`)
  }
}

/**
 * Applies an RFC 7396 JSON Merge Patch (§2 MergePatch pseudocode): an object patch merges member
 * by member, `null` deletes, anything else replaces. Returns a new document sharing the members
 * the patch does not touch; the target is never changed.
 */
export function applyMergePatch<T = unknown>(target: unknown, patch: unknown): T {
  return merge(target, patch) as T
}

function merge(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return jsonClone(patch)
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {}
  for (const key of Object.keys(patch)) {
    refuseKey(key)
    const value = patch[key]
    if (value === null) delete out[key]
    else out[key] = merge(Object.hasOwn(out, key) ? out[key] : undefined, value)
  }
  return out
}

/**
 * A merge patch that turns `from` into `to`. RFC 7396 §1 cannot express a member set to `null`
 * (null means delete), so such a change is refused with ERR_JSON_PATCH rather than lost.
 */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isPlainObject(from) || !isPlainObject(to)) {
    if (isPlainObject(to)) assertNoNulls(to)
    return jsonClone(to)
  }
  const patch: Record<string, unknown> = {}
  for (const key of Object.keys(from)) if (!Object.hasOwn(to, key)) patch[key] = null
  for (const key of Object.keys(to)) {
    const value = to[key]
    if (Object.hasOwn(from, key) && jsonEqual(from[key], value)) continue
    if (value === null) {
      throw new JsonError('ERR_JSON_PATCH', `JSON Merge Patch cannot set "${key}" to null (RFC 7396 §1)`)
    }
    const child = createMergePatch(Object.hasOwn(from, key) ? from[key] : undefined, value)
    patch[key] = child
  }
  return patch
}

function assertNoNulls(value: Record<string, unknown>): void {
  for (const key of Object.keys(value)) {
    const child = value[key]
    if (child === null)
      throw new JsonError('ERR_JSON_PATCH', `JSON Merge Patch cannot set "${key}" to null (RFC 7396 §1)`)
    if (isPlainObject(child)) assertNoNulls(child)
  }
}
