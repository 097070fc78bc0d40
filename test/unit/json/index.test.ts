import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as json from '../../../src/json/index.js'

describe('covet/json public API', () => {
  it('exports the classes and functions of issue 8, and nothing internal', () => {
    assert.deepEqual(Object.keys(json).sort(), [
      'FastJsonDecoder',
      'FastJsonEncoder',
      'JsonParseError',
      'JsonPatchError',
      'JsonSchemaValidationError',
      'JsonSchemaValidator',
      'JsonStreamItemError',
      'applyMergePatch',
      'applyPatch',
      'createMergePatch',
      'createPatch',
      'decodeBatch',
      'decodeStream',
      'encodeBatch',
      'encodeStream',
      'escapePointerSegment',
      'formatPointer',
      'getByPointer',
      'hasPointer',
      'parsePointer',
    ])
  })

  it('round-trips a document through the seed API', () => {
    const value = { b: [1, { c: 'x' }], a: null }
    const text = new json.FastJsonEncoder({ pretty: true, sortKeys: true }).encode(value)
    assert.deepEqual(new json.FastJsonDecoder({ strict: true }).decode(text), value)
    assert.equal(new json.JsonSchemaValidator({ type: 'object', required: ['a'] }).validate(text), true)
  })
})
