import { ProtocolError } from '../../errors/classes.js'
import { AuthenticationCode, BackendCode, type FormatCode, type TransactionStatus } from './codes.js'
import type { BackendMessage, FieldDescription, ServerFields } from './messages.js'

/**
 * Decoding of one backend message body whose bytes are all present (§55.7 "Message Formats").
 * Every read is bounds-checked against the message's own length: a body that is too short, has
 * trailing bytes, or holds an impossible count raises ProtocolError, never a RangeError.
 *
 * Signedness follows what the server means, not the spec's generic "Int16": element counts
 * (fields, parameters, columns, format codes) are unsigned, as PostgreSQL writes them from
 * unsigned or non-negative values and reads its own with pq_getmsgint (uint16): a statement may
 * have up to 65,535 parameters. Attribute numbers, type sizes (-1 varlena, -2 cstring), type
 * modifiers, value lengths (-1 NULL) and format codes are signed.
 */

/** A bounds-checked cursor over one message body `[pos, end)`. */
class BodyReader {
  buf: Buffer = Buffer.alloc(0)
  pos = 0
  end = 0
  type = ''

  reset(buf: Buffer, pos: number, end: number, type: string): void {
    this.buf = buf
    this.pos = pos
    this.end = end
    this.type = type
  }

  fail(what: string): never {
    throw new ProtocolError(`malformed ${this.type} message: ${what}`)
  }

  need(n: number): void {
    if (this.end - this.pos < n) this.fail('body shorter than its fields')
  }

  int16(): number {
    this.need(2)
    const v = this.buf.readInt16BE(this.pos)
    this.pos += 2
    return v
  }

  uint16(): number {
    this.need(2)
    const v = this.buf.readUInt16BE(this.pos)
    this.pos += 2
    return v
  }

  int32(): number {
    this.need(4)
    const v = this.buf.readInt32BE(this.pos)
    this.pos += 4
    return v
  }

  uint32(): number {
    this.need(4)
    const v = this.buf.readUInt32BE(this.pos)
    this.pos += 4
    return v
  }

  /** A String: UTF-8 up to a NUL terminator inside the body. */
  cstring(): string {
    const nul = this.buf.indexOf(0, this.pos)
    if (nul < 0 || nul >= this.end) this.fail('unterminated string')
    const s = this.buf.toString('utf8', this.pos, nul)
    this.pos = nul + 1
    return s
  }

  bytes(n: number): Buffer {
    this.need(n)
    const b = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return b
  }

  rest(): Buffer {
    return this.bytes(this.end - this.pos)
  }

  /** An unsigned Int16 count; each element needs at least `minBytes` of body. */
  count(minBytes: number): number {
    const n = this.uint16()
    if (n * minBytes > this.end - this.pos) this.fail('count larger than the body')
    return n
  }

  done(): void {
    if (this.pos !== this.end) this.fail('trailing bytes')
  }
}

const reader = new BodyReader()

// Messages without fields are shared constants: no allocation on the hot path.
const BIND_COMPLETE = Object.freeze({ type: 'BindComplete' as const })
const CLOSE_COMPLETE = Object.freeze({ type: 'CloseComplete' as const })
const PARSE_COMPLETE = Object.freeze({ type: 'ParseComplete' as const })
const NO_DATA = Object.freeze({ type: 'NoData' as const })
const PORTAL_SUSPENDED = Object.freeze({ type: 'PortalSuspended' as const })
const EMPTY_QUERY = Object.freeze({ type: 'EmptyQueryResponse' as const })
const COPY_DONE = Object.freeze({ type: 'CopyDone' as const })
const READY: Record<string, BackendMessage> = {
  I: Object.freeze({ type: 'ReadyForQuery' as const, status: 'I' as TransactionStatus }),
  T: Object.freeze({ type: 'ReadyForQuery' as const, status: 'T' as TransactionStatus }),
  E: Object.freeze({ type: 'ReadyForQuery' as const, status: 'E' as TransactionStatus }),
}

/** Field codes of ErrorResponse/NoticeResponse (§55.8); unknown codes are ignored as the spec asks. */
const FIELD_NAMES: Record<string, keyof ServerFields> = {
  S: 'severityLocalized',
  V: 'severity',
  C: 'code',
  M: 'message',
  D: 'detail',
  H: 'hint',
  P: 'position',
  p: 'internalPosition',
  q: 'internalQuery',
  W: 'where',
  s: 'schema',
  t: 'table',
  c: 'column',
  d: 'dataType',
  n: 'constraint',
  F: 'file',
  L: 'line',
  R: 'routine',
}

