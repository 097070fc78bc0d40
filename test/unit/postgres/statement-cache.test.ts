import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { FieldDescription } from '../../../src/postgres/protocol/messages.js'
import type { PendingQuery, PreparedStatement } from '../../../src/postgres/query-types.js'
import { privateStatementCache, VerifyingExecuteHandler } from '../../../src/postgres/statement-cache.js'
import { field } from './protocol/backend-encoder.js'

function statement(fields: FieldDescription[]): PreparedStatement {
  return {
    name: 'covet_1',
    sql: 'select',
    paramTypes: [],
    paramCodecs: [],
    paramFormats: [],
    fields,
    resultFormats: fields.map(() => 0),
    decoder: () => ({ decoded: true }),
    bytes: 100,
  }
}

function pending(): PendingQuery {
  return {
    settled: false,
    maxResultBytes: Number.POSITIVE_INFINITY,
    sink: undefined,
  } as unknown as PendingQuery
}

describe('statement cache on covet/cache (L1 + shared L2)', () => {
  it('bounds L1 by count, names statements covet_N and reports evictions for Close', () => {
    const shared = privateStatementCache(2, 1 << 20)
    const closed: string[] = []
    const l1 = shared.forConnection((name) => closed.push(name))
    for (const sql of ['a', 'b', 'c']) l1.set(sql, statement([]), l1.allocateName())
    assert.deepEqual(closed, ['covet_1'])
    assert.equal(l1.get('a'), undefined)
    assert.equal(l1.get('c')!.name, 'covet_3')
    assert.ok(shared.learned('a'), 'L2 keeps what any connection learned')
    const stats = shared.stats()
    assert.equal(stats.l1.hits, 1)
    assert.equal(stats.l1.misses, 1)
  })

  it('bounds L1 by the statements estimated bytes; a zero size is kept as one', () => {
    const shared = privateStatementCache(0, 150)
    const closed: string[] = []
    const l1 = shared.forConnection((name) => closed.push(name))
    l1.set('a', statement([]), 'x1')
    l1.set('b', statement([]), 'x2')
    assert.deepEqual(closed, ['x1'])
  })
})

describe('VerifyingExecuteHandler', () => {
  it('decodes rows when the described columns match the shared metadata', () => {
    const st = statement([field('id', 23)])
    const h = new VerifyingExecuteHandler(
      pending(),
      st,
      () => {},
      () => {},
    )
    h.handle({ type: 'RowDescription', fields: [field('id', 23)] })
    h.handle({ type: 'DataRow', buffer: Buffer.alloc(0), start: 0, columnCount: 1, byteLength: 10 })
    assert.equal(h.mismatch, false)
    assert.deepEqual(h.rows, [{ decoded: true }])
  })

  it('flags a changed column type or name and decodes nothing', () => {
    for (const described of [[field('id', 20)], [field('other', 23)], [field('id', 23), field('x', 25)]]) {
      const h = new VerifyingExecuteHandler(
        pending(),
        statement([field('id', 23)]),
        () => {},
        () => {},
      )
      h.handle({ type: 'RowDescription', fields: described })
      h.handle({ type: 'DataRow', buffer: Buffer.alloc(0), start: 0, columnCount: 1, byteLength: 10 })
      assert.equal(h.mismatch, true)
      assert.deepEqual(h.rows, [])
    }
    const noData = new VerifyingExecuteHandler(
      pending(),
      statement([field('id', 23)]),
      () => {},
      () => {},
    )
    noData.handle({ type: 'NoData' })
    assert.equal(noData.mismatch, true)
  })

  it('ends at ReadyForQuery like any execution', () => {
    let done = 0
    const h = new VerifyingExecuteHandler(
      pending(),
      statement([]),
      () => done++,
      () => {},
    )
    assert.equal(h.handle({ type: 'NoData' }), false)
    assert.equal(h.handle({ type: 'CommandComplete', tag: 'INSERT 0 1' }), false)
    assert.equal(h.handle({ type: 'ReadyForQuery', status: 'I' }), true)
    assert.equal(done, 1)
    assert.equal(h.mismatch, false)
  })
})
