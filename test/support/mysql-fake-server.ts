import {
  constants,
  createHash,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  randomBytes,
} from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TLSSocket } from 'node:tls'
import { makeCertificates } from '../harness/tls.js'
import {
  CLIENT,
  concat,
  cstring,
  errPayload,
  frame,
  handshakePayload,
  newNonce,
  okPayload,
  PacketStream,
  readLenenc,
  resultSet,
  withHead,
} from './mysql-packets.js'

/**
 * A tiny MySQL 8-like server for what MariaDB 10.11 cannot do: caching_sha2_password (fast and
 * full authentication, RSA with a key pair made at start), sha256_password, auth switches, TLS
 * (certificates from the harness CA helper), and faults. The checks are MySQL's server side
 * ("Caching_sha2_password information", "Native Authentication"): from stored hashes, not by
 * recomputing the client's answer. After OK it answers `SELECT CURRENT_USER() [AS name]` with one row, other
 * queries and COM_PING with OK, COM_QUIT by closing. test/integration/mysql/fake-server-vs-mysql2.test.ts
 * checks it against the mysql2 client.
 */

export type FakePlugin =
  | 'caching_sha2_password'
  | 'mysql_native_password'
  | 'sha256_password'
  | 'mysql_clear_password'

export interface FakeUser {
  name: string
  password: string
  plugin: FakePlugin
}

/** What a fault replaces: the handshake, the server's first auth packet (switch or AuthMoreData), the final OK. */
export type FaultPoint = 'handshake' | 'auth' | 'ok'
/**
 * garbage: a well-framed packet of random bytes (none 0x00); truncated: the first 6 bytes, then silence;
 * truncated-close: the same, then FIN; stall: nothing; oversized: a header claiming 16 MiB - 1
 * bytes, 64 bytes, then silence; close: FIN instead.
 */
export type FaultKind = 'garbage' | 'truncated' | 'truncated-close' | 'stall' | 'oversized' | 'close'

export interface Fault {
  kind: FaultKind
  at: FaultPoint
}

export interface FakeServerOptions {
  users: FakeUser[]
  /** The plugin the handshake names. Default caching_sha2_password, as MySQL 8. */
  defaultPlugin?: FakePlugin
  tls?: boolean
  fault?: Fault
}

export interface FakeConnection {
  /** Every byte the client sent outside TLS. */
  plainBytes: Buffer
  tls: boolean
  /** In order: 'switch:<plugin>', 'fast-auth', 'full-auth', 'public-key', then 'ok' or 'denied'. */
  events: string[]
}

export interface FakeServer {
  host: '127.0.0.1'
  port: number
  /** The server's RSA public key (PEM), for serverPublicKey. */
  publicKey: string
  /** The CA of the server certificate (PEM, and its file), with tls. The certificate names localhost and 127.0.0.1. */
  ca: string | undefined
  caFile: string | undefined
  connections: FakeConnection[]
  /** caching_sha2_password's in-memory cache: these users get fast authentication. */
  cache: Set<string>
  close(): Promise<void>
}

const hash = (algorithm: string, ...parts: Buffer[]) => {
  const h = createHash(algorithm)
  for (const p of parts) h.update(p)
  return h.digest()
}
const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((v, i) => v ^ b[i % b.length]!))
interface Keys {
  publicKey: string
  privateKey: KeyObject
}

/** One connection: the handshake, the auth of the user's plugin, then a minimal command loop. */
class Session {
  readonly log: FakeConnection = { plainBytes: Buffer.alloc(0), tls: false, events: [] }
  #socket: Socket
  readonly #stream: PacketStream
  #seq = 0
  #faultPending = new Set<FaultPoint>()
  #nonce = newNonce()

