import { InvalidArgumentError } from '../../errors/classes.js'
import {
  CANCEL_REQUEST_CODE,
  FrontendCode,
  PROTOCOL_VERSION_3_0,
  SSL_REQUEST_CODE,
  type StatementOrPortal,
} from './codes.js'

/**
 * Writers for every frontend message the driver sends (§55.7 "Message Formats"), appending to a
 * caller-owned writer so that a pipeline of messages becomes one buffer and one socket write.
 * Each message is `Byte1 type, Int32 length (self-inclusive), body`; the length is written as a
 * placeholder and patched once the body is known.
 *
 * The counts the spec calls Int16 (parameter types in Parse, formats and values in Bind) are read
 * by the server as unsigned (pq_getmsgint returns uint16, up to PQ_QUERY_PARAM_MAX_LIMIT = 65,535),
 * so they are written as UInt16: 40,000 parameters are valid, not a negative count.
 */

/** The subset of a growable byte writer the encoders need. */
export interface MessageWriter {
  /** Bytes written so far. */
  readonly length: number
  writeUInt8(value: number): void
  writeInt16(value: number): void
  /** Throws a RangeError outside 0..65535 (never wraps a count). */
  writeUInt16(value: number): void
  writeInt32(value: number): void
  /** UTF-8 bytes of `value` followed by a NUL (the protocol's String). */
  writeCString(value: string): void
  writeBytes(value: Uint8Array): void
  /** Overwrites 4 bytes at `offset` (an Int32 written earlier). */
  setInt32(offset: number, value: number): void
}

/** Starts a typed message; returns the offset of its length word for `end()`. */
function begin(w: MessageWriter, code: number): number {
  w.writeUInt8(code)
  const at = w.length
  w.writeInt32(0)
  return at
}

function end(w: MessageWriter, lengthAt: number): void {
  w.setInt32(lengthAt, w.length - lengthAt)
}

function noNul(name: string, value: string): void {
  // A NUL inside a String would end it early and desynchronise the stream.
  if (value.includes('\0')) throw new InvalidArgumentError(`${name} must not contain a NUL character`)
}

/** StartupMessage (no type byte): protocol 3.0 and `name\0value\0` pairs, closed by a NUL. */
export function writeStartup(w: MessageWriter, params: Readonly<Record<string, string>>): void {
  const at = w.length
  w.writeInt32(0)
  w.writeInt32(PROTOCOL_VERSION_3_0)
  for (const [name, value] of Object.entries(params)) {
    noNul(`startup parameter ${name}`, name + value)
    w.writeCString(name)
    w.writeCString(value)
  }
  w.writeUInt8(0)
  end(w, at)
}

/** SSLRequest (no type byte): length 8, then the code 1234/5679 (§55.2.10). */
export function writeSslRequest(w: MessageWriter): void {
  w.writeInt32(8)
  w.writeInt32(SSL_REQUEST_CODE)
}

/** CancelRequest (no type byte), sent on a new connection (§55.2.9). */
export function writeCancelRequest(w: MessageWriter, processId: number, secretKey: Uint8Array): void {
  w.writeInt32(12 + secretKey.length)
  w.writeInt32(CANCEL_REQUEST_CODE)
  w.writeInt32(processId)
  w.writeBytes(secretKey)
}

/** PasswordMessage ('p'): cleartext or MD5-hashed password. */
export function writePassword(w: MessageWriter, password: string): void {
  noNul('password', password)
  const at = begin(w, FrontendCode.Password)
  w.writeCString(password)
  end(w, at)
}

/** SASLInitialResponse ('p'): mechanism name, Int32 length of the initial response, the bytes. */
export function writeSaslInitialResponse(w: MessageWriter, mechanism: string, response: Uint8Array): void {
  const at = begin(w, FrontendCode.Password)
  w.writeCString(mechanism)
  w.writeInt32(response.length)
  w.writeBytes(response)
  end(w, at)
}

/** SASLResponse ('p'): the mechanism's bytes, no length of their own. */
export function writeSaslResponse(w: MessageWriter, response: Uint8Array): void {
  const at = begin(w, FrontendCode.Password)
  w.writeBytes(response)
  end(w, at)
}

