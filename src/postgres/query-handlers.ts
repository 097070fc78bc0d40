import { QueryError } from '../errors/classes.js'
import { type ResultCodec, type TypeCodecs, withParameterPosition } from './codecs.js'
import type { BackendMessage, DataRowMessage, FieldDescription, ServerFields } from './protocol/messages.js'
import type { PendingQuery, PreparedStatement } from './query-types.js'
import { compileRowDecoder, type RowDecoder, type RowMode } from './row-decoder.js'

/**
 * Consumers of the responses to one batch of frontend messages, each ended by a Sync and so by a
 * ReadyForQuery (§55.2.3 "Extended Query", §55.2.2 "Simple Query"). The connection keeps them in a
 * FIFO in the order the batches were written; `handle()` returns true on ReadyForQuery.
 */
export interface ResponseHandler {
  readonly query: PendingQuery | undefined
  handle(msg: BackendMessage): boolean
}

/** Rows plus the statement's outcome, as `query()` returns them. */
export type QueryResult<T> = T[] & { rowCount: number | null; command: string; fields: FieldDescription[] }

export function makeResult<T>(rows: T[], tag: string, fields: FieldDescription[]): QueryResult<T> {
  // "INSERT 0 5", "SELECT 3", "CREATE TABLE": the trailing number, when there is one, is the count.
  const space = tag.lastIndexOf(' ')
  const last = space < 0 ? '' : tag.slice(space + 1)
  const counted = /^\d+$/.test(last)
  const result = rows as QueryResult<T>
  result.rowCount = counted ? Number(last) : null
  result.command = tag.split(' ', 1)[0] ?? ''
  result.fields = fields
  return result
}

/** Answers Parse + Describe(S) + Sync: ParseComplete, ParameterDescription, RowDescription | NoData. */
export class DescribeHandler implements ResponseHandler {
  paramTypes: number[] = []
  fields: FieldDescription[] = []
  error: ServerFields | undefined
  constructor(
    readonly query: PendingQuery,
    readonly name: string,
    readonly onDone: (handler: DescribeHandler) => void,
  ) {}

  handle(msg: BackendMessage): boolean {
    switch (msg.type) {
      case 'ParameterDescription':
        this.paramTypes = msg.typeOids
        break
      case 'RowDescription':
        this.fields = msg.fields
        break
      case 'ErrorResponse':
        this.error = msg.fields
        break
      case 'ReadyForQuery':
        this.onDone(this)
        return true
    }
    return false
  }
}

/** Resolves the codecs and the compiled decoder of a freshly described statement. */
export function buildStatement(
  name: string,
  sql: string,
  paramTypes: number[],
  described: FieldDescription[],
  codecs: TypeCodecs,
  rowMode: RowMode,
): PreparedStatement {
  const resultCodecs: ResultCodec[] = described.map((f) => codecs.preferredResult(f.typeOid))
  const fields = described.map((f, i) => ({ ...f, format: resultCodecs[i]!.format }))
  // Each value is encoded by its DESCRIBED type (issue 4: no guessing from the JS value).
  const paramCodecs = paramTypes.map((oid, i) => withParameterPosition(codecs.param(oid), i))
  return {
    name,
    sql,
    paramTypes,
    paramCodecs,
    paramFormats: paramCodecs.map((c) => c.format),
    fields,
    resultFormats: resultCodecs.map((c) => c.format),
    decoder: described.length > 0 ? compileRowDecoder(fields, resultCodecs, rowMode) : undefined,
    bytes: sql.length * 2 + 200 + described.length * 120,
  }
}

/** Shared result accumulation with the maxResultBytes cap. */
export abstract class RowCollector implements ResponseHandler {
  rows: unknown[] = []
  tag = ''
  error: ServerFields | undefined
  resultBytes = 0
  constructor(readonly query: PendingQuery) {}

  abstract handle(msg: BackendMessage): boolean

