import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { countPlaceholders } from '../../../src/mysql/statements.js'

describe('countPlaceholders (sure counts only)', () => {
  it('counts ? outside quotes, identifiers and comments', () => {
    const cases: [string, number][] = [
      ['SELECT ?', 1],
      ['SELECT ?, ?, ?', 3],
      ["SELECT '?' , ?", 1],
      ["SELECT 'it''s ?', ?", 1],
      ['SELECT `a?b`, "q?"', 0],
      ['SELECT 1 -- ?\n, ?', 1],
      ['SELECT 1 # ? comment\n + ?', 1],
      ['SELECT /* ? */ ?', 1],
      ['SELECT 1--?', 1], // "--" not followed by a space is minus minus: the ? counts
    ]
    for (const [sql, n] of cases) assert.equal(countPlaceholders(sql), n, sql)
  })

  it('is unsure (undefined) where the meaning depends on sql_mode or is executable', () => {
    for (const sql of [
      "SELECT 'a\\'?', ?",
      'SELECT /*! ? */ 1',
      'SELECT /*M!100000 ? */ 1',
      "SELECT 'open",
      'SELECT /* open',
    ]) {
      assert.equal(countPlaceholders(sql), undefined, sql)
    }
  })
})
