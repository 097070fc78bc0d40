import { ProtocolError } from '../../errors/classes.js'
import { ByteReader } from '../../internal/byte-reader.js'
import { MAX_PACKET_PAYLOAD } from './constants.js'

/**
 * Server response packets ("4 - Server Response Packets",
 * https://mariadb.com/docs/server/reference/clientserver-protocol/4-server-response-packets):
 * OK_Packet, ERR_Packet, EOF_Packet, the column definition of a result set, COM_STMT_PREPARE's
 * answer and the LOCAL INFILE request. Payloads only; framing is packets.ts.
 */

export interface OkPacket {
  affectedRows: number | bigint
  /** LAST_INSERT_ID() of the statement; 0 when none. */
  insertId: number | bigint
  status: number
  warnings: number
  info: string
}

export interface ErrPacket {
  errno: number
  /** Five characters, e.g. '23000'; undefined for errors sent before the protocol is agreed. */
  sqlState: string | undefined
  message: string
}

export interface EofPacket {
  warnings: number
  status: number
}

/** The first byte of a packet tells its kind where several may come ("4 - Server Response Packets"). */
export const OK_HEADER = 0x00
export const EOF_HEADER = 0xfe
export const ERR_HEADER = 0xff
export const LOCAL_INFILE_HEADER = 0xfb

/** OK_Packet, with header 0x00 or (ending a result set under CLIENT_DEPRECATE_EOF) 0xFE. */
export function parseOk(payload: Buffer, sessionTrack: boolean): OkPacket {
  const r = new ByteReader(payload, 1)
  const affectedRows = lenencNumber(r)
  const insertId = lenencNumber(r)
  const status = r.remaining >= 2 ? r.uint16LE() : 0
  const warnings = r.remaining >= 2 ? r.uint16LE() : 0
  let info = ''
  if (r.remaining > 0) {
    // With CLIENT_SESSION_TRACK the info is string<lenenc> (then session state); else string<EOF>.
    info = sessionTrack ? (r.lengthEncodedString() ?? '') : r.rest().toString('utf8')
  }
  return { affectedRows, insertId, status, warnings, info }
}

/** ERR_Packet: int<2> errno, ['#' + string<5> SQLSTATE], string<EOF> message. */
export function parseErr(payload: Buffer): ErrPacket {
  const r = new ByteReader(payload, 1)
  const errno = r.uint16LE()
  // 0xFFFF is a progress report, sent only to clients asking for MARIADB_CLIENT_PROGRESS.
  if (errno === 0xffff) throw new ProtocolError('the server sent a progress report covet did not ask for')
  let sqlState: string | undefined
  if (r.remaining >= 6 && payload[r.offset] === 0x23 /* '#' */) {
    r.skip(1)
    sqlState = r.string(5, 'latin1')
  }
  return { errno, sqlState, message: r.rest().toString('utf8') }
}

/** EOF_Packet (without CLIENT_DEPRECATE_EOF): 0xFE, int<2> warnings, int<2> status. */
export function parseEof(payload: Buffer): EofPacket {
  const r = new ByteReader(payload, 1)
  return { warnings: r.uint16LE(), status: r.uint16LE() }
}

/**
 * True when `payload` ends a row sequence. 0xFE also starts a text row whose first value is at
 * least 2^24 bytes long (its int<lenenc> prefix), so the length decides: such a row never fits
 * one short packet ("Result Set Packets": "check that the packet length is less than 0xFFFFFF").
 * Without CLIENT_DEPRECATE_EOF the marker is an EOF_Packet, under 9 bytes.
 */
export function isEndOfRows(payload: Buffer, deprecateEof: boolean): boolean {
  if (payload[0] !== EOF_HEADER) return false
  return deprecateEof ? payload.length < MAX_PACKET_PAYLOAD : payload.length < 9
}

/** An OK-or-EOF that ends a row sequence, as one shape. */
export function parseEndOfRows(payload: Buffer, deprecateEof: boolean, sessionTrack: boolean): OkPacket {
  if (deprecateEof) return parseOk(payload, sessionTrack)
  const eof = parseEof(payload)
  return { affectedRows: 0, insertId: 0, status: eof.status, warnings: eof.warnings, info: '' }
}

/** COM_STMT_PREPARE's first answer packet ("COM_STMT_PREPARE response"). */
export interface PrepareOk {
  statementId: number
  columnCount: number
  paramCount: number
  warnings: number
}

export function parsePrepareOk(payload: Buffer): PrepareOk {
  const r = new ByteReader(payload, 1)
  const statementId = r.uint32LE()
  const columnCount = r.uint16LE()
  const paramCount = r.uint16LE()
  r.skip(1)
  const warnings = r.remaining >= 2 ? r.uint16LE() : 0
  return { statementId, columnCount, paramCount, warnings }
}

/** LOCAL INFILE Packet: 0xFB, then the file name the statement named (string<EOF>). */
export function parseLocalInfileRequest(payload: Buffer): string {
  return payload.toString('utf8', 1)
}

/** int<lenenc> that must not be the NULL marker (counts and ids). */
export function lenencNumber(r: ByteReader): number | bigint {
  const n = r.lengthEncodedInt()
  if (n === null) throw new ProtocolError('unexpected NULL where a length-encoded integer was expected')
  return n
}
