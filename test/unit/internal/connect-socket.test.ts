import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { type AddressInfo, createServer, Socket, connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { PeerCertificate } from 'node:tls'
import { InvalidArgumentError } from '../../../src/errors/classes.js'
import { isCovetError } from '../../../src/errors/covet-error.js'
import {
  once,
  type TlsSettings,
  tlsOptions,
  verifiesServerCertificate,
} from '../../../src/internal/connect-socket.js'

const settings = (over: Partial<TlsSettings>): TlsSettings => ({
  host: 'db.example',
  sslmode: 'prefer',
  sslrootcert: undefined,
  sslcert: undefined,
  sslkey: undefined,
  ...over,
})

describe('verifiesServerCertificate', () => {
  it('is true for verify-ca, verify-full, and require with a CA file (libpq §34.19.1)', () => {
    const cases: [Partial<TlsSettings>, boolean][] = [
      [{ sslmode: 'disable' }, false],
      [{ sslmode: 'allow' }, false],
      [{ sslmode: 'prefer' }, false],
      [{ sslmode: 'prefer', sslrootcert: '/ca.pem' }, false],
      [{ sslmode: 'require' }, false],
      [{ sslmode: 'require', sslrootcert: 'system' }, false],
      [{ sslmode: 'require', sslrootcert: '/ca.pem' }, true],
      [{ sslmode: 'verify-ca' }, true],
      [{ sslmode: 'verify-full' }, true],
    ]
    for (const [over, expected] of cases) {
      assert.equal(verifiesServerCertificate(settings(over)), expected, JSON.stringify(over))
    }
  })
})

describe('tlsOptions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'covet-tls-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  const socket = new Socket()

  it('reads the certificate files, sets SNI for a host name only', () => {
    const ca = join(dir, 'ca.pem')
    writeFileSync(ca, 'CA')
    writeFileSync(join(dir, 'cert.pem'), 'CERT')
    writeFileSync(join(dir, 'key.pem'), 'KEY')
    const options = tlsOptions(
      settings({
        sslmode: 'verify-ca',
        sslrootcert: ca,
        sslcert: join(dir, 'cert.pem'),
        sslkey: join(dir, 'key.pem'),
      }),
      socket,
    )
    assert.equal(options.socket, socket)
    assert.equal(options.rejectUnauthorized, true)
    assert.deepEqual([String(options.ca), String(options.cert), String(options.key)], ['CA', 'CERT', 'KEY'])
    assert.equal(options.servername, 'db.example')
    for (const host of ['10.0.0.1', '::1', '/run/mysqld/mysqld.sock']) {
      assert.equal(tlsOptions(settings({ host }), socket).servername, undefined, host)
    }
    const system = tlsOptions(settings({ sslmode: 'verify-full', sslrootcert: 'system' }), socket)
    assert.equal(system.ca, undefined)
    assert.equal(tlsOptions(settings({ sslmode: 'prefer' }), socket).rejectUnauthorized, false)
  })

  it('names the option whose file cannot be read', () => {
    const missing = join(dir, 'missing.pem')
    for (const option of ['sslrootcert', 'sslcert', 'sslkey'] as const) {
      const over: Partial<TlsSettings> = { sslmode: 'require' }
      over[option] = missing
      assert.throws(
        () => tlsOptions(settings(over), socket),
        (e) => e instanceof InvalidArgumentError && e.message === `${option}: cannot read ${missing}`,
      )
    }
  })

  it('checks the host name against the certificate only with verify-full', () => {
    const cert = { subject: { CN: 'other.example' }, subjectaltname: 'DNS:other.example' } as PeerCertificate
    const full = tlsOptions(settings({ sslmode: 'verify-full' }), socket).checkServerIdentity!
    assert.ok(full('ignored', cert) instanceof Error)
    const matching = { subject: { CN: 'db.example' }, subjectaltname: 'DNS:db.example' } as PeerCertificate
    assert.equal(full('ignored', matching), undefined)
    const ca = tlsOptions(settings({ sslmode: 'verify-ca' }), socket).checkServerIdentity!
    assert.equal(ca('ignored', cert), undefined)
  })
})

describe('once', () => {
  it('resolves on the event, rejects on an error or a close before it', async () => {
    const server = createServer((s) => s.end())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const socket = tcpConnect({ host: '127.0.0.1', port })
      await once(socket, 'connect')
      // The server ends the connection at once: no 'timeout' comes before the close.
      socket.resume()
      await assert.rejects(
        once(socket, 'timeout'),
        (e) => isCovetError(e) && e.code === 'ERR_CONNECTION_CLOSED',
      )
      assert.equal(socket.listenerCount('timeout'), 0)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
    const refused = tcpConnect({ host: '127.0.0.1', port })
    await assert.rejects(
      once(refused, 'connect'),
      (e) => (e as NodeJS.ErrnoException).code === 'ECONNREFUSED',
    )
  })
})
