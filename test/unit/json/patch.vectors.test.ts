import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { JsonError } from '../../../src/errors/classes.js'
import { applyPatch, type PatchOperation } from '../../../src/json/patch.js'

// json-patch/json-patch-tests, whole files (test/vectors/json-patch-tests/README.md).
interface PatchRecord {
  comment?: string
  doc?: unknown
  patch?: PatchOperation[]
  expected?: unknown
  error?: string
  disabled?: boolean
}

const dir = new URL('../../vectors/json-patch-tests/', import.meta.url)

for (const file of ['tests.json', 'spec_tests.json']) {
  const records = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as PatchRecord[]
  describe(`json-patch-tests ${file}`, () => {
    records.forEach((record, n) => {
      // Records with only a comment are separators (README); disabled ones are marked so upstream.
      if (record.patch === undefined) return
      const title = `#${n} ${record.comment ?? record.error ?? ''}`
      it(title, { skip: record.disabled ? 'disabled upstream' : false }, () => {
        const before = structuredClone(record.doc)
        for (const mutate of [false, true]) {
          const doc = structuredClone(record.doc)
          if (record.error !== undefined) {
            assert.throws(() => applyPatch(doc, record.patch!, { mutate }), JsonError)
            assert.deepEqual(doc, before, 'a failed patch leaves the document untouched')
          } else {
            const result = applyPatch(doc, record.patch!, { mutate })
            assert.deepEqual(result, 'expected' in record ? record.expected : record.doc)
            if (!mutate) assert.deepEqual(doc, before, 'the immutable mode never changes its input')
          }
        }
      })
    })
  })
}
