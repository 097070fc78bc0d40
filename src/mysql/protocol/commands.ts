import type { ByteWriter } from '../../internal/byte-writer.js'
import { type ParamType, paramType, UNSIGNED_PARAM, writeParam } from '../types/params.js'
import { ColumnType, Command } from './constants.js'
import { beginPacket, endPacket } from './packets.js'

/**
 * Command-phase requests ("2 - Text Protocol", "3 - Binary Protocol (Prepared Statements)",
 * https://mariadb.com/docs/server/reference/clientserver-protocol/). Each command starts a new
 * exchange, so its first packet has sequence id 0. Every writer appends a complete packet (or,
 * past 16 MiB, packets) to the caller's ByteWriter and writes nothing when it throws.
 */

function simple(w: ByteWriter, command: number): void {
  const start = beginPacket(w)
  w.uint8(command)
  endPacket(w, start, 0)
}

/** Runs `write` as one packet; on a throw the partly written packet is removed. */
function packet(w: ByteWriter, write: () => void): void {
  const start = beginPacket(w)
  try {
    write()
  } catch (err) {
    w.truncate(start)
    throw err
  }
  endPacket(w, start, 0)
}

/** COM_QUERY: 0x03, string<EOF> the statement text. */
export function writeQuery(w: ByteWriter, sql: string): void {
  const start = beginPacket(w)
  w.uint8(Command.QUERY).string(sql)
  endPacket(w, start, 0)
}

/** COM_STMT_PREPARE: 0x16, string<EOF> the statement text. */
export function writePrepare(w: ByteWriter, sql: string): void {
  const start = beginPacket(w)
  w.uint8(Command.STMT_PREPARE).string(sql)
  endPacket(w, start, 0)
}

/** COM_STMT_CLOSE: 0x19, int<4> statement id. The server sends no answer. */
export function writeStmtClose(w: ByteWriter, statementId: number): void {
  const start = beginPacket(w)
  w.uint8(Command.STMT_CLOSE).uint32LE(statementId)
  endPacket(w, start, 0)
}

/** COM_STMT_RESET: 0x1A, int<4> statement id (closes its cursor, drops long data). Answer: OK/ERR. */
export function writeStmtReset(w: ByteWriter, statementId: number): void {
  const start = beginPacket(w)
  w.uint8(Command.STMT_RESET).uint32LE(statementId)
  endPacket(w, start, 0)
}

/** COM_STMT_FETCH: 0x1C, int<4> statement id, int<4> rows to fetch from its open cursor. */
export function writeStmtFetch(w: ByteWriter, statementId: number, rows: number): void {
  const start = beginPacket(w)
  w.uint8(Command.STMT_FETCH).uint32LE(statementId).uint32LE(rows)
  endPacket(w, start, 0)
}

/** COM_PING (answer: OK). */
export function writePing(w: ByteWriter): void {
  simple(w, Command.PING)
}

/** COM_QUIT: the server closes the connection without an answer. */
export function writeQuit(w: ByteWriter): void {
  simple(w, Command.QUIT)
}

/** COM_RESET_CONNECTION: session state back to just after authentication (MariaDB 10.2.4+, MySQL 5.7.3+). */
export function writeResetConnection(w: ByteWriter): void {
  simple(w, Command.RESET_CONNECTION)
}

/**
 * COM_STMT_EXECUTE ("COM_STMT_EXECUTE"): 0x17, int<4> statement id, int<1> cursor flags, int<4>
 * iteration count (1); with parameters the NULL bitmap, int<1> 1 ("send types"), a type and a flag
 * byte per parameter (0x80 unsigned), then the values of the non-NULL ones. Types are sent on
 * every execution: they follow the values, which may change type between calls.
 * `statementId` 0xFFFFFFFF executes the statement prepared just before (MariaDB 10.2+).
 * COM_STMT_BULK_EXECUTE and multi-row executions (bulkInsert) are bulk.ts and multi-row.ts.
 */
export function writeStmtExecute(
  w: ByteWriter,
  statementId: number,
  cursorType: number,
  params: readonly unknown[],
  tzOffsetMs: number,
): void {
  packet(w, () => {
    w.uint8(Command.STMT_EXECUTE).uint32LE(statementId).uint8(cursorType).uint32LE(1)
    const n = params.length
    if (n === 0) return
    const types = scratchTypes
    types.length = n
    for (let i = 0; i < n; i++) types[i] = paramType(params[i], i)
    for (let byte = 0; byte < n; byte += 8) {
      let bits = 0
      for (let i = byte; i < byte + 8 && i < n; i++) if (types[i] === ColumnType.NULL) bits |= 1 << (i - byte)
      w.uint8(bits)
    }
    w.uint8(1)
    for (let i = 0; i < n; i++) w.uint8(types[i]! & 0xff).uint8(types[i]! & UNSIGNED_PARAM ? 0x80 : 0)
    for (let i = 0; i < n; i++) {
      if (types[i] !== ColumnType.NULL) writeParam(w, params[i], types[i]!, i, tzOffsetMs)
    }
  })
}

/** Reused by every execute (writers are synchronous): no array allocated per call. */
const scratchTypes: ParamType[] = []
