import { type Socket, connect as tcpConnect } from 'node:net'
import { type TLSSocket, connect as tlsConnect } from 'node:tls'
import { ConnectionError } from '../errors/classes.js'
import { once, tlsOptions } from '../internal/connect-socket.js'
import type { MySqlConfig } from './config.js'

/**
 * The socket a MySqlConnection talks over: TCP or a Unix socket file, and the in-band TLS upgrade
 * ("1 - Connecting": the client answers the handshake with SSLRequest, then both sides run the TLS
 * handshake on the same socket). Certificate checks follow libpq's sslmode rules, as on the
 * PostgreSQL side (src/internal/connect-socket.ts).
 */

export function describe(config: MySqlConfig): string {
  return config.host.startsWith('/') ? config.host : `${config.host}:${config.port}`
}

export async function openSocket(config: MySqlConfig): Promise<Socket> {
  const socket = config.host.startsWith('/')
    ? tcpConnect({ path: config.host })
    : tcpConnect({ host: config.host, port: config.port, noDelay: true })
  try {
    await once(socket, 'connect')
  } catch (cause) {
    socket.destroy()
    throw new ConnectionError('ERR_CONNECTION_FAILED', `cannot connect to ${describe(config)}`, { cause })
  }
  return socket
}

/** Runs the TLS handshake over `socket` (after SSLRequest was written on it). */
export async function upgradeToTls(config: MySqlConfig, socket: Socket): Promise<TLSSocket> {
  const secure = tlsConnect(tlsOptions(config, socket))
  try {
    await once(secure, 'secureConnect')
  } catch (cause) {
    secure.destroy()
    throw new ConnectionError('ERR_TLS', `TLS handshake with ${describe(config)} failed`, { cause })
  }
  return secure
}
