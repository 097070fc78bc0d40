import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isCovetError } from '../../../../src/errors/covet-error.js'
import { BackendParser } from '../../../../src/postgres/protocol/backend.js'
import type { BackendMessage } from '../../../../src/postgres/protocol/messages.js'
import { dataRow, dataRowColumns, encodeBackend, frame } from './backend-encoder.js'

/** One of every backend message of protocol 3.0, with edge cases (§55.7). */
const FIXTURES: BackendMessage[] = [
  { type: 'AuthenticationOk' },
  { type: 'AuthenticationKerberosV5' },
  { type: 'AuthenticationCleartextPassword' },
  { type: 'AuthenticationMD5Password', salt: Buffer.from([1, 2, 3, 255]) },
  { type: 'AuthenticationGSS' },
  { type: 'AuthenticationGSSContinue', data: Buffer.from('gss') },
  { type: 'AuthenticationSSPI' },
  { type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] },
  { type: 'AuthenticationSASLContinue', data: Buffer.from('r=abc,s=c2FsdA==,i=4096') },
  { type: 'AuthenticationSASLFinal', data: Buffer.from('v=c2ln') },
  { type: 'BackendKeyData', processId: 4242, secretKey: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
  { type: 'BackendKeyData', processId: 1, secretKey: Buffer.alloc(32, 7) }, // protocol 3.2 long key
  { type: 'BindComplete' },
  { type: 'CloseComplete' },
  { type: 'CommandComplete', tag: 'INSERT 0 5' },
  { type: 'CopyData', data: Buffer.from('1\tone\n') },
  { type: 'CopyData', data: Buffer.alloc(0) },
  { type: 'CopyDone' },
  { type: 'CopyInResponse', format: 1, columnFormats: [1, 1] },
  { type: 'CopyOutResponse', format: 0, columnFormats: [0] },
  { type: 'CopyBothResponse', format: 0, columnFormats: [] },
  { type: 'EmptyQueryResponse' },
  {
    type: 'ErrorResponse',
    fields: {
      severityLocalized: 'ERREUR',
      severity: 'ERROR',
      code: '23505',
      message: 'duplicate key value violates unique constraint "t_pkey"',
      detail: 'Key (id)=(1) already exists.',
      hint: 'h',
      position: '15',
      internalPosition: '3',
      internalQuery: 'q',
      where: 'w',
      schema: 'public',
      table: 't',
      column: 'id',
      dataType: 'int4',
      constraint: 't_pkey',
      file: 'nbtinsert.c',
      line: '666',
      routine: '_bt_check_unique',
    },
  },
  { type: 'NoticeResponse', fields: { severity: 'NOTICE', code: '00000', message: 'ünïcödé 😀' } },
  { type: 'FunctionCallResponse', result: Buffer.from([9]) },
  { type: 'FunctionCallResponse', result: null },
  { type: 'NegotiateProtocolVersion', newestMinorVersion: 0, unrecognizedOptions: ['_pq_.x', '_pq_.y'] },
  { type: 'NoData' },
  { type: 'NotificationResponse', processId: 77, channel: 'jobs', payload: '{"id":1}' },
  { type: 'ParameterDescription', typeOids: [23, 25, 4_294_967_295] },
  { type: 'ParameterDescription', typeOids: [] },
  { type: 'ParameterStatus', name: 'client_encoding', value: 'UTF8' },
  { type: 'ParseComplete' },
  { type: 'PortalSuspended' },
  { type: 'ReadyForQuery', status: 'I' },
  { type: 'ReadyForQuery', status: 'T' },
  { type: 'ReadyForQuery', status: 'E' },
  {
    type: 'RowDescription',
    fields: [
      {
        name: 'id',
        tableOid: 16384,
        columnAttribute: 1,
        typeOid: 23,
        typeSize: 4,
        typeModifier: -1,
        format: 1,
      },
      { name: '', tableOid: 0, columnAttribute: 0, typeOid: 1043, typeSize: -1, typeModifier: 36, format: 0 },
    ],
  },
  { type: 'RowDescription', fields: [] },
]

