import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isCovetError } from '../../../../src/errors/covet-error.js'
import { ColumnType, MAX_PACKET_PAYLOAD, ServerStatus } from '../../../../src/mysql/protocol/constants.js'
import { isEndOfRows } from '../../../../src/mysql/protocol/messages.js'
import { PacketReader } from '../../../../src/mysql/protocol/packets.js'
import {
  type ResponseContext,
  type ResponseKind,
  ResponseReader,
} from '../../../../src/mysql/protocol/response-reader.js'
import { column, eof, err, frame, lenenc, ok, prepareOk, recorder, textRow } from './server-packets.js'

const MODERN: ResponseContext = {
  deprecateEof: true,
  sessionTrack: false,
  extendedMetadata: false,
  cacheMetadata: false,
}
const OLD: ResponseContext = { ...MODERN, deprecateEof: false }
const MARIADB: ResponseContext = { ...MODERN, extendedMetadata: true, cacheMetadata: true }

interface Fixture {
  name: string
  kind: ResponseKind
  context: ResponseContext
  payloads: Buffer[]
  events: unknown[]
}

const okResult = (
  o: Partial<{ affectedRows: number; insertId: number; status: number; warnings: number; info: string }>,
) => ['result', { affectedRows: 0, insertId: 0, status: 2, warnings: 0, info: '', ...o }]
const a = { name: 'a', type: ColumnType.LONG }
const j = { name: 'j', type: ColumnType.BLOB, format: 'json' }

