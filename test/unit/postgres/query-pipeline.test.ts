import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { textCodecs } from '../../../src/postgres/codecs.js'
import type { MessageWriter } from '../../../src/postgres/protocol/frontend.js'
import { MessageBuffer } from '../../../src/postgres/protocol/message-buffer.js'
import type { BackendMessage } from '../../../src/postgres/protocol/messages.js'
import { QueryPipeline } from '../../../src/postgres/query-pipeline.js'
import { describeReply, executeReply, INT_FIELD, opts, ready, row } from './pipeline-replies.js'

/** A pipeline wired to a recorder instead of a socket: the tests play the server. */
function harness() {
  const out = new MessageBuffer()
  const written: string[] = []
  let cancels = 0
  let releaseCancel: () => void = () => {}
  const pipeline = new QueryPipeline({
    write: (write: (w: MessageWriter) => void) => write(out),
    flush: () => {
      const bytes = out.take()
      // Record the type letters of the frontend messages written, e.g. 'PDS'.
      let s = ''
      for (let p = 0; p < bytes.length; p += 1 + bytes.readInt32BE(p + 1)) s += String.fromCharCode(bytes[p]!)
      if (s) written.push(s)
    },
    cancel: () => {
      cancels++
      return new Promise<void>((resolve) => {
        releaseCancel = resolve
      })
    },
    setStatus: () => {},
    destroy: (error) => pipeline.failAll(error),
    received: () => 0,
    queryTimeoutMs: 0,
    cancelGraceMs: 10_000,
    codecs: textCodecs,
    rowMode: 'object',
    cacheSize: 10,
    cacheBytes: 1 << 20,
  })
  const send = (...msgs: BackendMessage[]) => {
    for (const m of msgs) pipeline.dispatch(m)
  }
  const tick = () => new Promise((r) => setImmediate(r))
  return { pipeline, written, send, tick, cancels: () => cancels, releaseCancel: () => releaseCancel() }
}

