import { chmodSync, chownSync } from 'node:fs'
import { join } from 'node:path'
import { run } from './process-tools.js'

export interface TlsFiles {
  caFile: string
  certFile: string
  keyFile: string
  /** The DNS name in the server certificate (verify-full must use it, or 127.0.0.1). */
  hostname: string
}

/** A throwaway CA and a server certificate it signs, made with the openssl CLI at run time. */
export async function makeCertificates(dir: string, owner?: { uid: number; gid: number }): Promise<TlsFiles> {
  const files = {
    caFile: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    csr: join(dir, 'server.csr'),
    ext: join(dir, 'server.ext'),
  }
  const hostname = 'localhost'
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=covet test CA',
    '-keyout',
    files.caKey,
    '-out',
    files.caFile,
  ])
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${hostname}`,
    '-keyout',
    files.keyFile,
    '-out',
    files.csr,
  ])
  await run('bash', ['-c', `printf 'subjectAltName=DNS:${hostname},IP:127.0.0.1\\n' > '${files.ext}'`])
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    files.csr,
    '-CA',
    files.caFile,
    '-CAkey',
    files.caKey,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    files.ext,
    '-out',
    files.certFile,
  ])
  chmodSync(files.keyFile, 0o600)
  if (owner) for (const f of [files.certFile, files.keyFile, files.caFile]) chownSync(f, owner.uid, owner.gid)
  return { caFile: files.caFile, certFile: files.certFile, keyFile: files.keyFile, hostname }
}
