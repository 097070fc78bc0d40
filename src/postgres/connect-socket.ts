import { readFileSync } from 'node:fs'
import { isIP, type Socket, connect as tcpConnect } from 'node:net'
import { type ConnectionOptions, checkServerIdentity, type TLSSocket, connect as tlsConnect } from 'node:tls'
import { ConnectionError, InvalidArgumentError } from '../errors/classes.js'
import type { PgConfig } from './config.js'
import { SSL_REQUEST_CODE } from './protocol/codes.js'

/**
 * Opens the socket a PgConnection talks over: TCP or Unix socket, then (per sslmode) SSLRequest
 * and the TLS handshake (§55.2.10 "SSL Session Encryption").
 */

export interface OpenedSocket {
  socket: Socket | TLSSocket
  /** The server certificate (DER) when TLS is on: SCRAM-PLUS binds to it. */
  serverCertificate: Buffer | undefined
}

function tcpOrUnix(config: PgConfig): Socket {
  if (config.host.startsWith('/')) return tcpConnect({ path: `${config.host}/.s.PGSQL.${config.port}` })
  return tcpConnect({ host: config.hostaddr ?? config.host, port: config.port, noDelay: true })
}

/** Resolves when the socket emits `event`, rejects on error/close. */
function once(socket: Socket, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      cleanup()
      reject(err)
    }
    const onClose = () => {
      cleanup()
      reject(new ConnectionError('ERR_CONNECTION_CLOSED', 'the server closed the connection during connect'))
    }
    const onEvent = () => {
      cleanup()
      resolve()
    }
    const cleanup = () => {
      socket.off('error', onError).off('close', onClose).off(event, onEvent)
    }
    socket.on('error', onError).on('close', onClose).on(event, onEvent)
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

function tlsOptions(config: PgConfig, socket: Socket): ConnectionOptions {
  const read = (option: string, path: string) => {
    try {
      return readFileSync(path)
    } catch (cause) {
      throw new InvalidArgumentError(`${option}: cannot read ${path}`, { cause })
    }
  }
  // libpq: sslmode=require with a root certificate file present behaves like verify-ca.
  const hasRootFile = config.sslrootcert !== undefined && config.sslrootcert !== 'system'
  const verify = config.sslmode === 'verify-ca' || config.sslmode === 'verify-full'
  const verifyChain = verify || (config.sslmode === 'require' && hasRootFile)
  const options: ConnectionOptions = { socket, rejectUnauthorized: verifyChain }
  if (hasRootFile) options.ca = read('sslrootcert', config.sslrootcert!)
  if (config.sslcert !== undefined) options.cert = read('sslcert', config.sslcert)
  if (config.sslkey !== undefined) options.key = read('sslkey', config.sslkey)
  if (!config.host.startsWith('/') && isIP(config.host) === 0) options.servername = config.host
  options.checkServerIdentity =
    config.sslmode === 'verify-full'
      ? (_host, cert) => checkServerIdentity(config.host, cert)
      : () => undefined
  return options
}

/** Connects, negotiating TLS when the sslmode asks for it. `tls` overrides for sslmode=allow's retry. */
export async function openSocket(config: PgConfig, tls: boolean): Promise<OpenedSocket> {
  const socket = tcpOrUnix(config)
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
