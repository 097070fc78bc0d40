/**
 * The constants of PostgreSQL's frontend/backend protocol 3.0 (docs chapter "Frontend/Backend
 * Protocol", §55.7 "Message Formats"). Each message type is one byte; the letter is in the comment.
 */

/** The version sent in StartupMessage: major 3 in the high 16 bits, minor 0 in the low 16 bits. */
export const PROTOCOL_VERSION_3_0 = 196_608
/** SSLRequest's magic "version": 1234 in the high 16 bits, 5679 in the low (§55.2.10). */
export const SSL_REQUEST_CODE = 80_877_103
/** CancelRequest's magic "version": 1234 / 5678 (§55.2.9). */
export const CANCEL_REQUEST_CODE = 80_877_102

/** Type bytes of messages the frontend sends (§55.7). */
export const FrontendCode = {
  Bind: 0x42, // 'B'
  Close: 0x43, // 'C'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyFail: 0x66, // 'f'
  Describe: 0x44, // 'D'
  Execute: 0x45, // 'E'
  Flush: 0x48, // 'H'
  Parse: 0x50, // 'P'
  /** PasswordMessage, SASLInitialResponse and SASLResponse share 'p'. */
  Password: 0x70, // 'p'
  Query: 0x51, // 'Q'
  Sync: 0x53, // 'S'
  Terminate: 0x58, // 'X'
} as const

/** Type bytes of messages the backend sends (§55.7). */
export const BackendCode = {
  Authentication: 0x52, // 'R'
  BackendKeyData: 0x4b, // 'K'
  BindComplete: 0x32, // '2'
  CloseComplete: 0x33, // '3'
  CommandComplete: 0x43, // 'C'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyInResponse: 0x47, // 'G'
  CopyOutResponse: 0x48, // 'H'
  CopyBothResponse: 0x57, // 'W'
  DataRow: 0x44, // 'D'
  EmptyQueryResponse: 0x49, // 'I'
  ErrorResponse: 0x45, // 'E'
  FunctionCallResponse: 0x56, // 'V'
  NegotiateProtocolVersion: 0x76, // 'v'
  NoData: 0x6e, // 'n'
  NoticeResponse: 0x4e, // 'N'
  NotificationResponse: 0x41, // 'A'
  ParameterDescription: 0x74, // 't'
  ParameterStatus: 0x53, // 'S'
  ParseComplete: 0x31, // '1'
  PortalSuspended: 0x73, // 's'
  ReadyForQuery: 0x5a, // 'Z'
  RowDescription: 0x54, // 'T'
} as const

/** The Int32 that follows 'R' and says which Authentication* message it is (§55.7). */
export const AuthenticationCode = {
  Ok: 0,
  KerberosV5: 2,
  CleartextPassword: 3,
  MD5Password: 5,
  GSS: 7,
  GSSContinue: 8,
  SSPI: 9,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const

/** Describe/Close target: 'S' a prepared statement, 'P' a portal. */
export type StatementOrPortal = 'S' | 'P'

/** ReadyForQuery's status byte: 'I' idle, 'T' in a transaction block, 'E' in a failed one. */
export type TransactionStatus = 'I' | 'T' | 'E'

/** Format codes (§55.7 Bind, RowDescription): 0 text, 1 binary. */
export const FormatCode = { Text: 0, Binary: 1 } as const
export type FormatCode = (typeof FormatCode)[keyof typeof FormatCode]
