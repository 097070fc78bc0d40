/**
 * Builds server-side payloads for the MySQL protocol tests ("4 - Server Response Packets"), and
 * frames payload lists into the bytes a server would send.
 */
import { ByteWriter } from '../../../../src/internal/byte-writer.js'
import { writePacket } from '../../../../src/mysql/protocol/packets.js'
import type { ResponseHandler } from '../../../../src/mysql/protocol/response-reader.js'

/** A real MariaDB 10.11.19 Initial Handshake (captured from the harness server). */
export const MARIADB_HANDSHAKE = Buffer.from(
  '0a352e352e352d31302e31312e31392d4d6172696144422d302b646562313275310005000000743d6f3c77677e6500fef7080200ff81150000000000001d0000005f2d5f785d493469366f4f7c006d7973716c5f6e61746976655f70617373776f726400',
  'hex',
)

export function lenenc(n: number): Buffer {
  return new ByteWriter(9).lengthEncodedInt(n).toBuffer()
}

export function lenencString(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : s
  return Buffer.concat([lenenc(b.length), b])
}

export function ok(
  o: {
    affected?: number
    insertId?: number
    status?: number
    warnings?: number
    info?: string
    header?: number
  } = {},
): Buffer {
  const w = new ByteWriter()
  w.uint8(o.header ?? 0)
    .lengthEncodedInt(o.affected ?? 0)
    .lengthEncodedInt(o.insertId ?? 0)
  w.uint16LE(o.status ?? 2).uint16LE(o.warnings ?? 0)
  if (o.info) w.string(o.info)
  return w.toBuffer()
}

export function err(errno: number, sqlState: string | undefined, message: string): Buffer {
  const w = new ByteWriter().uint8(0xff).uint16LE(errno)
  if (sqlState !== undefined) w.uint8(0x23).string(sqlState)
  return w.string(message).toBuffer()
}

export function eof(status = 2, warnings = 0): Buffer {
  return new ByteWriter().uint8(0xfe).uint16LE(warnings).uint16LE(status).toBuffer()
}

export interface ColumnSpec {
  name: string
  type: number
  flags?: number
  collation?: number
  length?: number
  decimals?: number
  table?: string
  format?: string
  extendedType?: string
}

export function column(c: ColumnSpec, extended = false): Buffer {
  const w = new ByteWriter()
  for (const s of ['def', 'covet', c.table ?? 't', c.table ?? 't', c.name, c.name]) w.lengthEncodedString(s)
  if (extended) {
    const info = new ByteWriter()
    if (c.extendedType !== undefined) info.uint8(0).lengthEncodedString(c.extendedType)
    if (c.format !== undefined) info.uint8(1).lengthEncodedString(c.format)
    w.lengthEncodedInt(info.length).bytes(info.view())
  }
  w.uint8(0x0c)
    .uint16LE(c.collation ?? 45)
    .uint32LE(c.length ?? 11)
    .uint8(c.type)
  w.uint16LE(c.flags ?? 0)
    .uint8(c.decimals ?? 0)
    .uint16LE(0)
  return w.toBuffer()
}

/** A text row: each value string<lenenc>, null as 0xFB. */
export function textRow(values: (string | Buffer | null)[]): Buffer {
  return Buffer.concat(values.map((v) => (v === null ? Buffer.from([0xfb]) : lenencString(v))))
}

export function prepareOk(id: number, columns: number, params: number, warnings = 0): Buffer {
  return new ByteWriter()
    .uint8(0)
    .uint32LE(id)
    .uint16LE(columns)
    .uint16LE(params)
    .uint8(0)
    .uint16LE(warnings)
    .toBuffer()
}

/** Frames payloads as one exchange: sequence ids from `firstSeq` on. */
export function frame(payloads: Buffer[], firstSeq = 1): Buffer {
  const w = new ByteWriter()
  let seq = firstSeq
  for (const p of payloads) seq = writePacket(w, seq, p)
  return w.toBuffer()
}

/** A deterministic PRNG (mulberry32) for seeded fuzzing. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Records every handler call as a plain value. */
export function recorder(): ResponseHandler & { events: unknown[] } {
  const events: unknown[] = []
  return {
    events,
    onColumns: (c) => events.push(['columns', c?.map((x) => [x.name, x.type, x.format ?? null]) ?? null]),
    onRow: (p) => events.push(['row', p.toString('hex')]),
    onResult: (o) => events.push(['result', o]),
    onError: (e) => events.push(['error', e]),
    onLocalInfile: (f) => events.push(['infile', f]),
    onPrepared: (p, params, cols) =>
      events.push(['prepared', p, params.map((x) => x.name), cols.map((x) => x.name)]),
  }
}
