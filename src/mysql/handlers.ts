import { ProtocolError, QueryError } from '../errors/classes.js'
import { CovetError, isCovetError } from '../errors/covet-error.js'
import type { PendingCommand } from './pending.js'
import type { ColumnDefinition } from './protocol/columns.js'
import { ServerStatus } from './protocol/constants.js'
import type { ErrPacket, OkPacket, PrepareOk } from './protocol/messages.js'
import type { ResponseHandler } from './protocol/response-reader.js'
import { binaryDecoder, type PreparedStatement, sameColumns } from './statements.js'
import { columnCodec } from './types/codecs.js'
import type { ResolvedTypeOptions } from './types/options.js'
import { compileTextRowDecoder, type RowDecoder, type RowMode } from './types/row-decoder.js'

/**
 * Consumers of one command's answer (protocol/response-reader.ts calls them): they decode rows,
 * count result bytes against maxResultBytes and keep what the command resolves with. The pipeline
 * reads `error`/`result` once the reader says the answer is complete.
 */

/** Rows plus the statement's outcome, as query() and execute() return them. */
export type MySqlResult<T> = T[] & {
  affectedRows: number | bigint
  insertId: number | bigint
  warnings: number
  info: string
  fields: ColumnDefinition[]
}

export interface DecodeContext {
  types: ResolvedTypeOptions
  rowMode: RowMode
}

export function makeResult<T>(
  rows: T[],
  ok: OkPacket | undefined,
  fields: ColumnDefinition[],
): MySqlResult<T> {
  const result = rows as MySqlResult<T>
  result.affectedRows = ok?.affectedRows ?? 0
  result.insertId = ok?.insertId ?? 0
  result.warnings = ok?.warnings ?? 0
  result.info = ok?.info ?? ''
  result.fields = fields
  return result
}

/** Compiled text decoders by column shape: repeated text queries do not compile again. */
const textDecoders = new Map<string, RowDecoder>()

function textDecoder(columns: ColumnDefinition[], ctx: DecodeContext): RowDecoder {
  const t = ctx.types
  let key = `${ctx.rowMode}|${t.bigint}|${t.decimal}|${t.datetime}|${t.date}|${t.json}|${t.bitOneAsBoolean}|${t.tzOffsetMs}`
  for (const c of columns)
    key += `|${c.name}\0${c.type}\0${c.flags}\0${c.collation}\0${c.length}\0${c.format}`
  let decoder = textDecoders.get(key)
  if (decoder === undefined) {
    if (textDecoders.size >= 256) textDecoders.clear()
    decoder = compileTextRowDecoder(
      columns,
      columns.map((c) => columnCodec(c, t)),
      ctx.rowMode,
    )
    textDecoders.set(key, decoder)
  }
  return decoder
}

abstract class BaseHandler implements ResponseHandler {
  error: ErrPacket | undefined
  constructor(readonly command: PendingCommand | undefined) {}
  onColumns(_columns: ColumnDefinition[] | undefined): void {
    throw new ProtocolError('unexpected result set')
  }
  onRow(_payload: Buffer): void {
    throw new ProtocolError('unexpected row')
  }
  onResult(_ok: OkPacket): void {}
  onError(error: ErrPacket): void {
    this.error = error
  }
  onLocalInfile(_filename: string): void {
    throw new ProtocolError('unexpected LOCAL INFILE request')
  }
  onPrepared(_p: PrepareOk, _params: ColumnDefinition[], _columns: ColumnDefinition[]): void {
    throw new ProtocolError('unexpected PREPARE answer')
  }
}

/** COM_PING, COM_RESET_CONNECTION, COM_STMT_RESET: OK or ERR. */
export class OkHandler extends BaseHandler {
  ok: OkPacket | undefined
  override onResult(ok: OkPacket): void {
    this.ok = ok
  }
}

/** COM_STMT_PREPARE's answer. */
export class PrepareHandler extends BaseHandler {
  prepared: { ok: PrepareOk; params: ColumnDefinition[]; columns: ColumnDefinition[] } | undefined
  override onPrepared(ok: PrepareOk, params: ColumnDefinition[], columns: ColumnDefinition[]): void {
    this.prepared = { ok, params, columns }
  }
}

