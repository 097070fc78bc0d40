import { randomBytes } from 'node:crypto'
import type { Socket } from 'node:net'
import { Duplex } from 'node:stream'

/**
 * MySQL packets for test code (the fake server and the raw auth client), written apart
 * from covet's protocol layer so that the tests check covet against an independent reading of
 * the protocol (MySQL "MySQL Packets": 3-byte little-endian length, 1-byte sequence id, payload).
 */

export const CLIENT = {
  LONG_PASSWORD: 0x1,
  CONNECT_WITH_DB: 0x8,
  PROTOCOL_41: 0x200,
  SSL: 0x800,
  TRANSACTIONS: 0x2000,
  SECURE_CONNECTION: 0x8000,
  PLUGIN_AUTH: 0x80000,
  CONNECT_ATTRS: 0x100000,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 0x200000,
} as const

export interface Packet {
  seq: number
  payload: Buffer
}

export function frame(seq: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4)
  header.writeUIntLE(payload.length, 0, 3)
  header[3] = seq & 0xff
  return Buffer.concat([header, payload])
}

export function lenenc(n: number): Buffer {
  if (n < 0xfb) return Buffer.from([n])
  if (n < 0x10000) return Buffer.from([0xfc, n & 0xff, n >> 8])
  const b = Buffer.alloc(4)
  b[0] = 0xfd
  b.writeUIntLE(n, 1, 3)
  return b
}

/** A length-encoded integer at `pos`: [value, position after it]. */
export function readLenenc(buf: Buffer, pos: number): [number, number] {
  const first = buf[pos]!
  if (first < 0xfb) return [first, pos + 1]
  if (first === 0xfc) return [buf.readUInt16LE(pos + 1), pos + 3]
  if (first === 0xfd) return [buf.readUIntLE(pos + 1, 3), pos + 4]
  return [Number(buf.readBigUInt64LE(pos + 1)), pos + 9]
}

export function cstring(buf: Buffer, pos: number): [string, number] {
  const end = buf.indexOf(0, pos)
  if (end === -1) throw new Error('missing NUL')
  return [buf.toString('utf8', pos, end), end + 1]
}

/** OK_Packet: header, affected rows, last insert id, status (autocommit), warnings. */
export const okPayload = (): Buffer => Buffer.from([0x00, 0, 0, 0x02, 0, 0, 0])

/** ERR_Packet with the SQL state marker. */
export function errPayload(errno: number, sqlState: string, message: string): Buffer {
  const head = Buffer.alloc(3)
  head[0] = 0xff
  head.writeUInt16LE(errno, 1)
  return Buffer.concat([head, Buffer.from(`#${sqlState}${message}`)])
}

/**
 * Packets read from a socket, one promise at a time. `detach()` stops reading (before a TLS
 * upgrade); `attach()` starts on the TLS socket. A close before a whole packet rejects.
 */
export class PacketStream {
  #buffer = Buffer.alloc(0)
  #waiting: { resolve: (p: Packet) => void; reject: (e: Error) => void } | undefined
  #closed: Error | undefined
  #socket: Socket | undefined
  readonly #onData = (chunk: Buffer) => {
    this.#buffer = Buffer.concat([this.#buffer, chunk])
    this.#deliver()
  }
  readonly #onClose = () => {
    this.#closed = new Error('connection closed')
    this.#deliver()
  }

  constructor(socket: Socket) {
    this.attach(socket)
  }

  get buffered(): number {
    return this.#buffer.length
  }

  attach(socket: Socket): void {
    this.#socket = socket
    this.#closed = undefined
    socket.on('data', this.#onData)
    socket.on('close', this.#onClose)
    socket.on('error', () => {})
  }

  /** Stops reading; returns the bytes read past the last packet (a TLS ClientHello, say). */
  detach(): Buffer {
    this.#socket?.removeListener('data', this.#onData)
    this.#socket?.removeListener('close', this.#onClose)
    this.#socket = undefined
    const rest = this.#buffer
    this.#buffer = Buffer.alloc(0)
    return rest
  }

  next(): Promise<Packet> {
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject }
      this.#deliver()
    })
  }

  #deliver(): void {
    const waiting = this.#waiting
    if (waiting === undefined) return
    if (this.#buffer.length >= 4) {
      const length = this.#buffer.readUIntLE(0, 3)
      if (this.#buffer.length >= 4 + length) {
        const packet = { seq: this.#buffer[3]!, payload: this.#buffer.subarray(4, 4 + length) }
        this.#buffer = this.#buffer.subarray(4 + length)
        this.#waiting = undefined
        waiting.resolve(packet)
        return
      }
    }
    if (this.#closed) {
      this.#waiting = undefined
      waiting.reject(this.#closed)
    }
  }
}

