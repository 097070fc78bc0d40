import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { JsonSchemaValidationError, JsonSchemaValidator } from '../../../src/json/schema.js'
import type { JsonSchemaObject } from '../../../src/json/schema-types.js'

const user: JsonSchemaObject = {
  type: 'object',
  required: ['id', 'tags'],
  properties: { id: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
}

/** Read through a function so TypeScript does not narrow the getter across calls. */
const errorsOf = (validator: JsonSchemaValidator) => validator.errors

describe('JsonSchemaValidator', () => {
  it('validates values and JSON text, and reports errors with JSON Pointer paths', () => {
    const validator = new JsonSchemaValidator(user, { allErrors: true })
    assert.equal(validator.validate({ id: 1, tags: ['a'] }), true)
    assert.equal(validator.errors, null)
    assert.equal(validator.validate('{"id":1,"tags":["a",2]}'), false)
    assert.deepEqual(
      errorsOf(validator)?.map((e) => [e.path, e.keyword]),
      [['/tags/1', 'type']],
    )
    assert.equal(validator.validate(Buffer.from('{"id":"x","tags":[]}')), false)
    assert.equal(errorsOf(validator)?.[0]?.path, '/id')
    assert.equal(typeof errorsOf(validator)?.[0]?.message, 'string')
  })

  it('validateValue never decodes a string', () => {
    const validator = new JsonSchemaValidator({ type: 'string' })
    assert.equal(validator.validateValue('{"a":1}'), true)
    assert.equal(validator.validate('"text"'), true)
    assert.throws(() => validator.validate('not json'), { code: 'ERR_JSON_PARSE' })
  })

  it('refuses NaN and ±Infinity as numbers and integers (JSON has neither)', () => {
    for (const type of ['number', 'integer'] as const) {
      const validator = new JsonSchemaValidator({ type })
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        assert.equal(validator.validateValue(bad), false, `${type} ${bad}`)
      }
      assert.equal(validator.validateValue(3), true)
    }
  })

  it('decodes text with the safe decoder: prototype poisoning is refused before validation', () => {
    const validator = new JsonSchemaValidator({ type: 'object' })
    assert.throws(() => validator.validate('{"__proto__":{"admin":true}}'), { code: 'ERR_JSON_UNSAFE' })
  })

  it('assert returns the value or throws JsonSchemaValidationError with the errors', () => {
    const validator = new JsonSchemaValidator<{ id: number }>(user)
    assert.deepEqual(validator.assert('{"id":2,"tags":[]}'), { id: 2, tags: [] })
    assert.throws(
      () => validator.assert({ id: 2 }),
      (e: unknown) =>
        e instanceof JsonSchemaValidationError &&
        e.code === 'ERR_JSON_SCHEMA' &&
        e.errors[0]?.keyword === 'required' &&
        e.message.includes('required'),
    )
  })

  it('compiles once per schema object and configuration', () => {
    const schema: JsonSchemaObject = { type: 'object', properties: { a: { type: 'number' } } }
    const a = new JsonSchemaValidator(schema) as unknown as { fn: unknown }
    const b = new JsonSchemaValidator(schema) as unknown as { fn: unknown }
    const c = new JsonSchemaValidator(schema, { allErrors: true }) as unknown as { fn: unknown }
    assert.equal(a.fn, b.fn)
    assert.notEqual(a.fn, c.fn)
  })

  it('separate schema objects sharing one $id each validate by their own rules', () => {
    for (let i = 0; i < 50; i++) {
      const validator = new JsonSchemaValidator({ $id: 'https://example.com/same.json', maximum: i })
      assert.equal(validator.validate(i), true)
      assert.equal(validator.validate(i + 1), false)
    }
  })

  it('supports draft-07, refuses $data references (off: CVE-2025-69873) and bad schemas', () => {
    const draft7 = new JsonSchemaValidator(
      { type: 'array', items: [{ type: 'integer' }], additionalItems: false },
      { draft: '07' },
    )
    assert.equal(draft7.validate([1]), true)
    assert.equal(draft7.validate([1, 2]), false)
    // With $data off, a {$data} object is not a reference: the schema is invalid, never data-driven.
    assert.throws(
      () => new JsonSchemaValidator({ properties: { p: { type: 'string', pattern: { $data: '1/re' } } } }),
      { code: 'ERR_JSON_SCHEMA' },
    )
    assert.throws(() => new JsonSchemaValidator({ type: 'nonsense' } as never), { code: 'ERR_JSON_SCHEMA' })
    assert.throws(() => new JsonSchemaValidator(user, { draft: '04' as never }), {
      code: 'ERR_INVALID_ARGUMENT',
    })
    assert.throws(() => new JsonSchemaValidator(null as never), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('treats format as an annotation unless the caller supplies it, and checks own properties only', () => {
    assert.equal(new JsonSchemaValidator({ format: 'email' }).validate('"nope"'), true)
    const strictEmail = new JsonSchemaValidator(
      { format: 'email' },
      { formats: { email: /^[^@\s]+@[^@\s]+$/ } },
    )
    assert.equal(strictEmail.validateValue('nope'), false)
    assert.equal(strictEmail.validateValue('a@b.c'), true)
    assert.equal(new JsonSchemaValidator({ required: ['toString'] }).validate({}), false)
  })

  it('resolves $ref to schemas passed in options', () => {
    const validator = new JsonSchemaValidator(
      { $ref: 'https://example.com/id.json' },
      { schemas: [{ $id: 'https://example.com/id.json', type: 'integer' }] },
    )
    assert.equal(validator.validate(3), true)
    assert.equal(validator.validate(3.5), false)
  })
})