/**
 * Rows of COM_QUERY (text), COM_STMT_EXECUTE and COM_STMT_FETCH (binary). A statement answering
 * several results (CALL, multi-statements) resolves with the last result set that has columns, or
 * the last OK when none has.
 */
export class RowsHandler extends BaseHandler {
  rows: unknown[] = []
  fields: ColumnDefinition[] = []
  ok: OkPacket | undefined
  /** The last complete result set with columns. */
  lastSet: { rows: unknown[]; fields: ColumnDefinition[]; ok: OkPacket } | undefined
  /** A cursor was opened (COM_STMT_EXECUTE with a cursor flag): no rows came, COM_STMT_FETCH gets them. */
  cursorOpened = false
  /**
   * An EXECUTE(-1) whose PREPARE failed: its answer belongs to no command. Usually it is "unknown
   * statement" (1243), but after ER_MAX_PREPARED_STMT_COUNT_REACHED MariaDB 10.11 executes the
   * statement prepared before instead; its rows are read and dropped, never returned.
   */
  orphaned = false
  resultBytes = 0
  #decoder: RowDecoder | undefined
  #inSet = false

  constructor(
    command: PendingCommand,
    readonly protocol: 'text' | 'binary',
    readonly ctx: DecodeContext,
    /** binary: the statement executed; filled in later for PREPARE + EXECUTE(-1) pipelining. */
    public statement: PreparedStatement | undefined,
    readonly onInfile: (handler: RowsHandler, filename: string) => void = () => {
      throw new ProtocolError('unexpected LOCAL INFILE request')
    },
  ) {
    super(command)
    if (command.fetch !== undefined) {
      this.#decoder = command.fetch.decoder
      this.#inSet = true
    }
  }

  override onColumns(columns: ColumnDefinition[] | undefined): void {
    this.#inSet = true
    this.rows = []
    if (this.orphaned) return
    if (this.protocol === 'text') {
      if (columns === undefined) throw new ProtocolError('a text result set without column definitions')
      this.fields = columns
      this.#decoder = textDecoder(columns, this.ctx)
      return
    }
    const st = this.statement
    if (columns === undefined) {
      // MARIADB_CLIENT_CACHE_METADATA: the columns did not change since PREPARE.
      if (st === undefined) throw new ProtocolError('metadata skipped for a statement that was not prepared')
      this.fields = st.columns
      this.#decoder = st.decoder
      return
    }
    this.fields = columns
    if (st !== undefined && sameColumns(columns, st.columns) && st.decoder !== undefined) {
      this.#decoder = st.decoder
      return
    }
    // The columns changed (DDL since PREPARE), or the statement is not known: decode by what was sent.
    this.#decoder = binaryDecoder(columns, this.ctx.types, this.ctx.rowMode)
    if (st !== undefined) {
      st.columns = columns
      st.decoder = this.#decoder
    }
  }

  override onRow(payload: Buffer): void {
    const c = this.command!
    if (c.settled || this.orphaned) return
    this.resultBytes += payload.length
    if (this.resultBytes > c.maxResultBytes) {
      this.rows = []
      c.fail(
        new QueryError(
          'ERR_RESULT_TOO_LARGE',
          `the result exceeds maxResultBytes (${c.maxResultBytes} bytes)`,
        ),
        true,
      )
      return
    }
    let row: unknown
    try {
      row = this.#decoder!(payload)
    } catch (err) {
      // A value that cannot be decoded fails the query; the rest of its rows are read and dropped.
      if (err instanceof ProtocolError) throw err
      c.fail(
        isCovetError(err)
          ? err
          : new CovetError('ERR_TYPE_DECODE', 'a value could not be decoded', { cause: err }),
      )
      return
    }
    if (c.sink === undefined) this.rows.push(row)
    else c.sink.push(row)
  }

  override onResult(ok: OkPacket): void {
    this.ok = ok
    if (this.#inSet) {
      if (ok.status & ServerStatus.CURSOR_EXISTS && this.command?.fetch === undefined)
        this.cursorOpened = true
      this.lastSet = { rows: this.rows, fields: this.fields, ok }
      this.#inSet = false
      this.rows = []
    }
  }

  override onLocalInfile(filename: string): void {
    this.onInfile(this, filename)
  }
}