describe('QueryPipeline', () => {
  it('describes a new statement once, holding later queries, then pipelines them with one Sync each', async () => {
    const h = harness()
    const results = [1, 2, 3].map((i) => h.pipeline.enqueue('select $1::int4 as x', [i], opts()))
    await h.tick()
    assert.deepEqual(h.written, ['PDS']) // only the describe batch: nothing behind it yet
    h.send(...describeReply())
    assert.deepEqual(h.written, ['PDS', 'BESBESBES'])
    h.send(...executeReply('1'), ...executeReply('2'), ...executeReply('3'))
    assert.deepEqual(
      (await Promise.all(results)).map((r) => (r as { x: number }[])[0]),
      [{ x: 1 }, { x: 2 }, { x: 3 }],
    )
    // Cached: the next execution needs no describe.
    const again = h.pipeline.enqueue('select $1::int4 as x', [4], opts())
    await h.tick()
    assert.equal(h.written.at(-1), 'BES')
    h.send(...executeReply('4'))
    const result = (await again) as unknown as { x: number }[] & { rowCount: number }
    assert.deepEqual([...result], [{ x: 4 }])
    assert.equal(result.rowCount, 1)
  })

  it('fails only the query whose batch got an ErrorResponse', async () => {
    const h = harness()
    const a = h.pipeline.enqueue('select $1::int4 as x', [1], opts())
    const b = h.pipeline.enqueue('select $1::int4 as x', [2], opts())
    await h.tick()
    h.send(...describeReply())
    h.send({ type: 'ErrorResponse', fields: { code: '22012', message: 'division by zero' } }, ready)
    h.send(...executeReply('2'))
    await assert.rejects(a, { code: '22012', sqlState: '22012' })
    assert.equal(((await b) as { x: number }[])[0]!.x, 2)
  })

  it('retries a stale statement once outside a transaction', async () => {
    const h = harness()
    const q = h.pipeline.enqueue('select $1::int4 as x', [1], opts())
    await h.tick()
    h.send(...describeReply())
    const stale = {
      code: '0A000',
      message: 'cached plan must not change result type',
      routine: 'RevalidateCachedQuery',
    }
    h.send({ type: 'ErrorResponse', fields: stale }, ready)
    // Evicted: Close + Sync for the old name, then a fresh describe for the retry.
    assert.deepEqual(h.written.slice(1), ['BES', 'CSPDS'])
    h.send({ type: 'CloseComplete' }, ready, ...describeReply(), ...executeReply('1'))
    assert.equal(((await q) as { x: number }[])[0]!.x, 1)
  })

  it('runs a parameterless multi-statement text as a simple query', async () => {
    const h = harness()
    const q = h.pipeline.enqueue('select 1; select 2 as x', [], opts())
    await h.tick()
    h.send(
      {
        type: 'ErrorResponse',
        fields: { code: '42601', routine: 'exec_parse_message', message: 'multiple commands' },
      },
      ready,
    )
    assert.equal(h.written.at(-1), 'Q')
    h.send(
      { type: 'RowDescription', fields: [INT_FIELD] },
      row('2'),
      { type: 'CommandComplete', tag: 'SELECT 1' },
      ready,
    )
    assert.deepEqual([...((await q) as unknown[])], [{ x: 2 }])
  })

  it('sends nothing new while a CancelRequest is outstanding', async () => {
    const h = harness()
    const ac = new AbortController()
    const slow = h.pipeline.enqueue('select $1::int4 as x', [1], opts({ signal: ac.signal }))
    await h.tick()
    h.send(...describeReply())
    ac.abort()
    await assert.rejects(slow, { code: 'ERR_QUERY_CANCELLED' })
    assert.equal(h.cancels(), 1)
    const next = h.pipeline.enqueue('select $1::int4 as x', [2], opts())
    await h.tick()
    const before = h.written.length
    h.send({ type: 'ErrorResponse', fields: { code: '57014', message: 'canceling statement' } }, ready)
    assert.equal(h.written.length, before) // still held: the server has not confirmed the cancel
    h.releaseCancel()
    await h.tick()
    assert.equal(h.written.at(-1), 'BES')
    h.send(...executeReply('2'))
    assert.equal(((await next) as { x: number }[])[0]!.x, 2)
  })

  it('drops a query aborted before it was written, without a CancelRequest', async () => {
    const h = harness()
    const ac = new AbortController()
    const q = h.pipeline.enqueue('select 1', [], opts({ signal: ac.signal }))
    ac.abort()
    await assert.rejects(q, { code: 'ERR_QUERY_CANCELLED' })
    await h.tick()
    assert.deepEqual(h.written, [])
    assert.equal(h.cancels(), 0)
  })

  it('checks the parameter count against the description', async () => {
    const h = harness()
    const q = h.pipeline.enqueue('select $1::int4 as x', [1, 2], opts())
    await h.tick()
    h.send(...describeReply())
    await assert.rejects(q, { code: 'ERR_INVALID_ARGUMENT', message: /1 parameters, 2 given/ })
  })

  it('fails everything pending on failAll and refuses new work', async () => {
    const h = harness()
    const q = h.pipeline.enqueue('select 1', [], opts())
    await h.tick()
    const { ConnectionError } = await import('../../../src/errors/classes.js')
    h.pipeline.failAll(new ConnectionError('ERR_CONNECTION_CLOSED', 'gone'))
    await assert.rejects(q, { code: 'ERR_CONNECTION_CLOSED' })
    await assert.rejects(h.pipeline.enqueue('select 1', [], opts()), { code: 'ERR_CONNECTION_CLOSED' })
  })

  it('drops rows over maxResultBytes, cancelling only when no other query could be hit', async () => {
    const h = harness()
    const big = h.pipeline.enqueue('select $1::int4 as x', [1], opts({ maxResultBytes: 30 }))
    const other = h.pipeline.enqueue('select $1::int4 as x', [2], opts())
    await h.tick()
    h.send(...describeReply(), { type: 'BindComplete' }, row('1'), row('1'), row('1'))
    await assert.rejects(big, { code: 'ERR_RESULT_TOO_LARGE' })
    assert.equal(h.cancels(), 0) // `other` is pipelined behind: a cancel might hit it
    h.send({ type: 'CommandComplete', tag: 'SELECT 3' }, ready, ...executeReply('2'))
    assert.equal(((await other) as { x: number }[])[0]!.x, 2)

    const alone = h.pipeline.enqueue('select $1::int4 as x', [3], opts({ maxResultBytes: 30 }))
    await h.tick()
    h.send({ type: 'BindComplete' }, row('3'), row('3'), row('3'))
    await assert.rejects(alone, { code: 'ERR_RESULT_TOO_LARGE' })
    assert.equal(h.cancels(), 1)
  })
})
