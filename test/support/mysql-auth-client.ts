import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { AuthExchange } from '../../src/mysql/auth/exchange.js'
import { CLIENT, cstring, frame, lenenc, type Packet, PacketStream, readLenenc } from './mysql-packets.js'

/**
 * A minimal MySQL client that drives covet's AuthExchange over a socket, with its own framing
 * (mysql-packets.ts): the auth layer tested against real servers and the fake server on its own,
 * apart from MySqlConnection. Handshake V10 → [SSLRequest → TLS] → HandshakeResponse41 → auth
 * packets until OK/ERR; then text queries (COM_QUERY, EOF-terminated result sets).
 */

export interface RawClientOptions {
  host: string
  port: number
  user: string
  password?: string | undefined
  database?: string
  /** Send SSLRequest and upgrade; `verify` checks the chain against `ca` and the host name. */
  tls?: { ca: string; servername: string; verify: boolean }
  allowCleartextPassword?: boolean
  allowPublicKeyRetrieval?: boolean
  serverPublicKey?: string
  /** Name this plugin in the handshake response instead of the server's default (tests the mismatch path). */
  handshakePlugin?: string
}

export class RawServerError extends Error {
  constructor(
    readonly errno: number,
    readonly sqlState: string,
    message: string,
  ) {
    super(`server ERR ${errno} (${sqlState}): ${message}`)
  }
}

export interface RawSession {
  serverPlugin: string
  /** The plugin that authenticated (after any switch). */
  pluginName: string
  tlsVerified: boolean
  /** Every auth payload the client sent, in order (for "never sent in clear" checks). */
  sent: Buffer[]
  query(sql: string): Promise<(string | null)[][]>
  close(): void
}

const UTF8MB4_GENERAL_CI = 45

function parseErr(payload: Buffer): RawServerError {
  const errno = payload.readUInt16LE(1)
  const hasState = payload[3] === 0x23 // '#'
  return new RawServerError(
    errno,
    hasState ? payload.toString('latin1', 4, 9) : 'HY000',
    payload.toString('utf8', hasState ? 9 : 3),
  )
}

/** Handshake V10: the plugin name and the 20-byte nonce (part 1 + part 2 without its NUL). */
function parseHandshake(p: Buffer): { capabilities: number; nonce: Buffer; plugin: string } {
  if (p[0] === 0xff) throw parseErr(p)
  let pos = cstring(p, 1)[1] + 4
  const part1 = p.subarray(pos, pos + 8)
  pos += 9
  let capabilities = p.readUInt16LE(pos)
  pos += 5
  capabilities = (capabilities | (p.readUInt16LE(pos) << 16)) >>> 0
  const dataLength = p[pos + 2]!
  pos += 13
  const part2Length = Math.max(13, dataLength - 8)
  const part2 = p.subarray(pos, pos + part2Length - 1)
  const plugin = cstring(p, pos + part2Length)[0]
  return { capabilities, nonce: Buffer.concat([part1, part2]), plugin }
}

export async function rawConnect(o: RawClientOptions): Promise<RawSession> {
  let socket: Socket = netConnect(o.port, o.host)
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  const stream = new PacketStream(socket)
  const sent: Buffer[] = []
  try {
    const hello = parseHandshake((await stream.next()).payload)
    let seq = 1
    let caps =
      CLIENT.LONG_PASSWORD |
      CLIENT.PROTOCOL_41 |
      CLIENT.TRANSACTIONS |
      CLIENT.SECURE_CONNECTION |
      CLIENT.PLUGIN_AUTH |
      CLIENT.PLUGIN_AUTH_LENENC_CLIENT_DATA
    if (o.database !== undefined) caps |= CLIENT.CONNECT_WITH_DB
    const fixed = () => {
      const b = Buffer.alloc(32)
      b.writeUInt32LE(caps >>> 0, 0)
      b.writeUInt32LE(1 << 24, 4)
      b[8] = UTF8MB4_GENERAL_CI
      return b
    }
    let tlsVerified = false
    if (o.tls) {
      if ((hello.capabilities & CLIENT.SSL) === 0) throw new Error('the server does not offer TLS')
      caps |= CLIENT.SSL
      socket.write(frame(seq++, fixed()))
      stream.detach()
      const secure = tlsConnect({
        socket,
        ca: o.tls.ca,
        servername: o.tls.servername,
        rejectUnauthorized: o.tls.verify,
      })
      await new Promise<void>((resolve, reject) =>
        secure.once('secureConnect', resolve).once('error', reject),
      )
      tlsVerified = o.tls.verify && secure.authorized
      socket = secure
      stream.attach(secure)
    }
    const exchange = new AuthExchange(
      {
        user: o.user,
        password: o.password,
        tlsActive: o.tls !== undefined,
        tlsVerified,
        allowCleartextPassword: o.allowCleartextPassword ?? false,
        allowPublicKeyRetrieval: o.allowPublicKeyRetrieval ?? false,
        serverPublicKey: o.serverPublicKey,
      },
      o.handshakePlugin ?? hello.plugin,
      hello.nonce,
    )
    const auth = exchange.initialResponse()
    sent.push(auth)
    socket.write(
      frame(
        seq,
        Buffer.concat([
          fixed(),
          Buffer.from(`${o.user}\0`),
          lenenc(auth.length),
          auth,
          o.database !== undefined ? Buffer.from(`${o.database}\0`) : Buffer.alloc(0),
          Buffer.from(`${exchange.pluginName}\0`),
        ]),
      ),
    )
    for (;;) {
      const packet: Packet = await stream.next()
      if (packet.payload[0] === 0x00) break
      if (packet.payload[0] === 0xff) throw parseErr(packet.payload)
      const reply = exchange.onPacket(packet.payload)
      if (reply !== undefined) {
        sent.push(reply)
        socket.write(frame(packet.seq + 1, reply))
      }
    }
    const live = socket
    return {
      serverPlugin: hello.plugin,
      pluginName: exchange.pluginName,
      tlsVerified,
      sent,
      query: (sql) => textQuery(live, stream, sql),
      close: () => live.destroy(),
    }
  } catch (error) {
    socket.destroy()
    throw error
  }
}

/** COM_QUERY with the text protocol: rows of strings (NULL as null), EOF packets between parts. */
async function textQuery(socket: Socket, stream: PacketStream, sql: string): Promise<(string | null)[][]> {
  socket.write(frame(0, Buffer.concat([Buffer.from([0x03]), Buffer.from(sql)])))
  const first = (await stream.next()).payload
  if (first[0] === 0xff) throw parseErr(first)
  if (first[0] === 0x00) return []
  const columns = readLenenc(first, 0)[0]
  for (let i = 0; i < columns; i++) await stream.next()
  await stream.next() // EOF after the column definitions
  const rows: (string | null)[][] = []
  for (;;) {
    const row = (await stream.next()).payload
    if (row[0] === 0xfe && row.length < 9) return rows
    if (row[0] === 0xff) throw parseErr(row)
    const values: (string | null)[] = []
    let pos = 0
    for (let i = 0; i < columns; i++) {
      if (row[pos] === 0xfb) {
        values.push(null)
        pos++
        continue
      }
      const [length, start] = readLenenc(row, pos)
      values.push(row.toString('utf8', start, start + length))
      pos = start + length
    }
    rows.push(values)
  }
}