const ROWS: (Buffer | string | null)[][] = [
  [],
  [null],
  ['1', null, '', Buffer.from([0, 255, 0])],
  ['x'.repeat(300), 'ü'],
]

/** Messages with DataRow turned into its column values, for deep comparison. */
function normalize(m: BackendMessage): unknown {
  return m.type === 'DataRow' ? { type: 'DataRow', columns: dataRowColumns(m) } : m
}

const expected = [
  ...FIXTURES.map(normalize),
  ...ROWS.map((r) => ({ type: 'DataRow', columns: r.map((c) => (c === null ? null : Buffer.from(c))) })),
]
const stream = Buffer.concat([...FIXTURES.map(encodeBackend), ...ROWS.map(dataRow)])

function parseChunks(chunks: Buffer[], parser = new BackendParser()): unknown[] {
  const out: unknown[] = []
  for (const chunk of chunks) {
    parser.feed(chunk)
    for (let m = parser.read(); m !== undefined; m = parser.read()) out.push(normalize(m))
  }
  return out
}

describe('BackendParser', () => {
  it('round-trips every backend message', () => {
    assert.deepEqual(parseChunks([stream]), expected)
    for (const m of FIXTURES) {
      const parser = new BackendParser()
      parser.feed(encodeBackend(m))
      assert.deepEqual(normalize(parser.read()!), normalize(m), m.type)
      assert.equal(parser.read(), undefined)
      assert.equal(parser.bufferedBytes, 0)
    }
  })

  it('parses the stream split at every byte offset', () => {
    for (let i = 0; i <= stream.length; i++) {
      assert.deepEqual(parseChunks([stream.subarray(0, i), stream.subarray(i)]), expected, `split at ${i}`)
    }
  })

  it('parses the stream fed one byte at a time and in three uneven pieces', () => {
    const bytes = Array.from(stream, (b) => Buffer.from([b]))
    assert.deepEqual(parseChunks(bytes), expected)
    for (let i = 0; i < stream.length; i += 7) {
      const j = Math.min(stream.length, i + 13)
      const parts = [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]
      assert.deepEqual(parseChunks(parts), expected, `split at ${i}, ${j}`)
    }
  })

  it('says "need more" for a partial message and keeps messages valid after later feeds', () => {
    const parser = new BackendParser()
    const row = dataRow(['abc'])
    parser.feed(row.subarray(0, 4))
    assert.equal(parser.read(), undefined)
    parser.feed(row.subarray(4))
    const m = parser.read()
    assert.equal(m?.type, 'DataRow')
    parser.feed(dataRow(['zzz']))
    parser.read()
    assert.deepEqual(dataRowColumns(m as Extract<BackendMessage, { type: 'DataRow' }>), [Buffer.from('abc')])
  })

  it('reports the wire size of a DataRow', () => {
    const parser = new BackendParser()
    const row = dataRow(['abc', null])
    parser.feed(row)
    assert.equal((parser.read() as { byteLength: number }).byteLength, row.length)
  })

  const garbage: [string, Buffer][] = [
    ['unknown type', Buffer.from('x\0\0\0\x04')],
    ['unknown type before the length arrives', Buffer.from('x')],
    ['length below 4', frame(0x5a).fill(0, 1, 5)],
    ['negative length', Buffer.from([0x44, 0xff, 0xff, 0xff, 0xff])],
    ['ReadyForQuery with a bad status', frame(0x5a, Buffer.from('Q'))],
    ['ReadyForQuery too long', frame(0x5a, Buffer.from('II'))],
    ['ParseComplete with a body', frame(0x31, Buffer.from('x'))],
    ['DataRow column past the end', frame(0x44, Buffer.from([0, 1, 0, 0, 0, 9, 1]))],
    ['DataRow length -2', frame(0x44, Buffer.from([0, 1, 0xff, 0xff, 0xff, 0xfe]))],
    ['DataRow trailing bytes', frame(0x44, Buffer.from([0, 0, 1]))],
    ['DataRow negative count', frame(0x44, Buffer.from([0xff, 0xff]))],
    ['unterminated string', frame(0x43, Buffer.from('SELECT 1'))],
    ['RowDescription count too large', frame(0x54, Buffer.from([0x7f, 0xff]))],
    ['unknown authentication request', frame(0x52, Buffer.from([0, 0, 0, 99]))],
    ['bad copy format', frame(0x47, Buffer.from([2, 0, 0]))],
    ['empty copy response', frame(0x47)],
  ]
  for (const [name, bytes] of garbage) {
    it(`raises ERR_PROTOCOL on garbage: ${name}`, () => {
      const parser = new BackendParser()
      parser.feed(bytes)
      assert.throws(() => parser.read(), { code: 'ERR_PROTOCOL' })
      // The stream is out of sync: the parser stays failed.
      assert.throws(() => parser.read(), { code: 'ERR_PROTOCOL' })
    })
  }

  it('refuses a message longer than maxMessageBytes before buffering it', () => {
    const parser = new BackendParser({ maxMessageBytes: 1024 })
    parser.feed(Buffer.from([0x44, 0, 0, 0x10, 0]))
    assert.throws(() => parser.read(), /maxMessageBytes/)
    const ok = new BackendParser({ maxMessageBytes: 1024 })
    ok.feed(dataRow(['x'.repeat(1000)]))
    assert.equal(ok.read()?.type, 'DataRow')
    assert.throws(() => new BackendParser({ maxMessageBytes: 2 }), { code: 'ERR_INVALID_ARGUMENT' })
  })
})

