import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isCovetError } from '../../../../src/errors/covet-error.js'
import { ByteWriter } from '../../../../src/internal/byte-writer.js'
import type { BulkWriterOptions } from '../../../../src/mysql/protocol/bulk.js'
import { writeStmtExecute } from '../../../../src/mysql/protocol/commands.js'
import { MultiRowExecuteWriter } from '../../../../src/mysql/protocol/multi-row.js'
import { PacketReader } from '../../../../src/mysql/protocol/packets.js'

function options(columns: string[], more: Partial<BulkWriterOptions> = {}): BulkWriterOptions {
  return { columns, maxRows: 100, maxPayloadBytes: 1 << 24, tzOffsetMs: 0, ...more }
}

/** The payload of the one packet `packet` holds, after checking its header (sequence id 0). */
function payloadOf(packet: Buffer): string {
  assert.equal(packet.readUIntLE(0, 3), packet.length - 4)
  assert.equal(packet[3], 0)
  return packet.subarray(4).toString('hex')
}

/** What writeStmtExecute (execute()'s writer) sends for the same parameters, flattened. */
function executeOf(statementId: number, rows: unknown[][]): string {
  const w = new ByteWriter()
  writeStmtExecute(w, statementId, 0, rows.flat(), 0)
  return payloadOf(Buffer.from(w.view()))
}

describe('multi-row COM_STMT_EXECUTE writer (MySQL)', () => {
  it('writes the head, NULL bitmap and types of every parameter before the values', () => {
    const w = new MultiRowExecuteWriter(options(['a', 'b']))
    assert.equal(w.add([1, null], 0), 'added')
    assert.equal(w.add(['x', true], 1), 'added')
    assert.equal(
      payloadOf(w.finish(9)),
      '1709000000' +
        '00' +
        '01000000' +
        '02' +
        '01' +
        '0800' +
        '0600' +
        'fd00' +
        '0100' +
        '0100000000000000' +
        '0178' +
        '01',
    )
  })

  it('sends exactly what execute() sends for the flattened parameters', () => {
    const rows = [
      [1, 'ą😀', null, Buffer.from([1, 2])],
      [2n ** 63n, null, new Date(Date.UTC(2020, 1, 29, 23, 59, 59, 999)), { k: [1] }],
      [-1.25, '', false, null],
    ]
    const w = new MultiRowExecuteWriter(options(['a', 'b', 'c', 'd']))
    for (const [i, row] of rows.entries()) assert.equal(w.add(row, i), 'added')
    assert.equal(payloadOf(w.finish(3)), executeOf(3, rows))
  })

  it('is full at maxRows, or at the row whose head and values would pass maxPayloadBytes', () => {
    const byRows = new MultiRowExecuteWriter(options(['x'], { maxRows: 2 }))
    assert.equal(byRows.add([1], 0), 'added')
    assert.equal(byRows.add([2], 1), 'added')
    assert.equal(byRows.add([3], 2), 'full')
    // Two rows: head 10 + bitmap 1 + 1 + types 4, values 16 = 32 bytes. A third NULL row needs 34.
    const byBytes = new MultiRowExecuteWriter(options(['x'], { maxPayloadBytes: 32 }))
    assert.equal(byBytes.add([1], 0), 'added')
    assert.equal(byBytes.add([2], 1), 'added')
    assert.equal(byBytes.add([null], 2), 'full')
    // The refused NULL row leaves no bit in the bitmap.
    assert.equal(payloadOf(byBytes.finish(1)), executeOf(1, [[1], [2]]))
  })

  it('names the row and column of a value it cannot encode and keeps the rows before it', () => {
    const w = new MultiRowExecuteWriter(options(['a', 'when']))
    assert.equal(w.add([null, new Date(0)], 0), 'added')
    assert.throws(
      () => w.add([null, new Date(Number.NaN)], 7),
      (e) =>
        isCovetError(e) &&
        e.code === 'ERR_TYPE_ENCODE' &&
        e.message === 'bulkInsert: row 7, column "when": cannot encode',
    )
    assert.equal(payloadOf(w.finish(2)), executeOf(2, [[null, new Date(0)]]))
  })

  it('frames a command of 16 MiB or more as several packets', () => {
    const w = new MultiRowExecuteWriter(options(['s'], { maxPayloadBytes: 1 << 25 }))
    const text = 'y'.repeat(0xffffff)
    assert.equal(w.add([text], 0), 'added')
    const reader = new PacketReader()
    reader.feed(w.finish(4))
    const payload = reader.read()!
    assert.equal(reader.sequenceId, 1)
    assert.equal(payload.length, 10 + 1 + 1 + 2 + 4 + text.length)
    assert.equal(payload.subarray(18).toString(), text)
  })
})