/** EOF_Packet (no CLIENT_DEPRECATE_EOF): header, warnings, status. */
const eofPayload = (): Buffer => Buffer.from([0xfe, 0, 0, 0x02, 0])

/** A one-column, one-row text result set: column count, definition, EOF, row, EOF. */
export function resultSet(column: string, value: string): Buffer[] {
  const str = (s: string) => Buffer.concat([lenenc(Buffer.byteLength(s)), Buffer.from(s)])
  const meta = Buffer.alloc(13)
  meta[0] = 0x0c // length of the fixed fields
  meta.writeUInt16LE(255, 1) // utf8mb4_0900_ai_ci
  meta.writeUInt32LE(1024, 3) // column length
  meta[7] = 0xfd // MYSQL_TYPE_VAR_STRING
  const definition = Buffer.concat([str('def'), str(''), str(''), str(''), str(column), str(''), meta])
  return [Buffer.from([1]), definition, eofPayload(), str(value), eofPayload()]
}

export const concat = (...parts: (Buffer | string | number[])[]) =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.isBuffer(p) ? p : Buffer.from(p))),
  )

/** MySQL's nonce bytes are 1..127 and never '$' (generate_user_salt): no NUL inside the C string. */
export const newNonce = (): Buffer => {
  const nonce = randomBytes(20)
  for (let i = 0; i < nonce.length; i++) nonce[i] = 1 + (nonce[i]! % 126) + (nonce[i]! % 126 === 0x23 ? 1 : 0)
  return nonce
}

const SERVER_CAPABILITIES =
  CLIENT.LONG_PASSWORD |
  CLIENT.CONNECT_WITH_DB |
  CLIENT.PROTOCOL_41 |
  CLIENT.TRANSACTIONS |
  CLIENT.SECURE_CONNECTION |
  CLIENT.PLUGIN_AUTH |
  CLIENT.CONNECT_ATTRS |
  CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA

/** Handshake V10: version, thread id, nonce part 1, capabilities, utf8mb4, status, 21, part 2, plugin. */
export function handshakePayload(nonce: Buffer, plugin: string, tls: boolean): Buffer {
  const caps = SERVER_CAPABILITIES | (tls ? CLIENT.SSL : 0)
  const head = Buffer.alloc(13)
  head.writeUInt32LE(7, 0)
  nonce.copy(head, 4, 0, 8)
  const mid = Buffer.alloc(18)
  mid.writeUInt16LE(caps & 0xffff, 0)
  mid[2] = 255 // utf8mb4_0900_ai_ci
  mid.writeUInt16LE(0x0002, 3) // SERVER_STATUS_AUTOCOMMIT
  mid.writeUInt16LE(caps >>> 16, 5)
  mid[7] = 21
  return concat([10], '8.0.36-covet-fake\0', head, mid, nonce.subarray(8), [0], `${plugin}\0`)
}

/**
 * A client may send its ClientHello right behind SSLRequest, so PacketStream has already read it;
 * TLSSocket over a net.Socket reads the socket's handle and would never see those bytes. It gets
 * a Duplex instead that yields them first, then the socket's data.
 */
export function withHead(socket: Socket, head: Buffer): Duplex {
  const duplex = new Duplex({
    read() {},
    write(chunk, _encoding, done) {
      socket.write(chunk, done)
    },
    final(done) {
      socket.end(done)
    },
    destroy(error, done) {
      socket.destroy()
      done(error)
    },
  })
  if (head.length > 0) duplex.push(head)
  socket.on('data', (chunk) => duplex.push(chunk))
  socket.on('end', () => duplex.push(null))
  socket.on('close', () => duplex.destroy())
  return duplex
}
