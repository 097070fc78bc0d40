import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PreparedStatementCache, type StatementEvictionReason } from '../../../src/cache/statement-cache.js'

interface Meta {
  params: number[]
}

function connection(shared: PreparedStatementCache<Meta>) {
  const closed: [string, string, StatementEvictionReason][] = []
  const l1 = shared.forConnection((name, sql, reason) => void closed.push([name, sql, reason]))
  return { l1, closed }
}

describe('PreparedStatementCache', () => {
  it('validates its options, naming the option', () => {
    for (const name of ['maxPerConnection', 'maxBytesPerConnection', 'maxShared', 'maxBytesShared']) {
      assert.throws(
        () => new PreparedStatementCache({ [name]: 0 }),
        (e: Error & { code?: string }) => e.code === 'ERR_INVALID_ARGUMENT' && e.message.includes(name),
      )
    }
    assert.throws(() => new PreparedStatementCache({ namePrefix: '' }), /namePrefix/)
    assert.throws(() => new PreparedStatementCache().forConnection(null as never), /onEvict/)
  })

  it('L1: names statements s1, s2... per connection and hits on the same SQL text', () => {
    const shared = new PreparedStatementCache<Meta>()
    const { l1 } = connection(shared)
    assert.equal(l1.get('select 1'), undefined)
    const a = l1.set('select 1', { params: [] })
    const b = l1.set('select $1::int', { params: [23] })
    assert.equal(a.name, 's1')
    assert.equal(b.name, 's2')
    assert.equal(l1.get('select 1'), a)
    assert.equal(connection(shared).l1.allocateName(), 's1') // names are per connection
    const stats = shared.stats()
    assert.equal(stats.l1.hits, 1)
    assert.equal(stats.l1.misses, 1)
    assert.equal(stats.l1.size, 2)
    assert.equal(stats.connections, 2)
  })

  it('L2: metadata learned on one connection is known to a new one', () => {
    const shared = new PreparedStatementCache<Meta>()
    assert.equal(shared.learned('select $1::int'), undefined)
    connection(shared).l1.set('select $1::int', { params: [23] })
    const fresh = connection(shared).l1
    assert.equal(fresh.get('select $1::int'), undefined)
    assert.deepEqual(shared.learned('select $1::int'), { params: [23] })
    assert.equal(shared.stats().l2.hits, 1)
    assert.equal(shared.stats().l2.misses, 1)
  })

  it('evicts past the per-connection bounds and hands back the name to Close', () => {
    const shared = new PreparedStatementCache<Meta>({ maxPerConnection: 2, sizeOf: (sql) => sql.length })
    const { l1, closed } = connection(shared)
    l1.set('q1', { params: [] })
    l1.set('q2', { params: [] })
    l1.get('q1')
    l1.set('q3', { params: [] })
    assert.deepEqual(closed, [['s2', 'q2', 'capacity']])
    const bytes = new PreparedStatementCache<Meta>({ maxBytesPerConnection: 10, sizeOf: (sql) => sql.length })
    const small = connection(bytes)
    small.l1.set('123456', { params: [] })
    small.l1.set('abcdef', { params: [] })
    assert.deepEqual(small.closed, [['s1', '123456', 'capacity']])
    assert.equal(bytes.stats().l1.evictions.capacity, 1)
  })

  it('re-preparing the same SQL closes the replaced statement; delete closes too', () => {
    const shared = new PreparedStatementCache<Meta>()
    const { l1, closed } = connection(shared)
    l1.set('q', { params: [] })
    l1.set('q', { params: [25] })
    assert.equal(l1.delete('q'), true)
    assert.deepEqual(closed, [
      ['s1', 'q', 'replace'],
      ['s2', 'q', 'delete'],
    ])
  })

  it('invalidate(sql) drops it from L2 now and from every L1 lazily', () => {
    const shared = new PreparedStatementCache<Meta>()
    const one = connection(shared)
    const two = connection(shared)
    one.l1.set('q', { params: [] })
    two.l1.set('q', { params: [] })
    two.l1.set('other', { params: [] })
    shared.invalidate('q')
    assert.equal(shared.learned('q'), undefined)
    assert.equal(one.closed.length, 0) // nothing happens until the connection looks it up
    assert.equal(one.l1.get('q'), undefined)
    assert.deepEqual(one.closed, [['s1', 'q', 'invalidated']])
    assert.equal(two.l1.get('q'), undefined)
    assert.notEqual(two.l1.get('other'), undefined) // other statements survive
    const again = one.l1.set('q', { params: [] }) // re-prepared after the invalidation: fresh
    assert.equal(one.l1.get('q'), again)
    assert.equal(shared.stats().l1.evictions.invalidated, 2)
    assert.equal(shared.stats().l2.evictions.invalidated, 1)
  })

  it('invalidateAll() makes every statement stale on every connection', () => {
    const shared = new PreparedStatementCache<Meta>()
    const { l1, closed } = connection(shared)
    l1.set('a', { params: [] })
    l1.set('b', { params: [] })
    const epoch = shared.epoch
    shared.invalidateAll()
    assert.equal(shared.epoch, epoch + 1)
    assert.equal(shared.stats().l2.size, 0)
    assert.equal(l1.get('a'), undefined)
    assert.equal(l1.get('b'), undefined)
    assert.deepEqual(
      closed.map(([, , r]) => r),
      ['invalidated', 'invalidated'],
    )
  })

  it('falls back to a global epoch bump when too many single statements are invalidated', () => {
    const shared = new PreparedStatementCache<Meta>()
    const { l1 } = connection(shared)
    l1.set('kept?', { params: [] })
    for (let i = 0; i < 1100; i++) shared.invalidate(`q${i}`)
    assert.equal(l1.get('kept?'), undefined)
  })

  it('close() forgets the statements without Close messages and leaves the stats', () => {
    const shared = new PreparedStatementCache<Meta>()
    const { l1, closed } = connection(shared)
    l1.set('a', { params: [] })
    l1.set('b', { params: [] })
    assert.deepEqual(l1.close().sort(), ['s1', 's2'])
    assert.deepEqual(l1.close(), [])
    assert.equal(closed.length, 0)
    assert.equal(shared.stats().connections, 0)
    assert.equal(shared.stats().l1.size, 0)
  })
})
