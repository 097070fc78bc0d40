/**
 * covet's ByteWriter / ByteReader beside the buffers the peers' drivers use internally, on the
 * same messages: pg-protocol's Writer and BufferReader (used by `pg`) and mysql2's Packet.
 * Peer classes are internal to those packages; they are loaded from their files for this
 * comparison only. Run: node scripts/bench.mjs internal
 */
import { createRequire } from 'node:module'
import { BufferReader } from 'pg-protocol/dist/buffer-reader.js'
import { Writer } from 'pg-protocol/dist/buffer-writer.js'
import { ByteReader } from '../src/internal/byte-reader.js'
import { ByteWriter } from '../src/internal/byte-writer.js'
import { measure, report } from './support/measure.js'

const require = createRequire(import.meta.url)
interface Mysql2Packet {
  readLengthCodedString(encoding: string): string | null
}
const Packet = require(require.resolve('mysql2').replace(/index\.js$/, 'lib/packets/packet.js')) as new (
  id: number,
  buffer: Buffer,
  start: number,
  end: number,
) => Mysql2Packet

// A Bind message (PostgreSQL protocol §55.7) with 8 text parameters, as a driver sends per query.
const PARAMS = ['42', 'alice@example.com', 'Alice Liddell', '2024-05-01 12:00:00', 'true', '3.14159', 'x', '']

const covetWriter = new ByteWriter(1024)
function bindCovet(): Buffer {
  const w = covetWriter.reset()
  w.uint8(0x42) // 'B'
  const at = w.reserveInt32()
  w.cstring('').cstring('S_1').int16BE(0).int16BE(PARAMS.length)
  for (const p of PARAMS) {
    const len = w.reserveInt32()
    w.string(p).patchInt32(len, w.length - len - 4)
  }
  w.int16BE(0)
  w.patchInt32(at, w.length - at)
  return w.view()
}

const pgWriter = new Writer()
function bindPgProtocol(): Buffer {
  pgWriter.addCString('').addCString('S_1').addInt16(0).addInt16(PARAMS.length)
  for (const p of PARAMS) pgWriter.addInt32(Buffer.byteLength(p)).addString(p)
  pgWriter.addInt16(0)
  return pgWriter.flush(0x42)
}

// A DataRow (§55.7) of 8 text columns, and the same row as a MySQL text-protocol row (lenenc strings).
const row = new ByteWriter().uint8(0x44).int32BE(0).int16BE(PARAMS.length)
for (const p of PARAMS) row.int32BE(Buffer.byteLength(p)).string(p)
const dataRow = row.toBuffer()
// mysql2's Packet starts reading after the 4-byte packet header.
const mysqlRow = new ByteWriter().uint32LE(0)
for (const p of PARAMS) mysqlRow.lengthEncodedString(p)
const mysqlRowBuf = mysqlRow.toBuffer()

function dataRowCovet(): number {
  const r = new ByteReader(dataRow, 5)
  let total = 0
  for (let n = r.int16BE(); n > 0; n--) total += r.string(r.int32BE()).length
  return total
}

const pgReader = new BufferReader()
function dataRowPgProtocol(): number {
  pgReader.setBuffer(5, dataRow)
  let total = 0
  for (let n = pgReader.int16(); n > 0; n--) total += pgReader.string(pgReader.int32()).length
  return total
}

function mysqlRowCovet(): number {
  const r = new ByteReader(mysqlRowBuf, 4)
  let total = 0
  for (let i = 0; i < PARAMS.length; i++) total += r.lengthEncodedString()!.length
  return total
}

function mysqlRowMysql2(): number {
  const p = new Packet(0, mysqlRowBuf, 0, mysqlRowBuf.length)
  let total = 0
  for (let i = 0; i < PARAMS.length; i++) total += p.readLengthCodedString('utf8')!.length
  return total
}

if (!bindCovet().equals(bindPgProtocol())) throw new RangeError('the two Bind encoders disagree')
if (dataRowCovet() !== dataRowPgProtocol() || mysqlRowCovet() !== mysqlRowMysql2()) {
  throw new RangeError('the row decoders disagree')
}

report(
  'Bind message, 8 text parameters (encode)',
  [
    await measure('covet ByteWriter (view, no copy)', bindCovet),
    await measure('covet ByteWriter (toBuffer copy)', () => {
      bindCovet()
      return covetWriter.toBuffer()
    }),
    await measure('pg-protocol Writer', bindPgProtocol),
  ],
  'pg-protocol Writer',
)
report(
  'DataRow, 8 text columns (decode)',
  [
    await measure('covet ByteReader', dataRowCovet),
    await measure('pg-protocol BufferReader', dataRowPgProtocol),
  ],
  'pg-protocol BufferReader',
)
report(
  'MySQL text row, 8 lenenc strings (decode)',
  [await measure('covet ByteReader', mysqlRowCovet), await measure('mysql2 Packet', mysqlRowMysql2)],
  'mysql2 Packet',
)
