import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isCovetError } from '../../../../src/errors/covet-error.js'
import { ByteWriter } from '../../../../src/internal/byte-writer.js'
import {
  writePing,
  writePrepare,
  writeQuery,
  writeQuit,
  writeResetConnection,
  writeStmtClose,
  writeStmtExecute,
  writeStmtFetch,
  writeStmtReset,
} from '../../../../src/mysql/protocol/commands.js'
import { ColumnType, CursorType, LAST_PREPARED_STATEMENT } from '../../../../src/mysql/protocol/constants.js'

function bytes(write: (w: ByteWriter) => void): string {
  const w = new ByteWriter(4)
  write(w)
  return w.view().toString('hex')
}

/** The payload of the single packet written, after checking its header (sequence id 0). */
function payload(write: (w: ByteWriter) => void): Buffer {
  const w = new ByteWriter(4)
  write(w)
  const out = Buffer.from(w.view())
  assert.equal(out.readUIntLE(0, 3), out.length - 4)
  assert.equal(out[3], 0)
  return out.subarray(4)
}

describe('simple commands ("2 - Text Protocol")', () => {
  it('COM_QUERY, COM_STMT_PREPARE carry the text as string<EOF>', () => {
    assert.equal(
      bytes((w) => writeQuery(w, 'SELECT 1')),
      `09000000 03${Buffer.from('SELECT 1').toString('hex')}`.replace(' ', ''),
    )
    assert.equal(
      payload((w) => writePrepare(w, 'SELECT ?')).toString('hex'),
      `16${Buffer.from('SELECT ?').toString('hex')}`,
    )
    assert.equal(payload((w) => writeQuery(w, 'é')).toString('hex'), '03c3a9')
  })

  it('COM_PING, COM_QUIT, COM_RESET_CONNECTION are one byte', () => {
    assert.equal(bytes(writePing), '010000000e')
    assert.equal(bytes(writeQuit), '0100000001')
    assert.equal(bytes(writeResetConnection), '010000001f')
  })

  it('COM_STMT_CLOSE, COM_STMT_RESET, COM_STMT_FETCH take int<4> ids', () => {
    assert.equal(payload((w) => writeStmtClose(w, 0x01020304)).toString('hex'), '1904030201')
    assert.equal(payload((w) => writeStmtReset(w, 7)).toString('hex'), '1a07000000')
    assert.equal(payload((w) => writeStmtFetch(w, 7, 1000)).toString('hex'), '1c07000000e8030000')
  })
})

describe('COM_STMT_EXECUTE ("3 - Binary Protocol")', () => {
  it('without parameters: id, cursor flags, iteration count 1', () => {
    assert.equal(
      payload((w) => writeStmtExecute(w, LAST_PREPARED_STATEMENT, CursorType.READ_ONLY, [], 0)).toString(
        'hex',
      ),
      '17ffffffff0101000000',
    )
  })

  it('binds integers as LONGLONG, fractions as DOUBLE, bigint with the unsigned flag above 2^63-1', () => {
    const p = payload((w) => writeStmtExecute(w, 1, 0, [42, 1.5, -1n, 2n ** 64n - 1n], 0))
    const types = p.subarray(12, 20).toString('hex')
    assert.equal(p[10], 0) // NULL bitmap
    assert.equal(p[11], 1) // send types
    assert.equal(types, '0800' + '0500' + '0800' + '0880')
    const values = p.subarray(20)
    assert.equal(values.readBigInt64LE(0), 42n)
    assert.equal(values.readDoubleLE(8), 1.5)
    assert.equal(values.readBigInt64LE(16), -1n)
    assert.equal(values.readBigUInt64LE(24), 2n ** 64n - 1n)
    assert.equal(values.length, 32)
  })

  it('sets the NULL bitmap for null/undefined (bit i of byte i/8) and sends no value for them', () => {
    const params = [null, 'x', undefined, true, null, null, null, null, null, Buffer.from([9])]
    const p = payload((w) => writeStmtExecute(w, 1, 0, params, 0))
    assert.equal(p.subarray(10, 12).toString('hex'), 'f501') // bits 0, 2, 4-7 → 0b11110101; bit 8 → 0b00000001
    assert.equal(p[12], 1)
    const types = p.subarray(13, 33)
    assert.equal(types[0], ColumnType.NULL)
    assert.equal(types[2], ColumnType.VAR_STRING)
    assert.equal(types[6], ColumnType.TINY)
    assert.equal(types[18], ColumnType.BLOB)
    assert.equal(p.subarray(33).toString('hex'), '017801' + '0109')
  })

  it('sends a Date as DATETIME wall-clock time in the session time zone, objects as JSON text', () => {
    const at = new Date('2024-02-29T23:30:00.123Z')
    const p = payload((w) => writeStmtExecute(w, 1, 0, [at, { a: [1] }], 2 * 3600_000))
    assert.equal(p.subarray(12, 16).toString('hex'), '0c00fd00')
    const v = p.subarray(16)
    // 2024-03-01 01:30:00.123000 at +02:00
    assert.equal(v.subarray(0, 12).toString('hex'), '0be807030101' + '1e00' + '78e00100')
    assert.equal(v.subarray(12).toString(), '\u0009{"a":[1]}')
  })

  it('refuses values with no MySQL representation, naming the parameter, and writes nothing', () => {
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2n ** 64n,
      -(2n ** 63n) - 1n,
      Symbol('s'),
      () => 1,
      new Date(Number.NaN),
      { toJSON: () => undefined },
      { b: 1n },
    ]) {
      const w = new ByteWriter()
      writePing(w)
      assert.throws(
        () => writeStmtExecute(w, 1, 0, ['ok', bad], 0),
        (e) => isCovetError(e) && e.code === 'ERR_TYPE_ENCODE' && /parameter 2/.test(e.message),
        String(typeof bad === 'symbol' ? 'symbol' : bad),
      )
      assert.equal(w.view().toString('hex'), '010000000e')
    }
  })
})
