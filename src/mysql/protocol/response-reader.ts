import { ProtocolError } from '../../errors/classes.js'
import { ByteReader } from '../../internal/byte-reader.js'
import { type ColumnDefinition, parseColumnDefinition } from './columns.js'
import { ServerStatus } from './constants.js'
import {
  ERR_HEADER,
  type ErrPacket,
  isEndOfRows,
  LOCAL_INFILE_HEADER,
  OK_HEADER,
  type OkPacket,
  type PrepareOk,
  parseEndOfRows,
  parseEof,
  parseErr,
  parseLocalInfileRequest,
  parseOk,
  parsePrepareOk,
} from './messages.js'

/**
 * The answer to one command as a state machine over payloads (sans I/O): the connection feeds each
 * payload to the reader of the command at the head of its queue, which calls its handler and says
 * when the answer is complete. Shapes ("Result Set Packets", "COM_STMT_PREPARE response"):
 *
 *   result   := OK | ERR | LOCAL_INFILE (file sent) (OK | ERR)
 *             | column count, column definition × n, [EOF], row*, (EOF-or-OK | ERR)
 *   response := result, and another result while SERVER_MORE_RESULTS_EXISTS is set
 *   prepare  := ERR | PREPARE_OK, param definition × p, [EOF], column definition × c, [EOF]
 *
 * [EOF] is absent under CLIENT_DEPRECATE_EOF, and the end of rows is then an OK with header 0xFE.
 * An ERR may also end a result set mid-rows (a KILL QUERY, a statement timeout): it ends the
 * response. A cursor opened by COM_STMT_EXECUTE answers with the column definitions and an end
 * marker whose status has SERVER_STATUS_CURSOR_EXISTS; COM_STMT_FETCH answers rows and an end marker.
 */

export interface ResponseContext {
  deprecateEof: boolean
  sessionTrack: boolean
  /** MARIADB_CLIENT_EXTENDED_METADATA agreed: column definitions carry type info. */
  extendedMetadata: boolean
  /** MARIADB_CLIENT_CACHE_METADATA agreed: a column count is followed by a metadata-follows byte. */
  cacheMetadata: boolean
}

export interface ResponseHandler {
  /** A result set starts; `undefined` when the server skipped metadata it sent at PREPARE. */
  onColumns(columns: ColumnDefinition[] | undefined): void
  onRow(payload: Buffer): void
  /** One result ended: an OK (no result set) or the end of a result set's rows. */
  onResult(ok: OkPacket): void
  onError(error: ErrPacket): void
  /** The server asks for a LOCAL INFILE: the connection must send the file (or an empty packet). */
  onLocalInfile(filename: string): void
  onPrepared(prepared: PrepareOk, params: ColumnDefinition[], columns: ColumnDefinition[]): void
}

/** What the command was: it decides the shape of its answer. */
export type ResponseKind = 'query' | 'execute' | 'fetch' | 'prepare' | 'ok'

enum State {
  Start,
  Columns,
  ColumnsEof,
  Rows,
  Infile,
  PrepareParams,
  PrepareParamsEof,
  PrepareColumns,
  PrepareColumnsEof,
  Done,
}

/** MySQL's limit is 4096 columns per table; a count far beyond it is garbage, not a result. */
const MAX_COLUMNS = 0xffff

export class ResponseReader {
  #state: State
  #left = 0
  #columns: ColumnDefinition[] = []
  #params: ColumnDefinition[] = []
  #prepared: PrepareOk | undefined

  constructor(
    readonly kind: ResponseKind,
    readonly context: ResponseContext,
    readonly handler: ResponseHandler,
  ) {
    this.#state = kind === 'fetch' ? State.Rows : State.Start
  }

  get done(): boolean {
    return this.#state === State.Done
  }

