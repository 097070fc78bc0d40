import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { applyMergePatch, createMergePatch } from '../../../src/json/merge-patch.js'

// RFC 7396 examples, whole file (test/vectors/json-merge-patch/README.md).
interface MergeRecord {
  doc: unknown
  patch: unknown
  expected: unknown
  comment?: string
}

const file = new URL('../../vectors/json-merge-patch/rfc7396_tests.json', import.meta.url)
const { tests } = JSON.parse(readFileSync(file, 'utf8')) as { tests: MergeRecord[] }

describe('RFC 7396 merge patch examples', () => {
  it('holds every case of the file', () => assert.equal(tests.length, 17))
  tests.forEach((record, n) => {
    it(`#${n} ${record.comment ?? ''}`, () => {
      const before = structuredClone(record.doc)
      assert.deepEqual(applyMergePatch(record.doc, record.patch), record.expected)
      assert.deepEqual(record.doc, before)
      // A generated merge patch reproduces the expected result from the same document.
      const generated = createMergePatch(record.doc, record.expected)
      assert.deepEqual(applyMergePatch(record.doc, generated), record.expected)
    })
  })
})
