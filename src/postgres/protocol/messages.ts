import type { FormatCode, TransactionStatus } from './codes.js'

/**
 * Every backend message of protocol 3.0, as plain data (§55.7 "Message Formats"). The parser
 * produces these; the connection consumes them. Messages that point into the receive buffer
 * (DataRow, CopyData, the SASL payloads) stay valid until the buffer is reused — the parser never
 * writes into a buffer it has handed out, so they stay valid for as long as they are held.
 */

/** ErrorResponse / NoticeResponse fields by their one-letter code (§55.8). */
export interface ServerFields {
  /** 'S': severity, possibly localized. */
  severityLocalized?: string
  /** 'V': severity, never localized (PostgreSQL 9.6+). */
  severity?: string
  /** 'C': the SQLSTATE code. */
  code?: string
  /** 'M': the primary message. */
  message?: string
  /** 'D' */ detail?: string
  /** 'H' */ hint?: string
  /** 'P': 1-based character index into the query string. */
  position?: string
  /** 'p' */ internalPosition?: string
  /** 'q' */ internalQuery?: string
  /** 'W' */ where?: string
  /** 's' */ schema?: string
  /** 't' */ table?: string
  /** 'c' */ column?: string
  /** 'd' */ dataType?: string
  /** 'n' */ constraint?: string
  /** 'F' */ file?: string
  /** 'L' */ line?: string
  /** 'R' */ routine?: string
}

/** One column of a RowDescription ('T'). */
export interface FieldDescription {
  name: string
  /** OID of the table, or 0 when the column is not a plain table column. */
  tableOid: number
  /** Attribute number of the column in that table, or 0. */
  columnAttribute: number
  typeOid: number
  /** pg_type.typlen; negative for variable-width types. */
  typeSize: number
  typeModifier: number
  format: FormatCode
}

export type AuthenticationMessage =
  | { type: 'AuthenticationOk' }
  | { type: 'AuthenticationKerberosV5' }
  | { type: 'AuthenticationCleartextPassword' }
  | { type: 'AuthenticationMD5Password'; salt: Buffer }
  | { type: 'AuthenticationGSS' }
  | { type: 'AuthenticationGSSContinue'; data: Buffer }
  | { type: 'AuthenticationSSPI' }
  | { type: 'AuthenticationSASL'; mechanisms: string[] }
  | { type: 'AuthenticationSASLContinue'; data: Buffer }
  | { type: 'AuthenticationSASLFinal'; data: Buffer }

/**
 * DataRow ('D'). The parser has checked that the column lengths exactly fill the message, so a
 * row decoder can walk it without bounds checks: at `start` come `columnCount` times an Int32
 * length (-1 for NULL) followed by that many bytes.
 */
export interface DataRowMessage {
  type: 'DataRow'
  buffer: Buffer
  start: number
  columnCount: number
  /** Size of the whole message on the wire, for result-size accounting. */
  byteLength: number
}

export interface CopyResponseMessage {
  type: 'CopyInResponse' | 'CopyOutResponse' | 'CopyBothResponse'
  /** Overall format: 0 text, 1 binary. */
  format: FormatCode
  columnFormats: FormatCode[]
}

export type BackendMessage =
  | AuthenticationMessage
  | { type: 'BackendKeyData'; processId: number; secretKey: Buffer }
  | { type: 'BindComplete' }
  | { type: 'CloseComplete' }
  | { type: 'CommandComplete'; tag: string }
  | { type: 'CopyData'; data: Buffer }
  | { type: 'CopyDone' }
  | CopyResponseMessage
  | DataRowMessage
  | { type: 'EmptyQueryResponse' }
  | { type: 'ErrorResponse'; fields: ServerFields }
  | { type: 'FunctionCallResponse'; result: Buffer | null }
  | { type: 'NegotiateProtocolVersion'; newestMinorVersion: number; unrecognizedOptions: string[] }
  | { type: 'NoData' }
  | { type: 'NoticeResponse'; fields: ServerFields }
  | { type: 'NotificationResponse'; processId: number; channel: string; payload: string }
  | { type: 'ParameterDescription'; typeOids: number[] }
  | { type: 'ParameterStatus'; name: string; value: string }
  | { type: 'ParseComplete' }
  | { type: 'PortalSuspended' }
  | { type: 'ReadyForQuery'; status: TransactionStatus }
  | { type: 'RowDescription'; fields: FieldDescription[] }

export type BackendMessageType = BackendMessage['type']
