import { AuthenticationError, ProtocolError } from '../errors/classes.js'
import { verifiesServerCertificate } from '../internal/connect-socket.js'
import { md5PasswordResponse } from './auth/md5.js'
import { type AuthMethod, checkAuthOk, checkAuthRequest } from './auth/require-auth.js'
import { ScramClient } from './auth/scram.js'
import type { PasswordSource, PgConfig } from './config.js'
import type { TransactionStatus } from './protocol/codes.js'
import {
  type MessageWriter,
  writePassword,
  writeSaslInitialResponse,
  writeSaslResponse,
  writeStartup,
} from './protocol/frontend.js'
import type { BackendMessage, ServerFields } from './protocol/messages.js'
import { startupError } from './server-error.js'

/**
 * The start-up phase (§55.2.1 "Start-up"): StartupMessage, the authentication exchange, then
 * ParameterStatus/BackendKeyData until the first ReadyForQuery.
 */

export interface StartupIo {
  send(write: (w: MessageWriter) => void): void
  /** The next backend message; rejects when the connection fails. */
  next(): Promise<BackendMessage>
  onNotice(fields: ServerFields): void
}

export interface StartupResult {
  processId: number
  secretKey: Buffer
  parameters: Map<string, string>
  status: TransactionStatus
}

/** What authentication needs beyond the configuration; kept out of it so it is never exposed. */
export interface StartupAuth {
  password: PasswordSource | undefined
  /** The server certificate (DER) when TLS is on: SCRAM-PLUS binds to it. */
  serverCertificate: Buffer | undefined
}

async function resolvePassword(source: PasswordSource | undefined): Promise<string> {
  const password = typeof source === 'function' ? await source() : source
  if (typeof password !== 'string') {
    throw new AuthenticationError(
      'the server asks for a password but none was given (option password or PGPASSWORD)',
    )
  }
  return password
}

export async function startup(io: StartupIo, config: PgConfig, auth: StartupAuth): Promise<StartupResult> {
  const serverCertificate = auth.serverCertificate
  // The handshake only succeeded with a certificate that verified (connect-socket.ts).
  const verified = serverCertificate !== undefined && verifiesServerCertificate(config)
  const rule = config.requireAuth
  io.send((w) =>
    // client_encoding UTF8 and ISO dates: the decoders rely on both (§55.2.1, runtime parameters).
    writeStartup(w, {
      user: config.user,
      database: config.database,
      client_encoding: 'UTF8',
      DateStyle: 'ISO',
      ...config.params,
    }),
  )
  const result: StartupResult = {
    processId: 0,
    secretKey: Buffer.alloc(0),
    parameters: new Map(),
    status: 'I',
  }
  let scram: ScramClient | undefined
  let scramVerified = false
  /** The method the client finished, for require_auth's check at AuthenticationOk. */
  let completed: AuthMethod = 'none'
  const requireBinding = config.channelBinding === 'require'
  const refuseWithoutBinding = (method: string) => {
    if (requireBinding)
      throw new AuthenticationError(`channel_binding=require but the server asks for ${method}`)
  }
  for (;;) {
    const msg = await io.next()
    switch (msg.type) {
      case 'AuthenticationOk':
        if (scram !== undefined && !scramVerified) {
          // A server that skips SASLFinal never proved it knows the password (RFC 5802 §3).
          throw new AuthenticationError('the server ended SCRAM without sending its signature')
        }
        if (requireBinding && scram?.mechanism !== 'SCRAM-SHA-256-PLUS') {
          throw new AuthenticationError(
            'channel_binding=require but the server did not authenticate with SCRAM-PLUS',
          )
        }
        checkAuthOk(rule, completed)
        break
      case 'AuthenticationCleartextPassword': {
        refuseWithoutBinding('a cleartext password')
        checkAuthRequest(rule, 'password')
        // Issue 14: under sslmode=prefer or require, TLS without verification lets anyone in
        // the middle terminate it and read the password; only a verified server gets it.
        if (!verified && !config.allowCleartextPassword) {
          throw new AuthenticationError(
            'the server asks for a cleartext password, but the connection does not verify the server ' +
              '(no TLS, or TLS without certificate verification); use sslmode=verify-full with ' +
              'sslrootcert, or set allowCleartextPassword',
          )
        }
        const password = await resolvePassword(auth.password)
        io.send((w) => writePassword(w, password))
        completed = 'password'
        break
      }
      case 'AuthenticationMD5Password': {
        refuseWithoutBinding('MD5')
        checkAuthRequest(rule, 'md5')
        const password = await resolvePassword(auth.password)
        io.send((w) => writePassword(w, md5PasswordResponse(config.user, password, msg.salt)))
        completed = 'md5'
        break
      }
      case 'AuthenticationSASL': {
        checkAuthRequest(rule, 'scram-sha-256')
        scram = new ScramClient({
          password: await resolvePassword(auth.password),
          mechanisms: msg.mechanisms,
          channelBinding: config.channelBinding,
          serverCertificate,
          maxIterations: config.scramMaxIterations,
        })
        const client = scram
        io.send((w) => writeSaslInitialResponse(w, client.mechanism, client.initialResponse()))
        break
      }
      case 'AuthenticationSASLContinue': {
        if (scram === undefined) throw new ProtocolError('SASLContinue without SASL')
        const response = await scram.continue(msg.data)
        io.send((w) => writeSaslResponse(w, response))
        break
      }
      case 'AuthenticationSASLFinal':
        if (scram === undefined) throw new ProtocolError('SASLFinal without SASL')
        scram.finish(msg.data)
        scramVerified = true
        completed = 'scram-sha-256'
        break
      case 'AuthenticationGSS':
      case 'AuthenticationGSSContinue':
      case 'AuthenticationSSPI':
        checkAuthRequest(rule, msg.type === 'AuthenticationSSPI' ? 'sspi' : 'gss')
        throw new AuthenticationError(
          `the server asks for ${msg.type.slice(14)} authentication, which covet does not support`,
        )
      case 'AuthenticationKerberosV5':
        throw new AuthenticationError(
          `the server asks for ${msg.type.slice(14)} authentication, which covet does not support`,
        )
      case 'ErrorResponse':
        throw startupError(msg.fields)
      case 'NoticeResponse':
        io.onNotice(msg.fields)
        break
      case 'NegotiateProtocolVersion':
        // We ask for 3.0 with no _pq_ options, which every server since 7.4 accepts; nothing to adjust.
        break
      case 'ParameterStatus':
        result.parameters.set(msg.name, msg.value)
        break
      case 'BackendKeyData':
        result.processId = msg.processId
        result.secretKey = msg.secretKey
        break
      case 'ReadyForQuery':
        result.status = msg.status
        return result
      default:
        throw new ProtocolError(`unexpected ${msg.type} during start-up`)
    }
  }
}