/** mulberry32: a small seeded PRNG so fuzz failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('BackendParser fuzz', () => {
  /** Feeds `bytes` in random chunks; only messages, need-more or ERR_PROTOCOL may come out. */
  function survive(bytes: Buffer, rand: () => number): void {
    const parser = new BackendParser({ maxMessageBytes: 1 << 16 })
    let pos = 0
    try {
      while (pos < bytes.length) {
        const n = 1 + Math.floor(rand() * 64)
        parser.feed(bytes.subarray(pos, pos + n))
        pos += n
        for (let m = parser.read(); m !== undefined; m = parser.read()) assert.equal(typeof m.type, 'string')
      }
    } catch (err) {
      if (!isCovetError(err) || err.code !== 'ERR_PROTOCOL') throw err
    }
  }

  it('random bytes (2,000 seeded inputs)', () => {
    const rand = prng(0xc0ffee)
    const codes = Buffer.from('R K 2 3 C d c G H W D I E V v n N A t S 1 s Z T'.replaceAll(' ', ''))
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.alloc(1 + Math.floor(rand() * 200))
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256)
      // Half the inputs start with a valid type and a small length, to get past the header checks.
      if (i % 2 === 0 && bytes.length > 5) {
        bytes[0] = codes[Math.floor(rand() * codes.length)]!
        bytes.writeInt32BE(Math.floor(rand() * (bytes.length + 4)), 1)
      }
      survive(bytes, rand)
    }
  })

  it('mutated valid streams (2,000 seeded inputs)', () => {
    const rand = prng(42)
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(stream)
      const flips = 1 + Math.floor(rand() * 4)
      for (let f = 0; f < flips; f++) {
        const at = Math.floor(rand() * bytes.length)
        const mode = rand()
        bytes[at] =
          mode < 0.4 ? Math.floor(rand() * 256) : mode < 0.7 ? 0 : mode < 0.85 ? 0xff : bytes[at]! ^ 1
      }
      const cut = rand() < 0.3 ? Math.floor(rand() * bytes.length) : bytes.length
      survive(bytes.subarray(0, cut), rand)
    }
  })
})
