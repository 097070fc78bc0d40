import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DIALECTS, expected, newBuilder } from './cases/case.js'
import { ALL_CASES } from './cases/index.js'

describe('QueryBuilder: expected SQL and params per dialect', () => {
  for (const c of ALL_CASES) {
    it(c.name, () => {
      for (const dialect of DIALECTS) {
        const want = expected(c, dialect)
        const build = () => c.build(newBuilder(dialect), dialect).build()
        if (typeof want === 'string') {
          assert.throws(build, { code: want }, `${dialect} must refuse with ${want}`)
          continue
        }
        const got = build()
        assert.equal(got.sql, want[0], dialect)
        assert.deepEqual(got.params, want[1], dialect)
      }
    })
  }

  it('the same builder compiles for another dialect with build(dialect)', () => {
    const b = newBuilder('postgres')().select('id').from('users').where('id', 1)
    assert.equal(b.build().sql, 'SELECT id FROM users WHERE id = $1')
    assert.equal(b.build('mssql').sql, 'SELECT id FROM users WHERE id = @p1')
    assert.equal(b.build('postgresql').sql, 'SELECT id FROM users WHERE id = $1')
  })
})
