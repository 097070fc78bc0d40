import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isCovetError } from '../../../../src/errors/covet-error.js'
import {
  BulkExecuteWriter,
  type BulkWriterOptions,
  fitsType,
  widenType,
} from '../../../../src/mysql/protocol/bulk.js'
import { ColumnType } from '../../../../src/mysql/protocol/constants.js'
import { PacketReader } from '../../../../src/mysql/protocol/packets.js'
import { type ParamType, UNSIGNED_PARAM } from '../../../../src/mysql/types/params.js'

const LONGLONG = ColumnType.LONGLONG
const DOUBLE = ColumnType.DOUBLE
const UNSIGNED = LONGLONG | UNSIGNED_PARAM
const NULL = ColumnType.NULL

function options(columns: string[], more: Partial<BulkWriterOptions> = {}): BulkWriterOptions {
  return { columns, maxRows: Number.POSITIVE_INFINITY, maxPayloadBytes: 1 << 24, tzOffsetMs: 0, ...more }
}

/** The payload of the one packet `packet` holds, after checking its header (sequence id 0). */
function payloadOf(packet: Buffer): string {
  assert.equal(packet.readUIntLE(0, 3), packet.length - 4)
  assert.equal(packet[3], 0)
  return packet.subarray(4).toString('hex')
}

function learnedOf(n: number): ParamType[] {
  return new Array<ParamType>(n).fill(NULL)
}

