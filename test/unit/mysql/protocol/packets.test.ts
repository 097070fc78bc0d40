import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isCovetError } from '../../../../src/errors/covet-error.js'
import { ByteWriter } from '../../../../src/internal/byte-writer.js'
import { MAX_PACKET_PAYLOAD } from '../../../../src/mysql/protocol/constants.js'
import { beginPacket, endPacket, PacketReader, writePacket } from '../../../../src/mysql/protocol/packets.js'
import { frame } from './server-packets.js'

const protocolError = (e: unknown) => isCovetError(e) && e.code === 'ERR_PROTOCOL'

function readAll(reader: PacketReader): { payload: string; seq: number }[] {
  const out: { payload: string; seq: number }[] = []
  for (let p = reader.read(); p !== undefined; p = reader.read()) {
    out.push({ payload: p.toString('hex'), seq: reader.sequenceId })
  }
  return out
}

describe('PacketReader ("0 - Packet")', () => {
  const payloads = [Buffer.from([0x0e]), Buffer.alloc(0), Buffer.from('hello'), Buffer.alloc(300, 7)]
  const bytes = frame(payloads, 0)

  it('reads int<3> length + int<1> sequence id framed payloads and reports the sequence id', () => {
    const r = new PacketReader()
    r.feed(bytes)
    assert.deepEqual(
      readAll(r),
      payloads.map((p, i) => ({ payload: p.toString('hex'), seq: i })),
    )
    assert.equal(r.bufferedBytes, 0)
  })

  it('gives the same payloads for the stream split at every byte offset, saying "need more" in between', () => {
    const expected = payloads.map((p, i) => ({ payload: p.toString('hex'), seq: i }))
    for (let cut = 0; cut <= bytes.length; cut++) {
      const r = new PacketReader()
      r.feed(bytes.subarray(0, cut))
      const got = readAll(r)
      r.feed(bytes.subarray(cut))
      got.push(...readAll(r))
      assert.deepEqual(got, expected, `split at ${cut}`)
    }
    // and byte by byte
    const r = new PacketReader()
    const got = []
    for (const b of bytes) {
      r.feed(Buffer.from([b]))
      got.push(...readAll(r))
    }
    assert.deepEqual(got, expected)
  })

  it('returns a payload that fits one chunk without copying it', () => {
    const r = new PacketReader()
    r.feed(bytes)
    const first = r.read()!
    assert.equal(first.buffer, bytes.buffer)
  })

  it('refuses a payload above maxPayloadBytes and stays failed', () => {
    const r = new PacketReader({ maxPayloadBytes: 10 })
    r.feed(frame([Buffer.alloc(11)]))
    assert.throws(() => r.read(), protocolError)
    assert.throws(() => r.read(), protocolError)
  })
})

describe('payloads of 16 MiB and more ("Packet Splitting")', () => {
  const sizes = [MAX_PACKET_PAYLOAD - 1, MAX_PACKET_PAYLOAD, MAX_PACKET_PAYLOAD + 5, 2 * MAX_PACKET_PAYLOAD]

  it('are split into 0xFFFFFF-byte packets with rising sequence ids, an exact multiple ending in an empty packet', () => {
    for (const size of sizes) {
      const w = new ByteWriter()
      const payload = Buffer.alloc(size, 0xab)
      payload[0] = 1
      payload[size - 1] = 2
      const next = writePacket(w, 250, payload)
      const out = w.view()
      const headers: [number, number][] = []
      for (let at = 0; at < out.length; ) {
        const len = out.readUIntLE(at, 3)
        headers.push([len, out[at + 3]!])
        at += 4 + len
      }
      const full = Math.floor(size / MAX_PACKET_PAYLOAD)
      const expected: [number, number][] = []
      for (let i = 0; i < full; i++) expected.push([MAX_PACKET_PAYLOAD, (250 + i) & 0xff])
      expected.push([size - full * MAX_PACKET_PAYLOAD, (250 + full) & 0xff])
      assert.deepEqual(headers, expected, `size ${size}`)
      assert.equal(next, (250 + full + 1) & 0xff)

      const r = new PacketReader()
      // Feed in pieces that cut headers and bodies at awkward places.
      for (let at = 0; at < out.length; at += 5_000_003) r.feed(out.subarray(at, at + 5_000_003))
      const joined = r.read()!
      assert.equal(joined.length, size)
      assert.equal(joined[0], 1)
      assert.equal(joined[size - 1], 2)
      assert.equal(r.sequenceId, (250 + full) & 0xff)
      assert.equal(r.read(), undefined)
    }
  })

  it('refuses a continuation packet whose sequence id does not follow', () => {
    const w = new ByteWriter()
    writePacket(w, 0, Buffer.alloc(MAX_PACKET_PAYLOAD))
    const out = Buffer.from(w.view())
    out[4 + MAX_PACKET_PAYLOAD + 3] = 7 // the empty trailing packet claims seq 7 instead of 1
    const r = new PacketReader()
    r.feed(out)
    assert.throws(() => r.read(), protocolError)
  })

  it('counts the joined length against maxPayloadBytes', () => {
    const r = new PacketReader({ maxPayloadBytes: MAX_PACKET_PAYLOAD + 1 })
    r.feed(frame([Buffer.alloc(MAX_PACKET_PAYLOAD + 2)]))
    assert.throws(() => r.read(), protocolError)
  })
})

describe('packet writer', () => {
  it('patches the header of a payload written in place (COM_PING: 01 00 00 00 0e)', () => {
    const w = new ByteWriter()
    const start = beginPacket(w)
    w.uint8(0x0e)
    assert.equal(endPacket(w, start, 0), 1)
    assert.equal(w.view().toString('hex'), '010000000e')
  })

  it('wraps the sequence id after 255', () => {
    const w = new ByteWriter()
    assert.equal(writePacket(w, 255, Buffer.from([1])), 0)
    assert.equal(w.view().toString('hex'), '010000ff01')
  })
})