/** Decodes the body `[start, end)` of a complete message whose type byte is `code`. */
export function decodeBody(code: number, buf: Buffer, start: number, end: number): BackendMessage {
  const r = reader
  switch (code) {
    case BackendCode.DataRow:
      return decodeDataRow(buf, start, end)
    case BackendCode.BindComplete:
      return empty(BIND_COMPLETE, start, end)
    case BackendCode.CloseComplete:
      return empty(CLOSE_COMPLETE, start, end)
    case BackendCode.ParseComplete:
      return empty(PARSE_COMPLETE, start, end)
    case BackendCode.NoData:
      return empty(NO_DATA, start, end)
    case BackendCode.PortalSuspended:
      return empty(PORTAL_SUSPENDED, start, end)
    case BackendCode.EmptyQueryResponse:
      return empty(EMPTY_QUERY, start, end)
    case BackendCode.CopyDone:
      return empty(COPY_DONE, start, end)
    case BackendCode.ReadyForQuery: {
      const status = end - start === 1 ? READY[String.fromCharCode(buf[start]!)] : undefined
      if (status === undefined) throw new ProtocolError('malformed ReadyForQuery message')
      return status
    }
    case BackendCode.CopyData:
      return { type: 'CopyData', data: buf.subarray(start, end) }
  }
  r.reset(buf, start, end, typeName(code))
  let msg: BackendMessage
  switch (code) {
    case BackendCode.CommandComplete:
      msg = { type: 'CommandComplete', tag: r.cstring() }
      break
    case BackendCode.RowDescription:
      msg = { type: 'RowDescription', fields: decodeFields(r) }
      break
    case BackendCode.ParameterDescription: {
      const n = r.count(4)
      const typeOids = new Array<number>(n)
      for (let i = 0; i < n; i++) typeOids[i] = r.uint32()
      msg = { type: 'ParameterDescription', typeOids }
      break
    }
    case BackendCode.ParameterStatus:
      msg = { type: 'ParameterStatus', name: r.cstring(), value: r.cstring() }
      break
    case BackendCode.ErrorResponse:
    case BackendCode.NoticeResponse: {
      const fields = decodeServerFields(r)
      msg =
        code === BackendCode.ErrorResponse
          ? { type: 'ErrorResponse', fields }
          : { type: 'NoticeResponse', fields }
      break
    }
    case BackendCode.NotificationResponse:
      msg = { type: 'NotificationResponse', processId: r.int32(), channel: r.cstring(), payload: r.cstring() }
      break
    case BackendCode.BackendKeyData:
      // Protocol 3.0 sends a 4-byte key; 3.2 allows up to 256 bytes, so take the rest of the body.
      msg = { type: 'BackendKeyData', processId: r.int32(), secretKey: Buffer.from(r.rest()) }
      break
    case BackendCode.CopyInResponse:
    case BackendCode.CopyOutResponse:
    case BackendCode.CopyBothResponse: {
      r.need(1)
      const format = formatCode(r, r.buf[r.pos++])
      const n = r.count(2)
      const columnFormats = new Array<FormatCode>(n)
      for (let i = 0; i < n; i++) columnFormats[i] = formatCode(r, r.int16())
      const type =
        code === BackendCode.CopyInResponse
          ? 'CopyInResponse'
          : code === BackendCode.CopyOutResponse
            ? 'CopyOutResponse'
            : 'CopyBothResponse'
      msg = { type, format, columnFormats }
      break
    }
    case BackendCode.NegotiateProtocolVersion: {
      const newestMinorVersion = r.int32()
      const n = r.int32()
      if (n < 0 || n > r.end - r.pos) r.fail('count larger than the body')
      const unrecognizedOptions = new Array<string>(n)
      for (let i = 0; i < n; i++) unrecognizedOptions[i] = r.cstring()
      msg = { type: 'NegotiateProtocolVersion', newestMinorVersion, unrecognizedOptions }
      break
    }
    case BackendCode.FunctionCallResponse: {
      const len = r.int32()
      if (len < -1) r.fail('negative length')
      msg = { type: 'FunctionCallResponse', result: len === -1 ? null : Buffer.from(r.bytes(len)) }
      break
    }
    case BackendCode.Authentication:
      msg = decodeAuthentication(r)
      break
    default:
      throw new ProtocolError(`unknown backend message type 0x${code.toString(16).padStart(2, '0')}`)
  }
  r.done()
  return msg
}

