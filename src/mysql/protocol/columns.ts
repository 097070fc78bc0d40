import { ProtocolError } from '../../errors/classes.js'
import { ByteReader } from '../../internal/byte-reader.js'

/**
 * Column Definition Packet ("Result Set Packets", column definition packet,
 * https://mariadb.com/docs/server/reference/clientserver-protocol/4-server-response-packets/result-set-packets):
 * string<lenenc> catalog, schema, table alias, table, column alias, column; with
 * MARIADB_CLIENT_EXTENDED_METADATA a block of extended type info (0x00 type name, 0x01 format);
 * then int<lenenc> 0x0C and the fixed fields: int<2> collation, int<4> max length, int<1> type,
 * int<2> flags, int<1> decimals, int<2> unused.
 */
export interface ColumnDefinition {
  schema: string
  /** The table alias as written in the query ('' for an expression). */
  table: string
  /** The underlying table. */
  orgTable: string
  /** The column alias: the name a row object uses. */
  name: string
  /** The underlying column. */
  orgName: string
  /** Collation id; 63 (binary) means bytes, not text. */
  collation: number
  /** Maximum display length in bytes. */
  length: number
  /** ColumnType. */
  type: number
  /** ColumnFlag bits. */
  flags: number
  decimals: number
  /** MariaDB extended type name, e.g. 'point' for a GEOMETRY column; undefined when not sent. */
  extendedType: string | undefined
  /** MariaDB extended format, e.g. 'json' for a JSON column (a LONGTEXT to the protocol). */
  format: string | undefined
}

function lenencText(r: ByteReader): string {
  const s = r.lengthEncodedString()
  if (s === null) throw new ProtocolError('column definition: unexpected NULL string')
  return s
}

function skipLenenc(r: ByteReader): void {
  if (r.lengthEncodedBytes() === null) throw new ProtocolError('column definition: unexpected NULL string')
}

/** Parses one column definition; `extendedMetadata` when MARIADB_CLIENT_EXTENDED_METADATA is agreed. */
export function parseColumnDefinition(payload: Buffer, extendedMetadata: boolean): ColumnDefinition {
  const r = new ByteReader(payload)
  skipLenenc(r) // catalog, always 'def'
  const schema = lenencText(r)
  const table = lenencText(r)
  const orgTable = lenencText(r)
  const name = lenencText(r)
  const orgName = lenencText(r)
  let extendedType: string | undefined
  let format: string | undefined
  if (extendedMetadata) {
    const block = r.lengthEncodedBytes()
    if (block === null) throw new ProtocolError('column definition: NULL extended type info')
    const e = new ByteReader(block)
    while (e.remaining > 0) {
      const kind = e.uint8()
      const value = lenencText(e)
      if (kind === 0) extendedType = value
      else if (kind === 1) format = value
    }
  }
  const fixedLength = r.lengthEncodedInt()
  if (fixedLength !== 0x0c) {
    throw new ProtocolError(`column definition: fixed-field length ${String(fixedLength)}, expected 12`)
  }
  const collation = r.uint16LE()
  const length = r.uint32LE()
  const type = r.uint8()
  const flags = r.uint16LE()
  const decimals = r.uint8()
  r.skip(2)
  return {
    schema,
    table,
    orgTable,
    name,
    orgName,
    collation,
    length,
    type,
    flags,
    decimals,
    extendedType,
    format,
  }
}