  /** Feeds the next payload; returns true once the answer is complete. */
  push(payload: Buffer): boolean {
    const ctx = this.context
    if (payload.length === 0) throw new ProtocolError('empty packet in a server response')
    if (this.#state === State.Done) throw new ProtocolError('packet after the end of a response')
    const first = payload[0]!
    if (first === ERR_HEADER) {
      this.handler.onError(parseErr(payload))
      return this.#finish()
    }
    switch (this.#state) {
      case State.Start:
        if (this.kind === 'prepare') return this.#prepareOk(payload)
        if (first === OK_HEADER) return this.#result(parseOk(payload, ctx.sessionTrack))
        if (this.kind === 'ok') throw new ProtocolError(`unexpected packet 0x${hex(first)}, expected OK`)
        if (first === LOCAL_INFILE_HEADER && this.kind === 'query') {
          this.#state = State.Infile
          this.handler.onLocalInfile(parseLocalInfileRequest(payload))
          return false
        }
        return this.#columnCount(payload)
      case State.Columns:
        this.#columns.push(parseColumnDefinition(payload, ctx.extendedMetadata))
        if (--this.#left === 0) this.#columnsDone()
        return false
      case State.ColumnsEof: {
        const eof = this.#eof(payload)
        // A cursor opened by COM_STMT_EXECUTE: no rows follow, COM_STMT_FETCH asks for them.
        if (eof.status & ServerStatus.CURSOR_EXISTS) return this.#result(eofResult(eof))
        this.#state = State.Rows
        return false
      }
      case State.Rows:
        if (isEndOfRows(payload, ctx.deprecateEof)) {
          return this.#result(parseEndOfRows(payload, ctx.deprecateEof, ctx.sessionTrack))
        }
        this.handler.onRow(payload)
        return false
      case State.Infile:
        if (first !== OK_HEADER) throw new ProtocolError('unexpected packet after LOCAL INFILE data')
        return this.#result(parseOk(payload, ctx.sessionTrack))
      case State.PrepareParams:
        this.#params.push(parseColumnDefinition(payload, ctx.extendedMetadata))
        if (--this.#left > 0) return false
        if (ctx.deprecateEof) return this.#toColumns()
        this.#state = State.PrepareParamsEof
        return false
      case State.PrepareParamsEof:
        this.#eof(payload)
        return this.#toColumns()
      case State.PrepareColumns:
        this.#columns.push(parseColumnDefinition(payload, ctx.extendedMetadata))
        if (--this.#left > 0) return false
        if (ctx.deprecateEof) return this.#prepareDone()
        this.#state = State.PrepareColumnsEof
        return false
      case State.PrepareColumnsEof:
        this.#eof(payload)
        return this.#prepareDone()
    }
    throw new ProtocolError('response reader in an impossible state')
  }

  #columnCount(payload: Buffer): boolean {
    const r = new ByteReader(payload)
    const count = r.lengthEncodedInt()
    if (typeof count !== 'number' || count < 1 || count > MAX_COLUMNS) {
      throw new ProtocolError(`bad result set column count ${String(count)}`)
    }
    // "if (MARIADB_CLIENT_CACHE_METADATA capability set) int<1> metadata follows": in every result
    // set (MariaDB 10.11 sends it for COM_QUERY too); only COM_STMT_EXECUTE's may say 0.
    const metadataFollows = this.context.cacheMetadata ? r.uint8() !== 0 : true
    if (r.remaining !== 0) throw new ProtocolError('trailing bytes after a column count')
    this.#columns = []
    if (!metadataFollows) {
      this.handler.onColumns(undefined)
      this.#state = this.context.deprecateEof ? State.Rows : State.ColumnsEof
      return false
    }
    this.#left = count
    this.#state = State.Columns
    return false
  }

  #columnsDone(): void {
    this.handler.onColumns(this.#columns)
    this.#state = this.context.deprecateEof ? State.Rows : State.ColumnsEof
  }

  #result(ok: OkPacket): boolean {
    this.handler.onResult(ok)
    if (ok.status & ServerStatus.MORE_RESULTS_EXISTS && this.kind !== 'fetch') {
      this.#state = State.Start
      return false
    }
    return this.#finish()
  }

  #prepareOk(payload: Buffer): boolean {
    if (payload[0] !== OK_HEADER)
      throw new ProtocolError(`unexpected packet 0x${hex(payload[0]!)}, expected PREPARE_OK`)
    const prepared = parsePrepareOk(payload)
    this.#prepared = prepared
    this.#params = []
    this.#columns = []
    if (prepared.paramCount > 0) {
      this.#left = prepared.paramCount
      this.#state = State.PrepareParams
      return false
    }
    return this.#toColumns()
  }

  /** After the parameter definitions: the column definitions, or the end when there are none. */
  #toColumns(): boolean {
    const columns = this.#prepared!.columnCount
    if (columns === 0) return this.#prepareDone()
    this.#left = columns
    this.#state = State.PrepareColumns
    return false
  }

  #prepareDone(): boolean {
    this.handler.onPrepared(this.#prepared!, this.#params, this.#columns)
    return this.#finish()
  }

  #eof(payload: Buffer): ReturnType<typeof parseEof> {
    if (!isEndOfRows(payload, false))
      throw new ProtocolError(`expected an EOF packet, got 0x${hex(payload[0]!)}`)
    return parseEof(payload)
  }

  #finish(): true {
    this.#state = State.Done
    return true
  }
}

function eofResult(eof: { warnings: number; status: number }): OkPacket {
  return { affectedRows: 0, insertId: 0, status: eof.status, warnings: eof.warnings, info: '' }
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0')
}
