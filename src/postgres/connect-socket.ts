import { type Socket, connect as tcpConnect } from 'node:net'
import { type TLSSocket, connect as tlsConnect } from 'node:tls'
import { ConnectionError } from '../errors/classes.js'
import { once, tlsOptions } from '../internal/connect-socket.js'
import type { PgConfig } from './config.js'
import { SSL_REQUEST_CODE } from './protocol/codes.js'

/**
 * Opens the socket a PgConnection talks over: TCP or Unix socket, then (per sslmode) SSLRequest
 * and the TLS handshake (§55.2.10 "SSL Session Encryption").
 */

export interface OpenSocketOptions {
  /** Aborting destroys the socket being opened (connect timeout, cancel deadline): nothing leaks. */
  signal?: AbortSignal | undefined
  /** TCP keepalive with this initial delay in ms; undefined = off. Ignored for Unix sockets. */
  keepAliveMs?: number | undefined
}

export interface OpenedSocket {
  socket: Socket | TLSSocket
  /** The server certificate (DER) when TLS is on: SCRAM-PLUS binds to it. */
  serverCertificate: Buffer | undefined
}

function tcpOrUnix(config: PgConfig, keepAliveMs: number | undefined): Socket {
  if (config.host.startsWith('/')) return tcpConnect({ path: `${config.host}/.s.PGSQL.${config.port}` })
  return tcpConnect({
    host: config.hostaddr ?? config.host,
    port: config.port,
    noDelay: true,
    ...(keepAliveMs === undefined ? {} : { keepAlive: true, keepAliveInitialDelay: keepAliveMs }),
  })
}

/** Reads the single byte the server answers SSLRequest with. */
function readSslResponse(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      cleanup()
      socket.pause()
      resolve(chunk)
    }
    const onError = (err: Error) => {
      cleanup()
      reject(err)
    }
    const onClose = () => {
      cleanup()
      reject(
        new ConnectionError('ERR_CONNECTION_CLOSED', 'the server closed the connection after SSLRequest'),
      )
    }
    const cleanup = () => {
      socket.off('data', onData).off('error', onError).off('close', onClose)
    }
    socket.on('data', onData).on('error', onError).on('close', onClose)
  })
}

/**
 * Connects, negotiating TLS when the sslmode asks for it. `tls` overrides for sslmode=allow's
 * retry. An abort destroys whichever socket is being opened and rejects.
 */
export async function openSocket(
  config: PgConfig,
  tls: boolean,
  options: OpenSocketOptions = {},
): Promise<OpenedSocket> {
  const { signal } = options
  if (signal?.aborted)
    throw new ConnectionError('ERR_CONNECTION_FAILED', 'the connection attempt was aborted')
  const socket = tcpOrUnix(config, options.keepAliveMs)
  let current: Socket = socket
  // Destroyed without an error argument: an 'error' event with no listener would crash the
  // process; the 'close' fails the step in progress instead.
  const abort = () => {
    current.destroy()
    socket.destroy()
  }
  signal?.addEventListener('abort', abort, { once: true })
  try {
    const opened = await negotiate(config, tls, socket, (s) => {
      current = s
    })
    if (signal?.aborted) {
      opened.socket.destroy()
      throw new ConnectionError('ERR_CONNECTION_FAILED', 'the connection attempt was aborted')
    }
    return opened
  } finally {
    signal?.removeEventListener('abort', abort)
  }
}

async function negotiate(
  config: PgConfig,
  tls: boolean,
  socket: Socket,
  upgraded: (secure: Socket) => void,
): Promise<OpenedSocket> {
  try {
    await once(socket, 'connect')
  } catch (cause) {
    socket.destroy()
    throw new ConnectionError('ERR_CONNECTION_FAILED', `cannot connect to ${describe(config)}`, { cause })
  }
  if (!tls) return { socket, serverCertificate: undefined }
  const request = Buffer.alloc(8)
  request.writeInt32BE(8, 0)
  request.writeInt32BE(SSL_REQUEST_CODE, 4)
  socket.write(request)
  let answer: Buffer
  try {
    answer = await readSslResponse(socket)
  } catch (cause) {
    socket.destroy()
    throw new ConnectionError('ERR_CONNECTION_FAILED', `SSLRequest to ${describe(config)} failed`, { cause })
  }
  if (answer[0] === 0x4e /* 'N' */ && answer.length === 1) {
    if (config.sslmode === 'prefer') {
      socket.resume()
      return { socket, serverCertificate: undefined }
    }
    socket.destroy()
    throw new ConnectionError('ERR_TLS', `the server does not support TLS but sslmode=${config.sslmode}`)
  }
  // CVE-2021-23222: bytes after 'S' were sent in cleartext before the handshake; never trust them.
  if (answer[0] !== 0x53 /* 'S' */ || answer.length !== 1) {
    socket.destroy()
    throw new ConnectionError('ERR_PROTOCOL', 'unexpected answer to SSLRequest')
  }
  const secure = tlsConnect(tlsOptions(config, socket))
  upgraded(secure)
  try {
    await once(secure, 'secureConnect')
  } catch (cause) {
    secure.destroy()
    throw new ConnectionError('ERR_TLS', `TLS handshake with ${describe(config)} failed`, { cause })
  }
  return { socket: secure, serverCertificate: secure.getPeerX509Certificate()?.raw }
}

export function describe(config: PgConfig): string {
  return config.host.startsWith('/')
    ? `${config.host}/.s.PGSQL.${config.port}`
    : `${config.host}:${config.port}`
}
