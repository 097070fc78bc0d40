import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { JsonError } from '../../../src/errors/classes.js'
import { FastJsonDecoder } from '../../../src/json/decode.js'

// nst/JSONTestSuite test_parsing, every file, read as raw bytes (test/vectors/JSONTestSuite/README.md).
const dir = fileURLToPath(new URL('../../vectors/JSONTestSuite/test_parsing/', import.meta.url))
const files = readdirSync(dir).sort()

const strict = new FastJsonDecoder({ strict: true })
const lenient = new FastJsonDecoder()

function accepts(decoder: FastJsonDecoder, bytes: Buffer): boolean {
  try {
    decoder.decode(bytes)
    return true
  } catch (error) {
    assert.ok(error instanceof JsonError, `only JsonError may escape, got ${String(error)}`)
    return false
  }
}

/**
 * Strict mode rejects duplicate member names on purpose (issue 8: strict is I-JSON, RFC 7493 §2.3),
 * although RFC 8259 §4 only says names SHOULD be unique; the default mode accepts them.
 */
const STRICT_REJECTS_BY_DESIGN = new Set([
  'y_object_duplicated_key.json',
  'y_object_duplicated_key_and_value.json',
])

/**
 * The implementation-defined (i_) files: what covet does, as documented in docs/json.md.
 * strict: I-JSON — no lone surrogates, valid UTF-8 only, no BOM, no overflow to Infinity; an
 * underflow to 0 and integers beyond 2^53 (rounded, or bigint with bigint: 'lossless') pass.
 * default: JSON.parse semantics — invalid UTF-8 becomes U+FFFD, a leading BOM is skipped.
 */
const I_STRICT_ACCEPTS = new Set([
  'i_number_double_huge_neg_exp.json',
  'i_number_real_underflow.json',
  'i_number_too_big_neg_int.json',
  'i_number_too_big_pos_int.json',
  'i_number_very_big_negative_int.json',
  'i_structure_500_nested_arrays.json',
])
const I_DEFAULT_REJECTS = new Set([
  'i_string_UTF-16LE_with_BOM.json',
  'i_string_utf16BE_no_BOM.json',
  'i_string_utf16LE_no_BOM.json',
])

describe('JSONTestSuite test_parsing', () => {
  it('holds the whole corpus', () => assert.equal(files.length, 318))
  for (const file of files) {
    const bytes = readFileSync(join(dir, file))
    if (file.startsWith('y_')) {
      it(`${file} is accepted`, () => {
        assert.equal(accepts(lenient, bytes), true, 'default mode')
        assert.equal(accepts(strict, bytes), !STRICT_REJECTS_BY_DESIGN.has(file), 'strict mode')
      })
    } else if (file.startsWith('n_')) {
      it(`${file} is rejected`, () => {
        assert.equal(accepts(strict, bytes), false, 'strict mode')
        assert.equal(accepts(lenient, bytes), false, 'default mode')
      })
    } else {
      it(`${file} (implementation-defined) behaves as documented`, () => {
        assert.equal(accepts(strict, bytes), I_STRICT_ACCEPTS.has(file), 'strict mode')
        assert.equal(accepts(lenient, bytes), !I_DEFAULT_REJECTS.has(file), 'default mode')
      })
    }
  }
})

describe('JSONTestSuite strict decode agrees with JSON.parse on accepted values', () => {
  for (const file of files.filter((f) => f.startsWith('y_') && !STRICT_REJECTS_BY_DESIGN.has(f))) {
    it(file, () => {
      const bytes = readFileSync(join(dir, file))
      assert.deepEqual(strict.decode(bytes), JSON.parse(bytes.toString('utf8')))
    })
  }
})
