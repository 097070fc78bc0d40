import type { PatchOperation } from './patch.js'
import { escapePointerSegment } from './pointer.js'
import { isContainer, jsonClone, jsonEqual } from './values.js'

/**
 * A JSON Patch (RFC 6902) that turns `from` into `to`. Objects are compared member by member,
 * arrays after trimming their common head and tail, so a change deep inside a large document
 * yields a few small operations. Values in the patch are copies: the patch never aliases `to`.
 */
export function createPatch(from: unknown, to: unknown): PatchOperation[] {
  const ops: PatchOperation[] = []
  diffValue(from, to, '', ops)
  return ops
}

function diffValue(a: unknown, b: unknown, path: string, ops: PatchOperation[]): void {
  if (a === b) return
  if (isContainer(a) && isContainer(b) && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a)) diffArray(a, b as unknown[], path, ops)
    else diffObject(a, b as Record<string, unknown>, path, ops)
    return
  }
  if (!jsonEqual(a, b)) ops.push({ op: 'replace', path, value: jsonClone(b) })
}

function diffObject(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  path: string,
  ops: PatchOperation[],
): void {
  for (const key of Object.keys(a)) {
    if (!Object.hasOwn(b, key)) ops.push({ op: 'remove', path: `${path}/${escapePointerSegment(key)}` })
  }
  for (const key of Object.keys(b)) {
    const child = `${path}/${escapePointerSegment(key)}`
    if (Object.hasOwn(a, key)) diffValue(a[key], b[key], child, ops)
    else ops.push({ op: 'add', path: child, value: jsonClone(b[key]) })
  }
}

function diffArray(a: unknown[], b: unknown[], path: string, ops: PatchOperation[]): void {
  let head = 0
  const shorter = Math.min(a.length, b.length)
  while (head < shorter && jsonEqual(a[head], b[head])) head++
  let tail = 0
  while (tail < shorter - head && jsonEqual(a[a.length - 1 - tail], b[b.length - 1 - tail])) tail++
  const aEnd = a.length - tail
  const bEnd = b.length - tail
  const paired = Math.min(aEnd, bEnd) - head
  // Elements present on both sides at the same index are diffed in place (deep, so small edits
  // inside an element stay small); then the surplus is removed from the back or inserted.
  for (let i = 0; i < paired; i++) diffValue(a[head + i], b[head + i], `${path}/${head + i}`, ops)
  for (let i = aEnd - 1; i >= head + paired; i--) ops.push({ op: 'remove', path: `${path}/${i}` })
  for (let i = head + paired; i < bEnd; i++)
    ops.push({ op: 'add', path: `${path}/${i}`, value: jsonClone(b[i]) })
}
