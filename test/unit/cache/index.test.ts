import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as cache from '../../../src/cache/index.js'
import { LruCache } from '../../../src/cache/lru.js'
import { ConnectionStatementCache, PreparedStatementCache } from '../../../src/cache/statement-cache.js'

describe('covet/cache public API', () => {
  it('exports the LRU cache and the statement caches, and nothing internal', () => {
    assert.deepEqual(Object.keys(cache).sort(), [
      'ConnectionStatementCache',
      'LruCache',
      'PreparedStatementCache',
    ])
    assert.equal(cache.LruCache, LruCache)
    assert.equal(cache.ConnectionStatementCache, ConnectionStatementCache)
    assert.equal(cache.PreparedStatementCache, PreparedStatementCache)
  })
})