  constructor(
    raw: Socket,
    private readonly options: FakeServerOptions,
    private readonly keys: Keys,
    private readonly cache: Set<string>,
    private readonly secure: { key: Buffer; cert: Buffer } | undefined,
  ) {
    this.#socket = raw
    this.#stream = new PacketStream(raw)
    if (options.fault) this.#faultPending.add(options.fault.at)
    raw.on('data', this.#record)
  }

  readonly #record = (chunk: Buffer) => {
    this.log.plainBytes = Buffer.concat([this.log.plainBytes, chunk])
  }

  /** Sends a packet, or the fault configured for `at` the first time; false when the exchange must stop. */
  #send(payload: Buffer, at?: FaultPoint): boolean {
    const seq = this.#seq++
    const fault = this.options.fault
    if (at === undefined || fault === undefined || !this.#faultPending.delete(at)) {
      this.#socket.write(frame(seq, payload))
      return true
    }
    // No 0x00 in the garbage: a NUL could end the handshake's server-version string and let a
    // lenient client (mysql2 ignores the protocol version byte) parse the rest as a handshake.
    if (fault.kind === 'garbage') {
      this.#socket.write(frame(seq, concat([0x07], Buffer.from(randomBytes(40).map((b) => b || 1)))))
    }
    if (fault.kind.startsWith('truncated')) this.#socket.write(frame(seq, payload).subarray(0, 6))
    if (fault.kind === 'oversized') this.#socket.write(concat([0xff, 0xff, 0xff, seq], randomBytes(64)))
    if (fault.kind === 'close' || fault.kind === 'truncated-close') this.#socket.end()
    return fault.kind === 'garbage'
  }

  async #read(): Promise<Buffer> {
    const packet = await this.#stream.next()
    this.#seq = packet.seq + 1
    return packet.payload
  }

  /** An auth packet and the client's answer; undefined when a fault ended the exchange. */
  async #ask(payload: Buffer): Promise<Buffer | undefined> {
    return this.#send(payload, 'auth') ? this.#read() : undefined
  }

  async run(): Promise<void> {
    const plugin = this.options.defaultPlugin ?? 'caching_sha2_password'
    if (!this.#send(handshakePayload(this.#nonce, plugin, this.secure !== undefined), 'handshake')) return
    let p = await this.#read()
    if (p.length === 32 && p.readUInt32LE(0) & CLIENT.SSL && this.secure) {
      const clientHello = this.#stream.detach()
      this.#socket.removeListener('data', this.#record)
      this.#socket = new TLSSocket(withHead(this.#socket, clientHello), { isServer: true, ...this.secure })
      this.log.tls = true
      this.#stream.attach(this.#socket)
      p = await this.#read()
    }
    const caps = p.readUInt32LE(0)
    const [userName, afterUser] = cstring(p, 32)
    const lenenc = (caps & CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA) !== 0
    const [length, start] = lenenc ? readLenenc(p, afterUser) : [p[afterUser]!, afterUser + 1]
    let pos = start + length
    if (caps & CLIENT.CONNECT_WITH_DB) pos = cstring(p, pos)[1]
    const clientPlugin = caps & CLIENT.PLUGIN_AUTH ? cstring(p, pos)[0] : 'mysql_native_password'
    const user = this.options.users.find((u) => u.name === userName)
    const accepted =
      user !== undefined && (await this.#authenticate(user, clientPlugin, p.subarray(start, start + length)))
    if (accepted === undefined) return
    if (!accepted) {
      this.log.events.push('denied')
      const message = `Access denied for user '${userName}'@'localhost' (using password: YES)`
      this.#socket.end(frame(this.#seq, errPayload(1045, '28000', message)))
      return
    }
    this.log.events.push('ok')
    if (!this.#send(okPayload(), 'ok')) return
    for (;;) {
      const command = await this.#read()
      if (command[0] === 0x01) return void this.#socket.end() // COM_QUIT
      const query = command[0] === 0x03 ? command.subarray(1).toString() : ''
      const asked = /^select current_user\(\)(?: as (\w+))?$/i.exec(query)
      const reply = asked ? resultSet(asked[1] ?? 'CURRENT_USER()', `${userName}@%`) : [okPayload()]
      for (const [i, payload] of reply.entries()) this.#socket.write(frame(i + 1, payload))
    }
  }

  /** true/false: accepted or denied; undefined: a fault ended the exchange. */
  async #authenticate(user: FakeUser, clientPlugin: string, first: Buffer): Promise<boolean | undefined> {
    let response: Buffer | undefined = first
    if (clientPlugin !== user.plugin) {
      this.log.events.push(`switch:${user.plugin}`)
      this.#nonce = newNonce()
      const data = user.plugin === 'mysql_clear_password' ? Buffer.alloc(0) : concat(this.#nonce, [0])
      response = await this.#ask(concat([0xfe], `${user.plugin}\0`, data))
      if (response === undefined) return undefined
    }
    const password = Buffer.from(user.password)
    switch (user.plugin) {
      case 'mysql_native_password': {
        const stored = hash('sha1', hash('sha1', password))
        if (password.length === 0) return response.length === 0
        return hash('sha1', xor(response, hash('sha1', this.#nonce, stored))).equals(stored)
      }
      case 'caching_sha2_password': {
        if (password.length === 0 && response.length === 0) return true
        const stored = hash('sha256', hash('sha256', password))
        const fast =
          response.length === 32 &&
          hash('sha256', xor(response, hash('sha256', stored, this.#nonce))).equals(stored)
        if (fast && this.cache.has(user.name)) {
          this.log.events.push('fast-auth')
          return this.#send(Buffer.from([0x01, 0x03]), 'auth') ? true : undefined
        }
        // A cache miss, or a scramble that does not match: MySQL asks for the password itself.
        this.log.events.push('full-auth')
        const sent = await this.#fullPassword(await this.#ask(Buffer.from([0x01, 0x04])), 0x02)
        if (sent === undefined) return undefined
        if (sent.equals(password)) this.cache.add(user.name)
        return sent.equals(password)
      }
      case 'sha256_password': {
        const sent = await this.#fullPassword(response, 0x01)
        return sent === undefined ? undefined : sent.equals(password)
      }
      case 'mysql_clear_password':
        return response.equals(concat(password, [0]))
    }
  }

  /** The password inside TLS (NUL-terminated), or RSA-OAEP of (password NUL) XOR nonce, after a key request. */
  async #fullPassword(first: Buffer | undefined, keyRequest: number): Promise<Buffer | undefined> {
    let data = first
    if (data !== undefined && !this.log.tls && data.length === 1 && data[0] === keyRequest) {
      this.log.events.push('public-key')
      data = await this.#ask(concat([0x01], this.keys.publicKey))
    }
    if (data === undefined) return undefined
    if (this.log.tls) return data.subarray(0, Math.max(0, data.length - 1))
    if (data.length === 1 && data[0] === 0) return Buffer.alloc(0) // the empty password
    try {
      const plain = privateDecrypt(
        { key: this.keys.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING },
        data,
      )
      return xor(plain, this.#nonce).subarray(0, plain.length - 1)
    } catch {
      return Buffer.from('\0not RSA-OAEP')
    }
  }
}

export async function startFakeServer(options: FakeServerOptions): Promise<FakeServer> {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const keys = {
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    privateKey: pair.privateKey,
  }
  const dir = options.tls ? mkdtempSync(join(tmpdir(), 'covet-fake-mysql-')) : undefined
  const certs = dir ? await makeCertificates(dir) : undefined
  const secure = certs && { key: readFileSync(certs.keyFile), cert: readFileSync(certs.certFile) }
  const connections: FakeConnection[] = []
  const cache = new Set<string>()
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    const session = new Session(socket, options, keys, cache, secure)
    connections.push(session.log)
    session.run().catch(() => socket.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address !== 'object') throw new Error('fake server: no address')
  return {
    host: '127.0.0.1',
    port: address.port,
    publicKey: keys.publicKey,
    ca: certs ? readFileSync(certs.caFile, 'utf8') : undefined,
    caFile: certs?.caFile,
    connections,
    cache,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      if (dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}