function empty<T extends BackendMessage>(msg: T, start: number, end: number): T {
  if (end !== start) throw new ProtocolError(`malformed ${msg.type} message: trailing bytes`)
  return msg
}

function formatCode(r: BodyReader, value: number | undefined): FormatCode {
  if (value !== 0 && value !== 1) r.fail('format code is neither 0 nor 1')
  return value
}

/** DataRow: Int16 (unsigned) column count, then per column Int32 length (-1 = NULL) and the bytes. */
function decodeDataRow(buf: Buffer, start: number, end: number): BackendMessage {
  if (end - start < 2) throw new ProtocolError('malformed DataRow message: no column count')
  const columnCount = buf.readUInt16BE(start)
  let pos = start + 2
  // One validating walk so that row decoders can trust every length they read.
  for (let i = 0; i < columnCount; i++) {
    if (end - pos < 4) throw new ProtocolError('malformed DataRow message: column past the end')
    const len = buf.readInt32BE(pos)
    pos += 4
    if (len > 0) {
      if (len > end - pos) throw new ProtocolError('malformed DataRow message: column past the end')
      pos += len
    } else if (len < -1) throw new ProtocolError('malformed DataRow message: negative length')
  }
  if (pos !== end) throw new ProtocolError('malformed DataRow message: trailing bytes')
  return { type: 'DataRow', buffer: buf, start: start + 2, columnCount, byteLength: end - start + 5 }
}

function decodeFields(r: BodyReader): FieldDescription[] {
  const n = r.count(19) // the shortest field: empty name (1) + 18 bytes of numbers
  const fields = new Array<FieldDescription>(n)
  for (let i = 0; i < n; i++) {
    fields[i] = {
      name: r.cstring(),
      tableOid: r.uint32(),
      columnAttribute: r.int16(),
      typeOid: r.uint32(),
      typeSize: r.int16(),
      typeModifier: r.int32(),
      format: formatCode(r, r.int16()),
    }
  }
  return fields
}

function decodeServerFields(r: BodyReader): ServerFields {
  const fields: ServerFields = {}
  for (;;) {
    r.need(1)
    const code = r.buf[r.pos++]!
    if (code === 0) return fields
    const value = r.cstring()
    const name = FIELD_NAMES[String.fromCharCode(code)]
    if (name !== undefined) fields[name] = value
  }
}

function decodeAuthentication(r: BodyReader): BackendMessage {
  const kind = r.int32()
  switch (kind) {
    case AuthenticationCode.Ok:
      return { type: 'AuthenticationOk' }
    case AuthenticationCode.KerberosV5:
      return { type: 'AuthenticationKerberosV5' }
    case AuthenticationCode.CleartextPassword:
      return { type: 'AuthenticationCleartextPassword' }
    case AuthenticationCode.MD5Password:
      return { type: 'AuthenticationMD5Password', salt: Buffer.from(r.bytes(4)) }
    case AuthenticationCode.GSS:
      return { type: 'AuthenticationGSS' }
    case AuthenticationCode.GSSContinue:
      return { type: 'AuthenticationGSSContinue', data: Buffer.from(r.rest()) }
    case AuthenticationCode.SSPI:
      return { type: 'AuthenticationSSPI' }
    case AuthenticationCode.SASL: {
      // A list of mechanism names, each NUL-terminated, closed by an empty name.
      const mechanisms: string[] = []
      for (let name = r.cstring(); name !== ''; name = r.cstring()) mechanisms.push(name)
      return { type: 'AuthenticationSASL', mechanisms }
    }
    case AuthenticationCode.SASLContinue:
      return { type: 'AuthenticationSASLContinue', data: Buffer.from(r.rest()) }
    case AuthenticationCode.SASLFinal:
      return { type: 'AuthenticationSASLFinal', data: Buffer.from(r.rest()) }
    default:
      return r.fail(`unknown authentication request ${kind}`)
  }
}

const TYPE_NAMES = new Map<number, string>(Object.entries(BackendCode).map(([name, code]) => [code, name]))

export function typeName(code: number): string {
  return TYPE_NAMES.get(code) ?? `0x${code.toString(16)}`
}

/** True for a type byte this parser knows; anything else is garbage. */
export function isBackendCode(code: number): boolean {
  return TYPE_NAMES.has(code)
}
