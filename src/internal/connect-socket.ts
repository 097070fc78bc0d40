import { readFileSync } from 'node:fs'
import { isIP, type Socket } from 'node:net'
import { type ConnectionOptions, checkServerIdentity } from 'node:tls'
import { ConnectionError, InvalidArgumentError } from '../errors/classes.js'
import type { SslMode } from './connection-config.js'

/**
 * What both drivers' connect-socket.ts share: waiting for a socket event while connecting, and
 * the TLS options an sslmode stands for (libpq docs §34.19.1 "SSL Mode Descriptions"; the MySQL
 * driver takes the same names and meaning).
 */

/** The TLS settings of a resolved PgConfig or MySqlConfig. */
export interface TlsSettings {
  /** A host name (sent as SNI, checked by verify-full), an IP address, or a socket path. */
  host: string
  sslmode: SslMode
  /** CA bundle file, or 'system' for Node's trusted CAs. */
  sslrootcert: string | undefined
  sslcert: string | undefined
  sslkey: string | undefined
}

/** Resolves when the socket emits `event`; rejects on error or close. */
export function once(socket: Socket, event: string): Promise<void> {
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

/**
 * Whether a TLS handshake under these settings verifies the server's certificate chain
 * (libpq: verify-ca and verify-full; require with a root certificate file behaves like verify-ca).
 */
export function verifiesServerCertificate(settings: TlsSettings): boolean {
  const hasRootFile = settings.sslrootcert !== undefined && settings.sslrootcert !== 'system'
  return (
    settings.sslmode === 'verify-ca' ||
    settings.sslmode === 'verify-full' ||
    (settings.sslmode === 'require' && hasRootFile)
  )
}

/** Options for `tls.connect` over `socket`: certificate files, SNI, and the checks the sslmode asks for. */
export function tlsOptions(settings: TlsSettings, socket: Socket): ConnectionOptions {
  const read = (option: string, path: string) => {
    try {
      return readFileSync(path)
    } catch (cause) {
      throw new InvalidArgumentError(`${option}: cannot read ${path}`, { cause })
    }
  }
  const options: ConnectionOptions = { socket, rejectUnauthorized: verifiesServerCertificate(settings) }
  if (settings.sslrootcert !== undefined && settings.sslrootcert !== 'system') {
    options.ca = read('sslrootcert', settings.sslrootcert)
  }
  if (settings.sslcert !== undefined) options.cert = read('sslcert', settings.sslcert)
  if (settings.sslkey !== undefined) options.key = read('sslkey', settings.sslkey)
  if (!settings.host.startsWith('/') && isIP(settings.host) === 0) options.servername = settings.host
  options.checkServerIdentity =
    settings.sslmode === 'verify-full'
      ? (_host, cert) => checkServerIdentity(settings.host, cert)
      : () => undefined
  return options
}