const FIXTURES: Fixture[] = [
  {
    name: 'OK for a statement without a result set',
    kind: 'query',
    context: MODERN,
    payloads: [ok({ affected: 3, insertId: 7, warnings: 1, info: 'Rows matched: 3' })],
    events: [okResult({ affectedRows: 3, insertId: 7, warnings: 1, info: 'Rows matched: 3' })],
  },
  {
    name: 'ERR with SQLSTATE',
    kind: 'query',
    context: MODERN,
    payloads: [err(1062, '23000', "Duplicate entry '1' for key 'PRIMARY'")],
    events: [['error', { errno: 1062, sqlState: '23000', message: "Duplicate entry '1' for key 'PRIMARY'" }]],
  },
  {
    name: 'ERR without SQLSTATE (sent before the protocol is agreed)',
    kind: 'ok',
    context: MODERN,
    payloads: [err(1040, undefined, 'Too many connections')],
    events: [['error', { errno: 1040, sqlState: undefined, message: 'Too many connections' }]],
  },
  {
    name: 'text result set under CLIENT_DEPRECATE_EOF: rows end with an OK whose header is 0xFE',
    kind: 'query',
    context: MODERN,
    payloads: [lenenc(1), column(a), textRow(['1']), textRow([null]), ok({ header: 0xfe, warnings: 2 })],
    events: [
      ['columns', [['a', ColumnType.LONG, null]]],
      ['row', '0131'],
      ['row', 'fb'],
      okResult({ warnings: 2 }),
    ],
  },
  {
    name: 'text result set with EOF packets (no CLIENT_DEPRECATE_EOF)',
    kind: 'query',
    context: OLD,
    payloads: [lenenc(1), column(a), eof(), textRow(['1']), eof(2, 1)],
    events: [['columns', [['a', ColumnType.LONG, null]]], ['row', '0131'], okResult({ warnings: 1 })],
  },
  {
    name: 'ERR in the middle of a result set (KILL QUERY, statement timeout) ends the response',
    kind: 'query',
    context: MODERN,
    payloads: [lenenc(1), column(a), textRow(['1']), err(1317, '70100', 'Query execution was interrupted')],
    events: [
      ['columns', [['a', ColumnType.LONG, null]]],
      ['row', '0131'],
      ['error', { errno: 1317, sqlState: '70100', message: 'Query execution was interrupted' }],
    ],
  },
  {
    name: 'several results while SERVER_MORE_RESULTS_EXISTS is set (CALL, multi-statements)',
    kind: 'query',
    context: MODERN,
    payloads: [
      lenenc(1),
      column(a),
      textRow(['5']),
      ok({ header: 0xfe, status: 2 | ServerStatus.MORE_RESULTS_EXISTS }),
      ok({ affected: 1 }),
    ],
    events: [
      ['columns', [['a', ColumnType.LONG, null]]],
      ['row', '0135'],
      okResult({ status: 2 | ServerStatus.MORE_RESULTS_EXISTS }),
      okResult({ affectedRows: 1 }),
    ],
  },
  {
    name: 'MariaDB metadata-follows byte and extended type info (format=json)',
    kind: 'query',
    context: MARIADB,
    payloads: [
      Buffer.concat([lenenc(1), Buffer.from([1])]),
      column(j, true),
      textRow(['{}']),
      ok({ header: 0xfe }),
    ],
    events: [['columns', [['j', ColumnType.BLOB, 'json']]], ['row', '027b7d'], okResult({})],
  },
  {
    name: 'COM_STMT_EXECUTE with metadata skipped (metadata follows = 0)',
    kind: 'execute',
    context: MARIADB,
    payloads: [
      Buffer.concat([lenenc(1), Buffer.from([0])]),
      Buffer.from('000001000000', 'hex'),
      ok({ header: 0xfe }),
    ],
    events: [['columns', null], ['row', '000001000000'], okResult({})],
  },
  {
    name: 'COM_STMT_EXECUTE opening a cursor: columns, then an end marker with CURSOR_EXISTS',
    kind: 'execute',
    context: MODERN,
    payloads: [lenenc(1), column(a), ok({ header: 0xfe, status: 0x42 })],
    events: [['columns', [['a', ColumnType.LONG, null]]], okResult({ status: 0x42 })],
  },
  {
    name: 'a cursor without CLIENT_DEPRECATE_EOF: the EOF after the columns carries CURSOR_EXISTS',
    kind: 'execute',
    context: OLD,
    payloads: [lenenc(1), column(a), eof(0x42)],
    events: [['columns', [['a', ColumnType.LONG, null]]], okResult({ status: 0x42 })],
  },
  {
    name: 'COM_STMT_FETCH: rows, then an end marker (LAST_ROW_SENT when the cursor is exhausted)',
    kind: 'fetch',
    context: MODERN,
    payloads: [Buffer.from('00000100000000000000', 'hex'), ok({ header: 0xfe, status: 0x82 })],
    events: [['row', '00000100000000000000'], okResult({ status: 0x82 })],
  },
  {
    name: 'LOCAL INFILE request, then the OK after the file',
    kind: 'query',
    context: MODERN,
    payloads: [Buffer.concat([Buffer.from([0xfb]), Buffer.from('/etc/passwd')]), ok({ affected: 2 })],
    events: [['infile', '/etc/passwd'], okResult({ affectedRows: 2 })],
  },
  {
    name: 'COM_STMT_PREPARE with parameters and columns (CLIENT_DEPRECATE_EOF)',
    kind: 'prepare',
    context: MODERN,
    payloads: [
      prepareOk(9, 1, 2),
      column({ name: '?', type: 253 }),
      column({ name: '?', type: 253 }),
      column(a),
    ],
    events: [['prepared', { statementId: 9, columnCount: 1, paramCount: 2, warnings: 0 }, ['?', '?'], ['a']]],
  },
  {
    name: 'COM_STMT_PREPARE with EOF packets after each definition block',
    kind: 'prepare',
    context: OLD,
    payloads: [prepareOk(3, 1, 1), column({ name: '?', type: 253 }), eof(), column(a), eof()],
    events: [['prepared', { statementId: 3, columnCount: 1, paramCount: 1, warnings: 0 }, ['?'], ['a']]],
  },
  {
    name: 'COM_STMT_PREPARE of a statement without parameters or columns',
    kind: 'prepare',
    context: OLD,
    payloads: [prepareOk(4, 0, 0)],
    events: [['prepared', { statementId: 4, columnCount: 0, paramCount: 0, warnings: 0 }, [], []]],
  },
  {
    name: 'COM_STMT_PREPARE refused',
    kind: 'prepare',
    context: MODERN,
    payloads: [err(1064, '42000', 'You have an error in your SQL syntax')],
    events: [['error', { errno: 1064, sqlState: '42000', message: 'You have an error in your SQL syntax' }]],
  },
  {
    name: 'COM_PING: OK',
    kind: 'ok',
    context: MODERN,
    payloads: [ok({})],
    events: [okResult({})],
  },
]