/** Query ('Q'): simple query protocol; may hold several statements. */
export function writeQuery(w: MessageWriter, sql: string): void {
  noNul('sql', sql)
  const at = begin(w, FrontendCode.Query)
  w.writeCString(sql)
  end(w, at)
}

/** Parse ('P'): statement name ('' = unnamed), SQL, and parameter type OIDs (0 = let the server infer). */
export function writeParse(
  w: MessageWriter,
  name: string,
  sql: string,
  paramTypes: readonly number[] = [],
): void {
  noNul('sql', sql)
  const at = begin(w, FrontendCode.Parse)
  w.writeCString(name)
  w.writeCString(sql)
  w.writeUInt16(paramTypes.length)
  for (const oid of paramTypes) w.writeInt32(oid | 0) // OIDs are unsigned; the wire is the same bits
  end(w, at)
}

/**
 * Bind ('B'). Parameters come already encoded (null = SQL NULL) with their format codes: one code
 * for all, or one per parameter, as the protocol allows. `resultFormats` likewise.
 */
export function writeBind(
  w: MessageWriter,
  portal: string,
  statement: string,
  paramFormats: readonly number[],
  params: readonly (Uint8Array | null)[],
  resultFormats: readonly number[],
): void {
  const at = begin(w, FrontendCode.Bind)
  w.writeCString(portal)
  w.writeCString(statement)
  w.writeUInt16(paramFormats.length)
  for (const f of paramFormats) w.writeInt16(f)
  w.writeUInt16(params.length)
  for (const p of params) {
    if (p === null) w.writeInt32(-1)
    else {
      w.writeInt32(p.length)
      w.writeBytes(p)
    }
  }
  w.writeUInt16(resultFormats.length)
  for (const f of resultFormats) w.writeInt16(f)
  end(w, at)
}

/** Describe ('D'): 'S' statement or 'P' portal. */
export function writeDescribe(w: MessageWriter, kind: StatementOrPortal, name: string): void {
  const at = begin(w, FrontendCode.Describe)
  w.writeUInt8(kind.charCodeAt(0))
  w.writeCString(name)
  end(w, at)
}

/** Execute ('E'): portal and row limit (0 = all rows; otherwise PortalSuspended after maxRows). */
export function writeExecute(w: MessageWriter, portal: string, maxRows = 0): void {
  const at = begin(w, FrontendCode.Execute)
  w.writeCString(portal)
  w.writeInt32(maxRows)
  end(w, at)
}

/** Close ('C'): 'S' statement or 'P' portal. */
export function writeClose(w: MessageWriter, kind: StatementOrPortal, name: string): void {
  const at = begin(w, FrontendCode.Close)
  w.writeUInt8(kind.charCodeAt(0))
  w.writeCString(name)
  end(w, at)
}

/** CopyData ('d'). */
export function writeCopyData(w: MessageWriter, data: Uint8Array): void {
  const at = begin(w, FrontendCode.CopyData)
  w.writeBytes(data)
  end(w, at)
}

/** CopyFail ('f'): aborts COPY FROM STDIN with an error message. */
export function writeCopyFail(w: MessageWriter, message: string): void {
  const at = begin(w, FrontendCode.CopyFail)
  w.writeCString(message.replaceAll('\0', ''))
  end(w, at)
}

/** Messages with no body: Sync ('S'), Flush ('H'), CopyDone ('c'), Terminate ('X'). */
function writeEmpty(w: MessageWriter, code: number): void {
  w.writeUInt8(code)
  w.writeInt32(4)
}

export const writeSync = (w: MessageWriter): void => writeEmpty(w, FrontendCode.Sync)
export const writeFlush = (w: MessageWriter): void => writeEmpty(w, FrontendCode.Flush)
export const writeCopyDone = (w: MessageWriter): void => writeEmpty(w, FrontendCode.CopyDone)
export const writeTerminate = (w: MessageWriter): void => writeEmpty(w, FrontendCode.Terminate)
