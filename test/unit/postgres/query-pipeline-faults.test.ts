import assert from 'node:assert/strict'
import { after, describe, it, mock } from 'node:test'
import { QueryError } from '../../../src/errors/classes.js'
import type { ResultCodec, TypeCodecs } from '../../../src/postgres/codecs.js'
import { textCodecs } from '../../../src/postgres/codecs.js'
import type { QueryBatch } from '../../../src/postgres/pending-query.js'
import type { MessageWriter } from '../../../src/postgres/protocol/frontend.js'
import { MessageBuffer } from '../../../src/postgres/protocol/message-buffer.js'
import type { BackendMessage } from '../../../src/postgres/protocol/messages.js'
import { type EnqueueOptions, QueryPipeline } from '../../../src/postgres/query-pipeline.js'
import { describeReply, executeReply, inTx, opts, ready, row } from './pipeline-replies.js'

/**
 * Fault items of issue 14 at the pipeline level: the tests play the server, and record the
 * frontend messages written (type letters per flush, and the raw bytes).
 */
function harness(
  codecs: TypeCodecs = textCodecs,
  io: { queryTimeoutMs?: number; cancelGraceMs?: number } = {},
) {
  const out = new MessageBuffer()
  const written: string[] = []
  const bytes: Buffer[] = []
  const destroyed: unknown[] = []
  let received = 0
  const pipeline = new QueryPipeline({
    write: (write: (w: MessageWriter) => void) => write(out),
    flush: () => {
      const chunk = Buffer.from(out.take())
      let s = ''
      for (let p = 0; p < chunk.length; p += 1 + chunk.readInt32BE(p + 1)) s += String.fromCharCode(chunk[p]!)
      if (s) {
        written.push(s)
        bytes.push(chunk)
      }
    },
    cancel: () => Promise.resolve(),
    setStatus: () => {},
    destroy: (error) => {
      destroyed.push(error)
      pipeline.failAll(error)
    },
    received: () => received,
    codecs,
    rowMode: 'object',
    cacheSize: 10,
    cacheBytes: 1 << 20,
    queryTimeoutMs: io.queryTimeoutMs ?? 0,
    cancelGraceMs: io.cancelGraceMs ?? 10_000,
  })
  const send = (...msgs: BackendMessage[]) => {
    for (const m of msgs) {
      received++
      pipeline.dispatch(m)
    }
  }
  const tick = () => new Promise((r) => setImmediate(r))
  return { pipeline, written, bytes, destroyed, send, tick }
}

const stale = { code: '0A000', message: 'cached plan must not change result type' }
/** Records whether a promise settled, without awaiting it (a lost query never settles). */
function track<T>(p: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false }
  p.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error) => Object.assign(state, { settled: true, error }),
  )
  return state
}
const x = (r: unknown) => (r as { x: number }[])[0]!.x

/** The first parameter (text format) of each Bind in a batch, in the order written. */
function bindValues(batch: Buffer): string[] {
  const values: string[] = []
  for (let p = 0; p < batch.length; p += 1 + batch.readInt32BE(p + 1)) {
    if (batch[p] !== 0x42 /* B */) continue
    let at = batch.indexOf(0, p + 5) + 1 // portal
    at = batch.indexOf(0, at) + 1 // statement
    at += 2 + 2 * batch.readUInt16BE(at) // format codes
    at += 2 // parameter count
    const len = batch.readInt32BE(at)
    values.push(batch.toString('utf8', at + 4, at + 4 + len))
  }
  return values
}

