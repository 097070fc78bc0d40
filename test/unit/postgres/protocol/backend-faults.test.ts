import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BackendParser } from '../../../../src/postgres/protocol/backend.js'
import { writeBind, writeParse } from '../../../../src/postgres/protocol/frontend.js'
import { MessageBuffer } from '../../../../src/postgres/protocol/message-buffer.js'
import type { BackendMessage } from '../../../../src/postgres/protocol/messages.js'
import { dataRow, encodeBackend } from './backend-encoder.js'

/** A message: type letter, Int32 length (self-inclusive), body. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5)
  head[0] = type.charCodeAt(0)
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

function readAll(p: BackendParser): BackendMessage[] {
  const out: BackendMessage[] = []
  for (let m = p.read(); m !== undefined; m = p.read()) out.push(m)
  return out
}

const ready = encodeBackend({ type: 'ReadyForQuery', status: 'I' })

describe('BackendParser faults (issue 14)', () => {
  it('skips a refused DataRow as it arrives, never buffering it, and resumes after it', () => {
    const p = new BackendParser()
    const asked: number[] = []
    p.refuseDataRow = (n) => {
      asked.push(n)
      return true
    }
    const big = dataRow(['x'.repeat(5_000_000)])
    const stream = Buffer.concat([dataRow(['small']), big, ready])
    const chunk = 64 * 1024
    const messages: BackendMessage[] = []
    let peak = 0
    for (let at = 0; at < stream.length; at += chunk) {
      p.feed(stream.subarray(at, at + chunk))
      messages.push(...readAll(p))
      peak = Math.max(peak, p.bufferedBytes)
    }
    assert.deepEqual(asked, [big.length])
    assert.ok(peak <= chunk, `buffered at most one chunk (${peak} bytes)`)
    assert.deepEqual(
      messages.map((m) => m.type),
      ['DataRow', 'ReadyForQuery'],
    )
    assert.equal(p.skipping, 0)
  })

  it('buffers a DataRow the hook accepts, and never asks about a row complete in its chunk', () => {
    const p = new BackendParser()
    const asked: number[] = []
    p.refuseDataRow = (n) => {
      asked.push(n)
      return false
    }
    const big = dataRow(['y'.repeat(200_000)])
    p.feed(Buffer.concat([dataRow(['a']), big.subarray(0, 10)]))
    assert.equal(readAll(p).length, 1)
    p.feed(big.subarray(10))
    const [row] = readAll(p)
    assert.equal(row?.type, 'DataRow')
    assert.equal(row?.type === 'DataRow' && row.byteLength, big.length)
    assert.deepEqual(asked, [big.length])
  })

  it('skips a refused row whose header was split, then parses what follows in the same chunk', () => {
    const p = new BackendParser()
    p.refuseDataRow = () => true
    const big = dataRow(['z'.repeat(100_000)])
    p.feed(big.subarray(0, 3))
    assert.equal(p.read(), undefined)
    p.feed(big.subarray(3, 1000))
    assert.equal(p.read(), undefined)
    p.feed(Buffer.concat([big.subarray(1000), ready]))
    assert.deepEqual(
      readAll(p).map((m) => m.type),
      ['ReadyForQuery'],
    )
  })

  it('reads element counts as unsigned Int16: 40,000 parameters, columns and formats', () => {
    const n = 40_000
    const count = Buffer.alloc(2)
    count.writeUInt16BE(n)
    const oids = Buffer.alloc(4 * n, 0)
    for (let i = 0; i < n; i++) oids.writeUInt32BE(23, 4 * i)
    const nulls = Buffer.alloc(4 * n, 0xff) // every column NULL (-1)
    const formats = Buffer.alloc(2 * n, 0)
    const p = new BackendParser()
    p.feed(
      Buffer.concat([
        message('t', Buffer.concat([count, oids])),
        message('D', Buffer.concat([count, nulls])),
        message('G', Buffer.concat([Buffer.from([0]), count, formats])),
      ]),
    )
    const [params, row, copy] = readAll(p)
    assert.equal(params?.type === 'ParameterDescription' && params.typeOids.length, n)
    assert.equal(row?.type === 'DataRow' && row.columnCount, n)
    assert.equal(copy?.type === 'CopyInResponse' && copy.columnFormats.length, n)
  })

  it('a garbage length of 2 GiB is ERR_PROTOCOL at the header, before any body byte', () => {
    for (const length of [0x7fff_ffff, 0x8000_0000]) {
      const p = new BackendParser()
      const head = Buffer.alloc(5)
      head[0] = 0x44 // 'D'
      head.writeUInt32BE(length, 1)
      p.feed(head)
      assert.throws(() => p.read(), { code: 'ERR_PROTOCOL' })
      assert.equal(p.bufferedBytes, 5)
    }
  })
})

describe('frontend counts (issue 14)', () => {
  it('writes Parse and Bind counts as UInt16 up to 65,535 and refuses more', () => {
    const w = new MessageBuffer()
    writeParse(w, 's', 'select', new Array(65_535).fill(23))
    const parse = w.take()
    assert.equal(parse.readUInt16BE(5 + 2 + 'select'.length + 1), 65_535)
    const values = new Array<Uint8Array | null>(40_000).fill(null)
    writeBind(w, '', 's', [1], values, [1])
    const bind = w.take()
    assert.equal(bind.readUInt16BE(5 + 1 + 2 + 2 + 2), 40_000)
    assert.throws(
      () => writeBind(new MessageBuffer(), '', 's', [], new Array(65_536).fill(null), []),
      RangeError,
    )
  })
})
