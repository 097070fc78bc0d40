import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StatementCache } from '../../../src/postgres/statement-cache.js'

describe('StatementCache', () => {
  it('evicts the least recently used entry beyond maxCount', () => {
    const c = new StatementCache<string>(2, 1000)
    assert.deepEqual(c.set('a', 'A', 1), [])
    assert.deepEqual(c.set('b', 'B', 1), [])
    assert.equal(c.get('a'), 'A') // a is now most recent
    assert.deepEqual(c.set('c', 'C', 1), ['B'])
    assert.equal(c.get('b'), undefined)
    assert.equal(c.size, 2)
  })

  it('evicts by bytes, including an entry too large to keep', () => {
    const c = new StatementCache<string>(10, 100)
    c.set('a', 'A', 60)
    assert.deepEqual(c.set('b', 'B', 60), ['A'])
    assert.deepEqual(c.set('huge', 'H', 500), ['B', 'H'])
    assert.equal(c.size, 0)
  })

  it('replaces, deletes and clears', () => {
    const c = new StatementCache<string>(10, 100)
    c.set('a', 'A1', 10)
    assert.deepEqual(c.set('a', 'A2', 10), ['A1'])
    assert.equal(c.delete('a'), 'A2')
    assert.equal(c.delete('a'), undefined)
    c.set('x', 'X', 1)
    assert.deepEqual(c.clear(), ['X'])
    assert.equal(c.size, 0)
  })
})