describe('COM_STMT_BULK_EXECUTE writer (MariaDB)', () => {
  it('writes the head, one type per column, then per row an indicator byte and the value', () => {
    const w = new BulkExecuteWriter(5, learnedOf(2), options(['a', 'b']))
    assert.equal(w.add([1, 'a'], 0), 'added')
    assert.equal(w.add([null, 'b'], 1), 'added')
    assert.equal(w.rows, 2)
    assert.equal(
      payloadOf(w.finish()),
      'fa05000000' + '8000' + '0800fd00' + '00' + '0100000000000000' + '000161' + '01' + '000162',
    )
  })

  it('types a column by its first value; a column of NULLs only goes as type NULL', () => {
    const learned = learnedOf(2)
    const w = new BulkExecuteWriter(1, learned, options(['a', 'b']))
    assert.equal(w.add([null, null], 0), 'added')
    assert.equal(w.add([true, null], 1), 'added')
    assert.equal(payloadOf(w.finish()), 'fa01000000' + '8000' + '01000600' + '0101' + '000101')
    assert.deepEqual(learned, [ColumnType.TINY, NULL])
  })

  it('sends Buffers as BLOB, Dates as DATETIME in the session zone, bigints above 2^63-1 unsigned', () => {
    const w = new BulkExecuteWriter(1, learnedOf(3), options(['a', 'b', 'c'], { tzOffsetMs: 3_600_000 }))
    w.add([Buffer.from([0xde, 0xad]), new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), 2n ** 64n - 1n], 0)
    assert.equal(
      payloadOf(w.finish()),
      'fa01000000' +
        '8000' +
        'fc000c000880' +
        '0002dead' +
        '000be807010204040570170000' +
        '00ffffffffffffffff',
    )
  })

  it('ends the command at a row needing another type, and the next command starts with the wider one', () => {
    const learned = learnedOf(1)
    const first = new BulkExecuteWriter(1, learned, options(['x']))
    assert.equal(first.add([1], 0), 'added')
    assert.equal(first.add([1.5], 1), 'conflict')
    assert.deepEqual(learned, [DOUBLE])
    assert.equal(payloadOf(first.finish()), 'fa01000000' + '8000' + '0800' + '000100000000000000')
    const second = new BulkExecuteWriter(1, learned, options(['x']))
    assert.equal(second.add([1.5], 1), 'added')
    assert.equal(second.add([2], 2), 'added') // an integer fits a DOUBLE column
    assert.equal(
      payloadOf(second.finish()),
      'fa01000000' + '8000' + '0500' + '00000000000000f83f' + '000000000000000040',
    )
  })

  it('an empty command takes the wider type at once instead of ending', () => {
    const learned: ParamType[] = [LONGLONG]
    const w = new BulkExecuteWriter(1, learned, options(['x']))
    assert.equal(w.add([0.5], 0), 'added')
    assert.deepEqual(learned, [DOUBLE])
    assert.match(payloadOf(w.finish()), /^fa010000008000050000/)
  })

  it('widens as only an exact type can: DOUBLE, unsigned, or else the new value type', () => {
    assert.equal(widenType(LONGLONG, DOUBLE, 0.5), DOUBLE)
    assert.equal(widenType(DOUBLE, LONGLONG, 5n), LONGLONG) // a bigint is not exact as a DOUBLE
    assert.equal(widenType(LONGLONG, UNSIGNED, 2n ** 63n), UNSIGNED)
    assert.equal(widenType(UNSIGNED, LONGLONG, -1), LONGLONG)
    assert.equal(widenType(ColumnType.VAR_STRING, LONGLONG, 1), LONGLONG)
    assert.ok(fitsType(UNSIGNED, LONGLONG, 0n))
    assert.ok(!fitsType(UNSIGNED, LONGLONG, -1))
    assert.ok(fitsType(DOUBLE, LONGLONG, 3))
    assert.ok(!fitsType(ColumnType.VAR_STRING, LONGLONG, 3))
  })

  it('is full at maxRows, or at the row that would take the payload past maxPayloadBytes', () => {
    const byRows = new BulkExecuteWriter(1, learnedOf(1), options(['x'], { maxRows: 2 }))
    assert.equal(byRows.add([1], 0), 'added')
    assert.equal(byRows.add([2], 1), 'added')
    assert.equal(byRows.add([3], 2), 'full')
    // Head 7 + types 2, then 9 bytes per row: two rows are 27 bytes, a third would be 36.
    const byBytes = new BulkExecuteWriter(1, learnedOf(1), options(['x'], { maxPayloadBytes: 27 }))
    assert.equal(byBytes.add([1], 0), 'added')
    assert.equal(byBytes.add([2], 1), 'added')
    assert.equal(byBytes.add([3], 2), 'full')
    assert.equal(byBytes.add([null], 3), 'full')
    const payload = payloadOf(byBytes.finish())
    assert.equal(payload.length / 2, 27)
    assert.ok(payload.endsWith('000200000000000000'))
  })

  it('names the row and column of a value it cannot encode, never the value; the row is not kept', () => {
    const w = new BulkExecuteWriter(1, learnedOf(2), options(['a', 'secret']))
    assert.equal(w.add([1, 'x'], 0), 'added')
    // The last fails after the row's first value was written: that value is taken back too.
    for (const bad of [Number.NaN, Symbol('s'), 2n ** 64n, { toJSON: () => undefined }]) {
      assert.throws(
        () => w.add([2, bad], 41),
        (e) =>
          isCovetError(e) &&
          e.code === 'ERR_TYPE_ENCODE' &&
          e.message === 'bulkInsert: row 41, column "secret": cannot encode',
      )
    }
    assert.equal(w.rows, 1)
    assert.equal(payloadOf(w.finish()), 'fa01000000' + '8000' + '0800fd00' + '000100000000000000' + '000178')
  })

  it('splits a command of 16 MiB or more into 0xFFFFFF-byte packets with the next sequence ids', () => {
    const w = new BulkExecuteWriter(1, learnedOf(1), options(['blob'], { maxPayloadBytes: 1 << 25 }))
    const blob = Buffer.alloc(0xffffff + 10, 7)
    assert.equal(w.add([blob], 0), 'added')
    const packets = w.finish()
    const reader = new PacketReader()
    reader.feed(packets)
    const payload = reader.read()!
    assert.equal(reader.sequenceId, 1)
    assert.equal(packets.readUIntLE(0, 3), 0xffffff)
    // Head 7, type 2, indicator 1, length 0xFE + 8 bytes, then the blob.
    assert.equal(payload.length, 7 + 2 + 1 + 9 + blob.length)
    assert.ok(payload.subarray(19).equals(blob))
  })
})
