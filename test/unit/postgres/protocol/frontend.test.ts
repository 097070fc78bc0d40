import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as fe from '../../../../src/postgres/protocol/frontend.js'
import { MessageBuffer } from '../../../../src/postgres/protocol/message-buffer.js'

/**
 * A test-only decoder of frontend messages (§55.7), written apart from the encoders so that a
 * round trip checks one against the other.
 */
function decodeFrontend(buf: Buffer): unknown[] {
  const out: unknown[] = []
  let pos = 0
  const cstr = () => {
    const nul = buf.indexOf(0, pos)
    assert.ok(nul >= 0)
    const s = buf.toString('utf8', pos, nul)
    pos = nul + 1
    return s
  }
  const i16 = () => {
    pos += 2
    return buf.readInt16BE(pos - 2)
  }
  const i32 = () => {
    pos += 4
    return buf.readInt32BE(pos - 4)
  }
  while (pos < buf.length) {
    const type = String.fromCharCode(buf[pos]!)
    const length = buf.readInt32BE(pos + 1)
    const end = pos + 1 + length
    pos += 5
    const m: Record<string, unknown> = { type }
    switch (type) {
      case 'Q':
        m.sql = cstr()
        break
      case 'P': {
        m.name = cstr()
        m.sql = cstr()
        const n = i16()
        m.paramTypes = Array.from({ length: n }, () => i32() >>> 0)
        break
      }
      case 'B': {
        m.portal = cstr()
        m.statement = cstr()
        m.paramFormats = Array.from({ length: i16() }, i16)
        m.params = Array.from({ length: i16() }, () => {
          const len = i32()
          if (len < 0) return null
          pos += len
          return buf.subarray(pos - len, pos)
        })
        m.resultFormats = Array.from({ length: i16() }, i16)
        break
      }
      case 'D':
      case 'C':
        m.kind = String.fromCharCode(buf[pos++]!)
        m.name = cstr()
        break
      case 'E':
        m.portal = cstr()
        m.maxRows = i32()
        break
      case 'p':
      case 'd':
      case 'f':
        m.body = buf.subarray(pos, end)
        pos = end
        break
    }
    assert.equal(pos, end, `length of '${type}' matches its body`)
    out.push(m)
  }
  return out
}

function encode(fn: (w: MessageBuffer) => void, initialSize?: number): Buffer {
  const w = new MessageBuffer(initialSize)
  fn(w)
  return Buffer.from(w.take())
}

describe('frontend message writers', () => {
  it('write the exact bytes of the fixed messages', () => {
    assert.equal(encode(fe.writeSync).toString('hex'), '5300000004')
    assert.equal(encode(fe.writeFlush).toString('hex'), '4800000004')
    assert.equal(encode(fe.writeCopyDone).toString('hex'), '6300000004')
    assert.equal(encode(fe.writeTerminate).toString('hex'), '5800000004')
    assert.equal(encode(fe.writeSslRequest).toString('hex'), '0000000804d2162f')
    const cancel = encode((w) => fe.writeCancelRequest(w, 77, Buffer.from([1, 2, 3, 4])))
    assert.equal(cancel.toString('hex'), '0000001004d2162e0000004d01020304')
    assert.equal(
      encode((w) => fe.writeQuery(w, 'SELECT 1')).toString('hex'),
      '510000000d53454c4543542031' + '00',
    )
  })

  it('write StartupMessage with protocol 3.0 and NUL-separated parameters', () => {
    const bytes = encode((w) => fe.writeStartup(w, { user: 'ü', database: 'db' }))
    assert.equal(bytes.readInt32BE(0), bytes.length)
    assert.equal(bytes.readInt32BE(4), 0x00030000)
    assert.deepEqual(bytes.subarray(8).toString().split('\0'), ['user', 'ü', 'database', 'db', '', ''])
  })

  it('round-trip the extended-protocol and auth messages', () => {
    const p1 = Buffer.from([0, 1, 255])
    const big = Buffer.alloc(70_000, 9)
    const bytes = encode((w) => {
      fe.writeParse(w, 's1', 'SELECT $1::int4, $2', [23, 4_294_967_295])
      fe.writeDescribe(w, 'S', 's1')
      fe.writeBind(w, '', 's1', [1], [p1, null, big, Buffer.alloc(0)], [0, 1])
      fe.writeDescribe(w, 'P', '')
      fe.writeExecute(w, '', 100)
      fe.writeClose(w, 'S', 's1')
      fe.writeClose(w, 'P', 'portal')
      fe.writePassword(w, 'md5abc')
      fe.writeSaslInitialResponse(w, 'SCRAM-SHA-256', Buffer.from('n,,n=,r=x'))
      fe.writeSaslResponse(w, Buffer.from('c=biws'))
      fe.writeCopyData(w, Buffer.from('1\t2\n'))
      fe.writeCopyFail(w, 'bad\0row')
      fe.writeQuery(w, 'SELECT 1; SELECT 2')
    }, 16)
    const sasl = Buffer.concat([
      Buffer.from('SCRAM-SHA-256\0'),
      Buffer.from([0, 0, 0, 9]),
      Buffer.from('n,,n=,r=x'),
    ])
    assert.deepEqual(decodeFrontend(bytes), [
      { type: 'P', name: 's1', sql: 'SELECT $1::int4, $2', paramTypes: [23, 4_294_967_295] },
      { type: 'D', kind: 'S', name: 's1' },
      {
        type: 'B',
        portal: '',
        statement: 's1',
        paramFormats: [1],
        params: [p1, null, big, Buffer.alloc(0)],
        resultFormats: [0, 1],
      },
      { type: 'D', kind: 'P', name: '' },
      { type: 'E', portal: '', maxRows: 100 },
      { type: 'C', kind: 'S', name: 's1' },
      { type: 'C', kind: 'P', name: 'portal' },
      { type: 'p', body: Buffer.from('md5abc\0') },
      { type: 'p', body: sasl },
      { type: 'p', body: Buffer.from('c=biws') },
      { type: 'd', body: Buffer.from('1\t2\n') },
      { type: 'f', body: Buffer.from('badrow\0') },
      { type: 'Q', sql: 'SELECT 1; SELECT 2' },
    ])
  })

  it('refuse NUL characters inside Strings', () => {
    assert.throws(() => encode((w) => fe.writeQuery(w, 'SELECT 1\0')), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => encode((w) => fe.writeParse(w, '', 'x\0')), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => encode((w) => fe.writeStartup(w, { user: 'a\0b' })), { code: 'ERR_INVALID_ARGUMENT' })
    assert.throws(() => encode((w) => fe.writePassword(w, 'p\0')), { code: 'ERR_INVALID_ARGUMENT' })
  })
})

describe('MessageBuffer', () => {
  it('never overwrites a slice it has handed out', () => {
    const w = new MessageBuffer(64)
    fe.writeQuery(w, 'a'.repeat(30))
    const first = w.take()
    const copy = Buffer.from(first)
    for (let i = 0; i < 100; i++) fe.writeQuery(w, 'b'.repeat(i))
    const second = w.take()
    assert.deepEqual(first, copy)
    assert.equal(decodeFrontend(Buffer.from(second)).length, 100)
    assert.equal(w.length, 0)
  })
})
