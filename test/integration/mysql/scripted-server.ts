import { createServer, type Server, type Socket } from 'node:net'
import { ByteWriter } from '../../../src/internal/byte-writer.js'
import { Capability, MariaDbCapability } from '../../../src/mysql/protocol/constants.js'
import { PacketReader } from '../../../src/mysql/protocol/packets.js'
import { column, eof, frame, lenenc, ok, textRow } from '../../unit/mysql/protocol/server-packets.js'

/**
 * A scripted MySQL server for what the harness MariaDB cannot show (DESIGN §5): faults, and the
 * MySQL-side paths (no statement id -1 pipelining, EOF packets without CLIENT_DEPRECATE_EOF). It
 * speaks just enough: a MySQL-style handshake (no TLS), OK to any login, answers to covet's
 * session set-up, then what each test scripts. Every packet the client sent is in `received`.
 */
export interface Received {
  payload: Buffer
  seq: number
}
export type Script = (command: Received, socket: Socket, all: Received[]) => void

export interface ScriptedServerOptions {
  /** The greeting to send instead of the handshake; null sends nothing. */
  greeting?: Buffer | null
  /** Offer CLIENT_DEPRECATE_EOF. Default true. */
  deprecateEof?: boolean
  /** Greet as MariaDB 10.2+ (CLIENT_MYSQL unset, MARIADB_CLIENT_STMT_BULK_OPERATIONS offered). */
  mariaDb?: boolean
  script?: Script
}

const servers: Server[] = []
const sockets = new Set<Socket>()

/** Closes every scripted server and the connections to them (for after()). */
export async function closeScriptedServers(): Promise<void> {
  for (const socket of sockets) socket.destroy()
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
}

export const queryText = (c: Received): string => (c.payload[0] === 0x03 ? c.payload.toString('utf8', 1) : '')

function handshake(deprecateEof: boolean, mariaDb: boolean): Buffer {
  const caps =
    (mariaDb ? 0 : Capability.MYSQL) |
    Capability.PROTOCOL_41 |
    Capability.SECURE_CONNECTION |
    Capability.PLUGIN_AUTH |
    (deprecateEof ? Capability.DEPRECATE_EOF : 0) |
    Capability.LOCAL_FILES |
    Capability.TRANSACTIONS
  const w = new ByteWriter()
  w.uint8(10)
    .cstring(mariaDb ? '5.5.5-10.11.0-MariaDB-scripted' : '8.0.36-scripted')
    .uint32LE(99)
    .bytes(Buffer.from('abcdefgh'))
    .uint8(0)
  w.uint16LE(caps & 0xffff)
    .uint8(45)
    .uint16LE(2)
    .uint16LE(caps >>> 16)
    .uint8(21)
  w.bytes(Buffer.alloc(6)).uint32LE(mariaDb ? MariaDbCapability.STMT_BULK_OPERATIONS : 0)
  w.bytes(Buffer.from('ijklmnopqrst')).uint8(0).cstring('mysql_native_password')
  return w.toBuffer()
}

/** Answers covet's session set-up: the SET, then SELECT @@max_prepared_stmt_count. */
function setUp(command: Received, socket: Socket, deprecateEof: boolean): boolean {
  const sql = queryText(command)
  if (sql.startsWith('SET ')) socket.write(frame([ok()]))
  else if (sql.includes('max_prepared_stmt_count')) {
    const head = [lenenc(1), column({ name: 'n', type: 8 })]
    socket.write(
      frame(
        deprecateEof
          ? [...head, textRow(['16382']), ok({ header: 0xfe })]
          : [...head, eof(), textRow(['16382']), eof()],
      ),
    )
  } else return false
  return true
}

export async function scriptedServer(
  options: ScriptedServerOptions,
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = []
  const deprecateEof = options.deprecateEof ?? true
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    if (options.greeting === null) return // stall: say nothing
    socket.write(options.greeting ?? frame([handshake(deprecateEof, options.mariaDb ?? false)], 0))
    const packets = new PacketReader()
    let loggedIn = false
    socket.on('data', (chunk) => {
      packets.feed(chunk)
      for (let p = packets.read(); p !== undefined; p = packets.read()) {
        const command = { payload: Buffer.from(p), seq: packets.sequenceId }
        received.push(command)
        if (!loggedIn) {
          loggedIn = true
          socket.write(frame([ok()], 2))
        } else if (!setUp(command, socket, deprecateEof)) options.script?.(command, socket, received)
      }
    })
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  return { url: `mysql://u:p@127.0.0.1:${port}/db?sslmode=disable`, received }
}
