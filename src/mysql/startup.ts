import { AuthenticationError, ConnectionError, ProtocolError } from '../errors/classes.js'
import { CovetError } from '../errors/covet-error.js'
import type { ByteWriter } from '../internal/byte-writer.js'
import { AuthExchange } from './auth/exchange.js'
import type { MySqlConfig } from './config.js'
import { Capability, MariaDbCapability, UTF8MB4_GENERAL_CI } from './protocol/constants.js'
import {
  type Handshake,
  parseHandshake,
  writeHandshakeResponse,
  writeSslRequest,
} from './protocol/handshake.js'
import { ERR_HEADER, OK_HEADER, parseErr, parseOk } from './protocol/messages.js'
import { writePacket } from './protocol/packets.js'
import { databaseError } from './server-error.js'

/**
 * The connection phase ("1 - Connecting"): read the Initial Handshake, agree capabilities, upgrade
 * to TLS when the sslmode asks for it, then authenticate through the auth plugin exchange
 * (src/mysql/auth/exchange.ts) until the server says OK or ERR.
 */

export interface StartupIo {
  /** The next payload from the server. */
  next(): Promise<Buffer>
  /** The sequence id of the payload `next()` returned last. */
  sequenceId(): number
  /** Bytes received and not yet read: must be none when TLS starts. */
  bufferedBytes(): number
  write(write: (w: ByteWriter) => void): void
  /** Runs the TLS handshake on the socket. */
  startTls(): Promise<void>
}

export interface Session {
  handshake: Handshake
  /** Lower capability bits both sides agreed. */
  capabilities: number
  mariaDbCapabilities: number
  tls: boolean
  status: number
}

/** What covet asks for when the server offers it. */
const WANTED =
  Capability.LONG_FLAG |
  Capability.PROTOCOL_41 |
  Capability.TRANSACTIONS |
  Capability.SECURE_CONNECTION |
  Capability.MULTI_RESULTS |
  Capability.PS_MULTI_RESULTS |
  Capability.PLUGIN_AUTH |
  Capability.CONNECT_ATTRS |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA |
  Capability.DEPRECATE_EOF
const WANTED_MARIADB =
  MariaDbCapability.STMT_BULK_OPERATIONS |
  MariaDbCapability.EXTENDED_METADATA |
  MariaDbCapability.CACHE_METADATA

/** Errors that mean "who you are was refused" (SQLSTATE class 28, and the plugin refusals). */
const AUTH_ERRNOS = new Set([1044, 1045, 1251, 1275, 1524, 1698, 1820, 1862])

export async function startup(io: StartupIo, config: MySqlConfig, wantTls: boolean): Promise<Session> {
  const first = await io.next()
  if (first[0] === ERR_HEADER) {
    // Sent instead of a handshake: too many connections (1040), host blocked (1129)...
    const error = databaseError(parseErr(first))
    throw new ConnectionError(
      'ERR_CONNECTION_FAILED',
      `the server refused the connection: ${error.message}`,
      {
        cause: error,
      },
    )
  }
  const handshake = parseHandshake(first)
  const required = Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION
  if ((handshake.capabilities & required) !== required) {
    throw new CovetError('ERR_UNSUPPORTED', `server ${handshake.serverVersion} lacks the 4.1 protocol`)
  }
  let capabilities = WANTED & handshake.capabilities
  if (!handshake.mariaDb) capabilities |= Capability.MYSQL // CLIENT_LONG_PASSWORD to MySQL
  if (config.database !== undefined) capabilities |= Capability.CONNECT_WITH_DB & handshake.capabilities
  if (config.localInfile) capabilities |= Capability.LOCAL_FILES & handshake.capabilities
  if (config.multipleStatements) capabilities |= Capability.MULTI_STATEMENTS & handshake.capabilities
  const mariaDbCapabilities = WANTED_MARIADB & handshake.mariaDbCapabilities

  const response = {
    capabilities,
    mariaDbCapabilities,
    extendedCapabilities: (handshake.capabilities & Capability.MYSQL) === 0,
    maxPacketSize: 0x40000000,
    collation: UTF8MB4_GENERAL_CI,
    user: config.user,
    database: config.database,
    attributes: { _client_name: 'covet', _pid: String(process.pid), ...config.connectAttributes },
  }
  let seq = 1
  let tls = false
  let verified = false
  if (wantTls) {
    if ((handshake.capabilities & Capability.SSL) === 0) {
      if (config.sslmode !== 'prefer' && config.sslmode !== 'allow') {
        throw new ConnectionError('ERR_TLS', `the server does not support TLS but sslmode=${config.sslmode}`)
      }
    } else {
      // Bytes after the handshake arrived in cleartext before TLS: never trust them (cf. CVE-2021-23222).
      if (io.bufferedBytes() > 0) throw new ProtocolError('unexpected bytes before the TLS handshake')
      response.capabilities |= Capability.SSL
      io.write((w) => {
        seq = writeSslRequest(w, { ...response, authResponse: Buffer.alloc(0), authPluginName: '' }, seq)
      })
      await io.startTls()
      tls = true
      // What the auth policy calls verified (src/mysql/auth/policy.ts): chain AND host name.
      verified = config.sslmode === 'verify-full'
    }
  }
  const password = typeof config.password === 'function' ? await config.password() : config.password
  const exchange = new AuthExchange(
    {
      user: config.user,
      password,
      tlsActive: tls,
      tlsVerified: verified,
      allowCleartextPassword: config.allowCleartextPassword,
      allowPublicKeyRetrieval: config.allowPublicKeyRetrieval,
      serverPublicKey: config.serverPublicKey,
    },
    handshake.authPluginName,
    handshake.scramble,
  )
  const authResponse = exchange.initialResponse()
  io.write((w) => {
    writeHandshakeResponse(w, { ...response, authResponse, authPluginName: exchange.pluginName }, seq)
  })
  for (;;) {
    const payload = await io.next()
    if (payload[0] === OK_HEADER) {
      const ok = parseOk(payload, false)
      return { handshake, capabilities: response.capabilities, mariaDbCapabilities, tls, status: ok.status }
    }
    if (payload[0] === ERR_HEADER) {
      const err = parseErr(payload)
      const error = databaseError(err)
      if (AUTH_ERRNOS.has(err.errno) || err.sqlState?.startsWith('28')) {
        throw new AuthenticationError(`authentication of user "${config.user}" failed: ${err.message}`, {
          cause: error,
        })
      }
      throw error
    }
    const reply = exchange.onPacket(payload)
    if (reply !== undefined) {
      const replySeq = (io.sequenceId() + 1) & 0xff
      io.write((w) => writePacket(w, replySeq, reply))
    }
  }
}