  protected addRow(decoder: RowDecoder | undefined, columns: number, msg: DataRowMessage): void {
    const q = this.query
    if (q.settled) return
    // The compiled decoder reads one value per described column, trusting the parser's walk of
    // the row: a row of another width would be read past its end. The unnamed statement can be
    // re-parsed after DDL since its Describe (prepare: false), so this fails the query, not the
    // stream (the row itself was framed correctly).
    if (msg.columnCount !== columns) {
      this.rows = []
      q.fail(
        new QueryError(
          'ERR_TYPE_DECODE',
          `a row has ${msg.columnCount} columns, the statement was described with ${columns}`,
        ),
      )
      return
    }
    this.resultBytes += msg.byteLength
    if (this.resultBytes > q.maxResultBytes) {
      this.#tooLarge()
      return
    }
    if (decoder === undefined) return
    try {
      if (q.sink === undefined) this.rows.push(decoder(msg.buffer, msg.start))
      else q.sink.push(decoder(msg.buffer, msg.start))
    } catch (cause) {
      // A codec or a user's parser threw: only this query fails. The rest of its result still
      // arrives and is dropped (q.settled), so the stream stays in step for the queries behind it.
      this.rows = []
      q.fail(
        new QueryError('ERR_TYPE_DECODE', 'a row of the result could not be decoded (see cause)', { cause }),
      )
    }
  }

  /**
   * A DataRow of `byteLength` bytes is about to arrive: true when it must be skipped unbuffered,
   * because the query has settled (its rows are dropped anyway) or because it would exceed
   * maxResultBytes (the query fails now, before the row is in memory).
   */
  refuse(byteLength: number): boolean {
    const q = this.query
    if (q.settled) return true
    if (this.resultBytes + byteLength <= q.maxResultBytes) return false
    this.#tooLarge()
    return true
  }

  #tooLarge(): void {
    const q = this.query
    this.rows = []
    q.fail(
      new QueryError('ERR_RESULT_TOO_LARGE', `the result exceeds maxResultBytes (${q.maxResultBytes} bytes)`),
      true,
    )
  }
}

/** Answers [Parse] + Bind + Execute + Sync on a described statement. */
export class ExecuteHandler extends RowCollector {
  constructor(
    query: PendingQuery,
    readonly statement: PreparedStatement,
    readonly onDone: (handler: ExecuteHandler) => void,
    readonly onCopyIn: () => void,
  ) {
    super(query)
  }

  handle(msg: BackendMessage): boolean {
    switch (msg.type) {
      case 'DataRow':
        this.addRow(this.statement.decoder, this.statement.fields.length, msg)
        break
      case 'CopyInResponse':
        this.onCopyIn()
        break
      case 'CommandComplete':
        this.tag = msg.tag
        break
      case 'ErrorResponse':
        this.error = msg.fields
        break
      case 'ReadyForQuery':
        this.onDone(this)
        return true
    }
    return false
  }
}

/** Answers a simple Query: possibly several result sets; the last one is returned. */
export class SimpleHandler extends RowCollector {
  fields: FieldDescription[] = []
  #decoder: RowDecoder | undefined
  constructor(
    query: PendingQuery,
    readonly codecs: TypeCodecs,
    readonly rowMode: RowMode,
    readonly onDone: (handler: SimpleHandler) => void,
    readonly onCopyIn: () => void,
  ) {
    super(query)
  }

  handle(msg: BackendMessage): boolean {
    switch (msg.type) {
      case 'RowDescription': {
        this.fields = msg.fields
        this.rows = []
        try {
          // The simple protocol always returns text; use the text codec where one exists.
          const codecs = msg.fields.map((f) => {
            const c = this.codecs.result(f.typeOid)
            return c.format === 0 ? c : TEXT_STRING
          })
          this.#decoder = compileRowDecoder(msg.fields, codecs, this.rowMode)
        } catch (cause) {
          // A custom type registry that throws: this query fails, its rows are dropped.
          this.#decoder = undefined
          this.query.fail(
            new QueryError('ERR_TYPE_DECODE', 'cannot resolve the codecs of the result', { cause }),
          )
        }
        break
      }
      case 'DataRow':
        this.addRow(this.#decoder, this.fields.length, msg)
        break
      case 'CommandComplete':
        this.tag = msg.tag
        break
      case 'EmptyQueryResponse':
        this.tag = ''
        break
      case 'ErrorResponse':
        this.error = msg.fields
        break
      case 'CopyInResponse':
        this.onCopyIn()
        break
      case 'ReadyForQuery':
        this.onDone(this)
        return true
    }
    return false
  }
}

const TEXT_STRING: ResultCodec = { format: 0, decode: (b, o, n) => b.toString('utf8', o, o + n) }

/** Answers housekeeping batches (Close + Sync): nothing to report. */
export class IgnoreHandler implements ResponseHandler {
  readonly query = undefined
  handle(msg: BackendMessage): boolean {
    return msg.type === 'ReadyForQuery'
  }
}