describe('QueryPipeline faults (issue 14)', () => {
  it('a stale-statement retry survives the error of a describe in flight ahead of it', async () => {
    const h = harness()
    const a = 'select $1::int4 as x'
    const first = h.pipeline.enqueue(a, [1], opts())
    await h.tick()
    h.send(...describeReply(), ...executeReply('1'))
    assert.equal(x(await first), 1)
    // A runs from the cache (BES); B is new and its describe (PDS) is in flight when A turns out stale.
    const retried = track(h.pipeline.enqueue(a, [2], opts()))
    const bad = track(h.pipeline.enqueue('selec oops', [], opts()))
    await h.tick()
    assert.deepEqual(h.written.slice(-1), ['BESPDS'])
    h.send({ type: 'ErrorResponse', fields: stale }, ready)
    h.send({ type: 'ErrorResponse', fields: { code: '42601', message: 'syntax error' } }, ready)
    await h.tick()
    assert.equal(bad.settled, true)
    assert.equal((bad.error as { sqlState?: string }).sqlState, '42601')
    // A's retry was not dropped: after the Close of its evicted statement, it is described again.
    assert.deepEqual(h.written.slice(-2), ['CS', 'PDS'])
    h.send({ type: 'CloseComplete' }, ready, ...describeReply(), ...executeReply('2'))
    await h.tick()
    assert.equal(retried.settled, true, 'the retried query settled')
    assert.equal(x(retried.value), 2)
    assert.equal(h.pipeline.pending, 0)
  })

  it('several stale retries run in call order', async () => {
    const h = harness()
    const a = 'select $1::int4 as x'
    const warm = h.pipeline.enqueue(a, [0], opts())
    await h.tick()
    h.send(...describeReply(), ...executeReply('0'))
    await warm
    const one = h.pipeline.enqueue(a, [1], opts())
    const two = h.pipeline.enqueue(a, [2], opts())
    await h.tick()
    assert.deepEqual(h.written.slice(-1), ['BESBES'])
    h.send({ type: 'ErrorResponse', fields: stale }, ready)
    h.send({ type: 'ErrorResponse', fields: stale }, ready)
    await h.tick()
    // One Close for the evicted statement, then one describe; both retries wait behind it.
    h.send({ type: 'CloseComplete' }, ready, ...describeReply())
    await h.tick()
    assert.equal(h.written.at(-1), 'BESBES')
    assert.deepEqual(bindValues(h.bytes.at(-1)!), ['1', '2'])
    h.send(...executeReply('1'), ...executeReply('2'))
    assert.equal(x(await one), 1)
    assert.equal(x(await two), 2)
  })

  it('a NUL byte in the SQL rejects that query with ERR_INVALID_ARGUMENT and nothing else', async () => {
    const h = harness()
    const bad = h.pipeline.enqueue('select 1\0; drop table t', [], opts())
    const good = h.pipeline.enqueue('select $1::int4 as x', [5], opts())
    const simple = h.pipeline.enqueue('select\0 1', [], opts({ simple: true }))
    await assert.rejects(bad, { code: 'ERR_INVALID_ARGUMENT', message: /NUL/ })
    await assert.rejects(simple, { code: 'ERR_INVALID_ARGUMENT', message: /NUL/ })
    await h.tick()
    assert.deepEqual(h.written, ['PDS'])
    h.send(...describeReply(), ...executeReply('5'))
    assert.equal(x(await good), 5)
  })

  it('more than 65,535 parameters: ERR_INVALID_ARGUMENT before anything is written', async () => {
    const h = harness()
    await assert.rejects(h.pipeline.enqueue('select 1', new Array(65_536).fill(1), opts()), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /65,?535/,
    })
    await h.tick()
    assert.deepEqual(h.written, [])
  })

  it('40,000 parameters (over Int16 but within the uint16 limit) are bound', async () => {
    const h = harness()
    const n = 40_000
    const q = h.pipeline.enqueue('select big', new Array(n).fill(7), opts())
    await h.tick()
    h.send(...describeReply(n))
    await h.tick()
    const batch = h.bytes.at(-1)!
    assert.equal(batch[0], 0x42) // Bind
    // Bind: 'B', Int32 length, portal "\0", statement name "covet_1\0", Int16 format count...
    const formats = 5 + 1 + 'covet_1'.length + 1
    assert.equal(batch.readUInt16BE(formats), n)
    h.send(...executeReply('1'))
    assert.equal(x(await q), 1)
  })

  it('a row decoder that throws fails only its query, with the error as cause; the rest drain', async () => {
    const boom = new Error('parser bug')
    const int4 = textCodecs.preferredResult(23)
    const throwing: ResultCodec = {
      format: int4.format,
      decode: (b, o, n) => {
        if (b.toString('utf8', o, o + n) === '13') throw boom
        return int4.decode(b, o, n)
      },
    }
    const codecs: TypeCodecs = {
      ...textCodecs,
      preferredResult: (oid) => (oid === 23 ? throwing : textCodecs.preferredResult(oid)),
      result: textCodecs.result.bind(textCodecs),
      param: textCodecs.param.bind(textCodecs),
      binary: textCodecs.binary.bind(textCodecs),
    }
    const h = harness(codecs)
    const sql = 'select $1::int4 as x'
    const before = h.pipeline.enqueue(sql, [1], opts())
    const failing = h.pipeline.enqueue(sql, [13], opts())
    const after = h.pipeline.enqueue(sql, [2], opts())
    await h.tick()
    h.send(...describeReply(), ...executeReply('1'))
    assert.doesNotThrow(() =>
      h.send(
        { type: 'BindComplete' },
        row('13'),
        row('14'),
        { type: 'CommandComplete', tag: 'SELECT 2' },
        ready,
      ),
    )
    h.send(...executeReply('2'))
    assert.equal(x(await before), 1)
    const error = await failing.then(
      () => assert.fail('should reject'),
      (e: unknown) => e,
    )
    assert.ok(error instanceof QueryError)
    assert.equal(error.code, 'ERR_TYPE_DECODE')
    assert.equal(error.cause, boom)
    assert.equal(x(await after), 2)
    assert.equal(h.destroyed.length, 0)
  })

  it('an atomic batch writes nothing after a statement that fails to encode', async () => {
    const h = harness()
    const batch: QueryBatch = {}
    const b = (o: Partial<EnqueueOptions> = {}) => opts({ batch, ...o })
    const begin = h.pipeline.enqueue('BEGIN', [], b({ simple: true }))
    const first = h.pipeline.enqueue('insert $1', [1], b())
    const second = h.pipeline.enqueue('insert $1', [{ not: 'an int' }], b())
    const third = h.pipeline.enqueue('insert $1', [3], b())
    const commit = h.pipeline.enqueue('COMMIT', [], b({ simple: true }))
    for (const p of [first, second, third, commit]) p.catch(() => {})
    await h.tick()
    assert.deepEqual(h.written, ['QPDS'])
    h.send({ type: 'CommandComplete', tag: 'BEGIN' }, inTx)
    const ins = [
      { type: 'ParseComplete' },
      { type: 'ParameterDescription', typeOids: [23] },
      { type: 'NoData' },
      inTx,
    ] as BackendMessage[]
    h.send(...ins)
    await begin
    // `first` runs with the cached statement; `second` fails to encode: nothing after it is written.
    assert.deepEqual(h.written, ['QPDS', 'BES'])
    const failure = await second.then(
      () => assert.fail('should reject'),
      (e: unknown) => e,
    )
    assert.equal((failure as { code?: string }).code, 'ERR_TYPE_ENCODE')
    h.send({ type: 'BindComplete' }, { type: 'CommandComplete', tag: 'INSERT 0 1' }, inTx)
    await first
    // The statements never written reject with the batch's failure.
    await assert.rejects(third, (e: unknown) => e === failure)
    await assert.rejects(commit, (e: unknown) => e === failure)
    await h.tick()
    assert.deepEqual(h.written, ['QPDS', 'BES'], 'neither the third INSERT nor COMMIT was written')
    assert.equal(h.pipeline.pending, 0)
  })

  it('an atomic batch writes nothing after a statement with the wrong parameter count', async () => {
    const h = harness()
    const batch: QueryBatch = {}
    const b = (o: Partial<EnqueueOptions> = {}) => opts({ batch, ...o })
    const begin = h.pipeline.enqueue('BEGIN', [], b({ simple: true }))
    const wrong = h.pipeline.enqueue('insert $1', [1, 2], b())
    const commit = h.pipeline.enqueue('COMMIT', [], b({ simple: true }))
    commit.catch(() => {})
    await h.tick()
    h.send({ type: 'CommandComplete', tag: 'BEGIN' }, inTx)
    h.send(
      { type: 'ParseComplete' },
      { type: 'ParameterDescription', typeOids: [23] },
      { type: 'NoData' },
      inTx,
    )
    await begin
    await assert.rejects(wrong, { code: 'ERR_INVALID_ARGUMENT', message: /1 parameters, 2 given/ })
    await assert.rejects(commit, { code: 'ERR_INVALID_ARGUMENT' })
    await h.tick()
    assert.deepEqual(h.written, ['QPDS'])
  })

  it('refuses a DataRow over maxResultBytes at its header, and drops the rows of a settled query', async () => {
    const h = harness()
    const q = h.pipeline.enqueue('select $1::int4 as x', [1], opts({ maxResultBytes: 1000 }))
    const other = h.pipeline.enqueue('select $1::int4 as x', [2], opts())
    await h.tick()
    h.send(...describeReply(), { type: 'BindComplete' })
    assert.equal(h.pipeline.refuseRow(500), false)
    assert.equal(h.pipeline.refuseRow(10_000_000), true)
    await assert.rejects(q, { code: 'ERR_RESULT_TOO_LARGE' })
    // Settled: any further row of it is skipped unbuffered, whatever its size.
    assert.equal(h.pipeline.refuseRow(50), true)
    h.send({ type: 'CommandComplete', tag: 'SELECT 1' }, ready, { type: 'BindComplete' })
    assert.equal(h.pipeline.refuseRow(10_000_000), false) // `other` has no cap
    h.send(row('2'), { type: 'CommandComplete', tag: 'SELECT 1' }, ready)
    assert.equal(x(await other), 2)
  })

  it('the default deadline fails a query the server never answers, then the silent connection is destroyed', async () => {
    const h = harness(textCodecs, { queryTimeoutMs: 30, cancelGraceMs: 30 })
    // The watchdog's timers are unref'd (a real connection's socket keeps the process alive).
    const alive = setInterval(() => {}, 1000)
    after(() => clearInterval(alive))
    const q = h.pipeline.enqueue('select 1', [], opts({ simple: true }))
    const behind = h.pipeline.enqueue('select 2', [], opts({ simple: true }))
    await assert.rejects(q, { code: 'ERR_QUERY_TIMEOUT', message: /queryTimeoutMs/ })
    await assert.rejects(behind, { code: 'ERR_QUERY_TIMEOUT' })
    await new Promise<void>((resolve) => {
      const poll = () => (h.destroyed.length > 0 ? resolve() : setTimeout(poll, 5))
      poll()
    })
    assert.match(String((h.destroyed[0] as Error).message), /cancelGraceMs/)
  })

  it('no default deadline for a query with timeoutMs: 0, nor with queryTimeoutMs: 0', async () => {
    const alive = setInterval(() => {}, 1000)
    after(() => clearInterval(alive))
    for (const [io, o] of [
      [{ queryTimeoutMs: 20 }, { timeoutMs: 0 }],
      [{ queryTimeoutMs: 0 }, {}],
    ] as const) {
      const h = harness(textCodecs, io)
      const q = track(h.pipeline.enqueue('select 1', [], opts({ simple: true, ...o })))
      // A later query with the default deadline shows the deadline has passed (when there is one).
      const marker = h.pipeline.enqueue('select 2', [], opts({ simple: true, timeoutMs: 40 }))
      await assert.rejects(marker, { code: 'ERR_QUERY_TIMEOUT' })
      assert.equal(q.settled, false)
      h.send({ type: 'CommandComplete', tag: 'SELECT 1' }, ready)
      await h.tick()
      assert.equal(q.settled, true)
      assert.equal(q.error, undefined)
    }
  })

  it('the silence check judges only an abandoned query the server is working on, not a live one ahead of it', async () => {
    // Mocked setTimeout: the grace period passes without waiting for it.
    mock.timers.enable({ apis: ['setTimeout'] })
    try {
      const h = harness(textCodecs, { queryTimeoutMs: 0, cancelGraceMs: 1000 })
      const live = h.pipeline.enqueue('select pg_sleep(60)', [], opts({ simple: true }))
      const ac = new AbortController()
      const aborted = h.pipeline.enqueue('select 2', [], opts({ simple: true, signal: ac.signal }))
      await h.tick()
      assert.deepEqual(h.written, ['QQ'])
      ac.abort()
      await assert.rejects(aborted, { code: 'ERR_QUERY_CANCELLED' })
      // The server is silent while it runs `live`: that is its work, not a hang.
      mock.timers.tick(5000)
      assert.equal(h.destroyed.length, 0)
      h.send({ type: 'CommandComplete', tag: 'SELECT 1' }, ready)
      assert.equal(((await live) as { command: string }).command, 'SELECT')
      // Now the server works on the abandoned query: an answer within the grace keeps it alive...
      mock.timers.tick(900)
      h.send({ type: 'NoticeResponse', fields: { message: 'still here' } })
      mock.timers.tick(900)
      assert.equal(h.destroyed.length, 0)
      // ...and a whole grace period of silence destroys the connection.
      mock.timers.tick(1000)
      assert.equal(h.destroyed.length, 1)
    } finally {
      mock.timers.reset()
    }
  })
})