function run(f: Fixture, chunks: Buffer[]): unknown[] {
  const rec = recorder()
  const reader = new ResponseReader(f.kind, f.context, rec)
  const packets = new PacketReader()
  let complete = false
  for (const chunk of chunks) {
    packets.feed(chunk)
    for (let p = packets.read(); p !== undefined; p = packets.read()) {
      assert.equal(complete, false, 'no packet after the response is complete')
      complete = reader.push(p)
    }
  }
  assert.equal(complete, true, `${f.name}: complete`)
  assert.equal(reader.done, true)
  return rec.events
}

describe('ResponseReader ("Result Set Packets", "COM_STMT_PREPARE response")', () => {
  for (const f of FIXTURES) {
    it(f.name, () => {
      assert.deepEqual(run(f, [frame(f.payloads)]), f.events)
    })
  }

  it('gives the same events for every fixture split at every byte offset', () => {
    for (const f of FIXTURES) {
      const bytes = frame(f.payloads)
      for (let cut = 0; cut <= bytes.length; cut++) {
        assert.deepEqual(
          run(f, [bytes.subarray(0, cut), bytes.subarray(cut)]),
          f.events,
          `${f.name} at ${cut}`,
        )
      }
    }
  })

  it('refuses a packet after the end and an OK-only command answered with rows', () => {
    const reader = new ResponseReader('ok', MODERN, recorder())
    assert.equal(reader.push(ok({})), true)
    assert.throws(
      () => reader.push(ok({})),
      (e) => isCovetError(e) && e.code === 'ERR_PROTOCOL',
    )
    const ping = new ResponseReader('ok', MODERN, recorder())
    assert.throws(
      () => ping.push(lenenc(1)),
      (e) => isCovetError(e) && e.code === 'ERR_PROTOCOL',
    )
  })

  it('refuses impossible column counts and a LOCAL INFILE request to COM_STMT_EXECUTE', () => {
    for (const payload of [lenenc(0), Buffer.from([0xfc, 0xff, 0xff, 0x01]), Buffer.from([0xfb, 0x41])]) {
      const reader = new ResponseReader('execute', MODERN, recorder())
      assert.throws(
        () => reader.push(payload),
        (e) => isCovetError(e) && e.code === 'ERR_PROTOCOL',
      )
    }
  })
})

describe('end-of-rows detection (the 0xFE ambiguity)', () => {
  it('a 0xFE packet shorter than 0xFFFFFF ends rows under DEPRECATE_EOF; under 9 bytes without it', () => {
    assert.equal(isEndOfRows(ok({ header: 0xfe }), true), true)
    assert.equal(isEndOfRows(eof(), false), true)
    assert.equal(isEndOfRows(ok({ header: 0xfe, info: 'long info text' }), false), false)
    assert.equal(isEndOfRows(Buffer.from([0x00, 0x01]), true), false)
  })

  it('a text row whose first value is 16 MiB+ starts with 0xFE too, but is never that short', () => {
    const row = Buffer.alloc(MAX_PACKET_PAYLOAD + 9)
    row[0] = 0xfe
    assert.equal(isEndOfRows(row, true), false)
    assert.equal(isEndOfRows(row, false), false)
  })
})
