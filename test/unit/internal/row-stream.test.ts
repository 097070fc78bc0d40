import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RowStream } from '../../../src/internal/row-stream.js'

function make(highWaterMark = 4) {
  const events: string[] = []
  let earlyClose = 0
  const stream = new RowStream<number>(
    highWaterMark,
    { pause: () => events.push('pause'), resume: () => events.push('resume') },
    () => earlyClose++,
  )
  return { stream, events, earlyClose: () => earlyClose }
}

describe('RowStream', () => {
  it('pauses at the high-water mark and resumes at half of it', async () => {
    const { stream, events } = make(4)
    for (let i = 1; i <= 5; i++) stream.push(i)
    assert.deepEqual(events, ['pause'])
    assert.equal((await stream.next()).value, 1)
    assert.equal((await stream.next()).value, 2)
    assert.deepEqual(events, ['pause']) // 3 left: above half
    assert.equal((await stream.next()).value, 3)
    assert.deepEqual(events, ['pause', 'resume'])
    stream.end()
    assert.deepEqual([(await stream.next()).value, (await stream.next()).value], [4, 5])
    assert.equal((await stream.next()).done, true)
  })

  it('hands a row straight to a waiting consumer', async () => {
    const { stream, events } = make(1)
    const pending = stream.next()
    stream.push(7)
    assert.deepEqual(await pending, { value: 7, done: false })
    assert.deepEqual(events, [])
  })

  it('rejects the consumer with the query error, once the buffered rows are dropped', async () => {
    const { stream } = make()
    stream.push(1)
    stream.fail(new Error('boom'))
    await assert.rejects(stream.next(), /boom/)
    const waiting = make()
    const pending = waiting.stream.next()
    waiting.stream.fail(new Error('late'))
    await assert.rejects(pending, /late/)
  })

  it('return() drops the rest, resumes the socket and stops the query once', async () => {
    const { stream, events, earlyClose } = make(2)
    stream.push(1)
    stream.push(2)
    await stream.return()
    await stream.return()
    assert.deepEqual(events, ['pause', 'resume'])
    assert.equal(earlyClose(), 1)
    stream.push(3)
    assert.equal((await stream.next()).done, true)
    const finished = make()
    finished.stream.end()
    await finished.stream.return()
    assert.equal(finished.earlyClose(), 0)
  })
})
