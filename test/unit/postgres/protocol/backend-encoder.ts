import { AuthenticationCode, BackendCode } from '../../../../src/postgres/protocol/codes.js'
import type {
  BackendMessage,
  FieldDescription,
  ServerFields,
} from '../../../../src/postgres/protocol/messages.js'

/**
 * A test-only encoder of backend messages (§55.7), written independently of the parser so that
 * round trips check one against the other. Also used by fake servers in integration tests.
 */

const int16 = (v: number) => {
  const b = Buffer.alloc(2)
  b.writeInt16BE(v)
  return b
}
const int32 = (v: number) => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(v)
  return b
}
const uint32 = (v: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(v)
  return b
}
/** A RowDescription field of a table-less text column: what tests of decoders and caches need. */
export const field = (name: string, typeOid: number): FieldDescription => ({
  name,
  tableOid: 0,
  columnAttribute: 0,
  typeOid,
  typeSize: -1,
  typeModifier: -1,
  format: 0,
})

const cstr = (s: string) => Buffer.concat([Buffer.from(s), Buffer.from([0])])

export function frame(code: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts)
  return Buffer.concat([Buffer.from([code]), int32(body.length + 4), body])
}

const FIELD_CODES: Record<keyof ServerFields, string> = {
  severityLocalized: 'S',
  severity: 'V',
  code: 'C',
  message: 'M',
  detail: 'D',
  hint: 'H',
  position: 'P',
  internalPosition: 'p',
  internalQuery: 'q',
  where: 'W',
  schema: 's',
  table: 't',
  column: 'c',
  dataType: 'd',
  constraint: 'n',
  file: 'F',
  line: 'L',
  routine: 'R',
}

function serverFields(fields: ServerFields): Buffer {
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(FIELD_CODES[name as keyof ServerFields]), cstr(value as string))
  }
  return Buffer.concat([...parts, Buffer.from([0])])
}

/** Encodes a DataRow from column values (null = SQL NULL). */
export function dataRow(columns: (Buffer | string | null)[]): Buffer {
  const parts: Buffer[] = [int16(columns.length)]
  for (const c of columns) {
    if (c === null) parts.push(int32(-1))
    else {
      const b = typeof c === 'string' ? Buffer.from(c) : c
      parts.push(int32(b.length), b)
    }
  }
  return frame(BackendCode.DataRow, ...parts)
}

/** Reads a parsed DataRow back into its column values. */
export function dataRowColumns(msg: {
  buffer: Buffer
  start: number
  columnCount: number
}): (Buffer | null)[] {
  const out: (Buffer | null)[] = []
  let pos = msg.start
  for (let i = 0; i < msg.columnCount; i++) {
    const len = msg.buffer.readInt32BE(pos)
    pos += 4
    out.push(len < 0 ? null : Buffer.from(msg.buffer.subarray(pos, pos + len)))
    if (len > 0) pos += len
  }
  return out
}

export function encodeBackend(m: BackendMessage): Buffer {
  const C = BackendCode
  const auth = (kind: number, ...rest: Buffer[]) => frame(C.Authentication, int32(kind), ...rest)
  switch (m.type) {
    case 'AuthenticationOk':
      return auth(AuthenticationCode.Ok)
    case 'AuthenticationKerberosV5':
      return auth(AuthenticationCode.KerberosV5)
    case 'AuthenticationCleartextPassword':
      return auth(AuthenticationCode.CleartextPassword)
    case 'AuthenticationMD5Password':
      return auth(AuthenticationCode.MD5Password, m.salt)
    case 'AuthenticationGSS':
      return auth(AuthenticationCode.GSS)
    case 'AuthenticationGSSContinue':
      return auth(AuthenticationCode.GSSContinue, m.data)
    case 'AuthenticationSSPI':
      return auth(AuthenticationCode.SSPI)
    case 'AuthenticationSASL':
      return auth(AuthenticationCode.SASL, ...m.mechanisms.map(cstr), Buffer.from([0]))
    case 'AuthenticationSASLContinue':
      return auth(AuthenticationCode.SASLContinue, m.data)
    case 'AuthenticationSASLFinal':
      return auth(AuthenticationCode.SASLFinal, m.data)
    case 'BackendKeyData':
      return frame(C.BackendKeyData, int32(m.processId), m.secretKey)
    case 'BindComplete':
      return frame(C.BindComplete)
    case 'CloseComplete':
      return frame(C.CloseComplete)
    case 'CommandComplete':
      return frame(C.CommandComplete, cstr(m.tag))
    case 'CopyData':
      return frame(C.CopyData, m.data)
    case 'CopyDone':
      return frame(C.CopyDone)
    case 'CopyInResponse':
    case 'CopyOutResponse':
    case 'CopyBothResponse': {
      const code =
        m.type === 'CopyInResponse'
          ? C.CopyInResponse
          : m.type === 'CopyOutResponse'
            ? C.CopyOutResponse
            : C.CopyBothResponse
      return frame(
        code,
        Buffer.from([m.format]),
        int16(m.columnFormats.length),
        ...m.columnFormats.map(int16),
      )
    }
    case 'DataRow':
      return dataRow(dataRowColumns(m))
    case 'EmptyQueryResponse':
      return frame(C.EmptyQueryResponse)
    case 'ErrorResponse':
      return frame(C.ErrorResponse, serverFields(m.fields))
    case 'NoticeResponse':
      return frame(C.NoticeResponse, serverFields(m.fields))
    case 'FunctionCallResponse':
      return frame(
        C.FunctionCallResponse,
        ...(m.result === null ? [int32(-1)] : [int32(m.result.length), m.result]),
      )
    case 'NegotiateProtocolVersion':
      return frame(
        C.NegotiateProtocolVersion,
        int32(m.newestMinorVersion),
        int32(m.unrecognizedOptions.length),
        ...m.unrecognizedOptions.map(cstr),
      )
    case 'NoData':
      return frame(C.NoData)
    case 'NotificationResponse':
      return frame(C.NotificationResponse, int32(m.processId), cstr(m.channel), cstr(m.payload))
    case 'ParameterDescription':
      return frame(C.ParameterDescription, int16(m.typeOids.length), ...m.typeOids.map(uint32))
    case 'ParameterStatus':
      return frame(C.ParameterStatus, cstr(m.name), cstr(m.value))
    case 'ParseComplete':
      return frame(C.ParseComplete)
    case 'PortalSuspended':
      return frame(C.PortalSuspended)
    case 'ReadyForQuery':
      return frame(C.ReadyForQuery, Buffer.from(m.status))
    case 'RowDescription': {
      const parts: Buffer[] = [int16(m.fields.length)]
      for (const f of m.fields) {
        parts.push(cstr(f.name), uint32(f.tableOid), int16(f.columnAttribute), uint32(f.typeOid))
        parts.push(int16(f.typeSize), int32(f.typeModifier), int16(f.format))
      }
      return frame(C.RowDescription, ...parts)
    }
  }
}
