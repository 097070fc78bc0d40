import { ProtocolError } from '../../errors/classes.js'
import { ByteReader } from '../../internal/byte-reader.js'
import type { ByteWriter } from '../../internal/byte-writer.js'
import { Capability } from './constants.js'
import { beginPacket, endPacket } from './packets.js'

/**
 * The connection phase ("1 - Connecting", https://mariadb.com/docs/server/reference/clientserver-protocol/1-connecting/connection):
 * the server's Initial Handshake Packet (protocol version 10), the client's SSLRequest and
 * HandshakeResponse41.
 */

export interface Handshake {
  protocolVersion: number
  /** The version as the server sent it, e.g. '5.5.5-10.11.6-MariaDB-0+deb12u1'. */
  rawServerVersion: string
  /** Without MariaDB's "5.5.5-" replication prefix, e.g. '10.11.6-MariaDB-0+deb12u1'. */
  serverVersion: string
  /** True for MariaDB (by its version string, or CLIENT_MYSQL unset in the capabilities). */
  mariaDb: boolean
  connectionId: number
  /** The auth plugin data: 20 bytes for the built-in plugins (both parts, trailing NUL dropped). */
  scramble: Buffer
  /** Lower 32 capability bits. */
  capabilities: number
  /** MariaDB's extended capabilities (upper 32 bits); 0 from MySQL. */
  mariaDbCapabilities: number
  collation: number
  status: number
  /** The auth plugin the server proposes; mysql_native_password when it names none. */
  authPluginName: string
}

const MARIADB_PREFIX = '5.5.5-'

/** Parses an Initial Handshake Packet payload; throws ProtocolError for anything else. */
export function parseHandshake(payload: Buffer): Handshake {
  const r = new ByteReader(payload)
  const protocolVersion = r.uint8()
  if (protocolVersion !== 10) {
    throw new ProtocolError(`unsupported handshake protocol version ${protocolVersion} (expected 10)`)
  }
  const rawServerVersion = r.cstring()
  const connectionId = r.uint32LE()
  const scramble1 = r.bytes(8)
  r.skip(1)
  let capabilities = r.uint16LE()
  // A pre-4.1 server stops here; covet needs PROTOCOL_41 (checked by the caller).
  const collation = r.remaining > 0 ? r.uint8() : 0
  const status = r.remaining > 0 ? r.uint16LE() : 0
  if (r.remaining > 0) capabilities = (capabilities | (r.uint16LE() << 16)) >>> 0
  const authDataLength = r.remaining > 0 ? r.uint8() : 0
  let mariaDbCapabilities = 0
  if (r.remaining > 0) {
    r.skip(6)
    // "if (server_capabilities & CLIENT_MYSQL) string<4> filler else int<4> server capabilities 3rd part"
    const extended = r.uint32LE()
    if ((capabilities & Capability.MYSQL) === 0) mariaDbCapabilities = extended
  }
  let scramble: Buffer = Buffer.from(scramble1)
  if (capabilities & Capability.SECURE_CONNECTION && r.remaining > 0) {
    // MySQL: "$len = MAX(13, length of auth-plugin-data - 8)", the last byte being a NUL.
    const part2 = r.bytes(Math.min(r.remaining, Math.max(13, authDataLength - 8)))
    const end = part2.length > 0 && part2[part2.length - 1] === 0 ? part2.length - 1 : part2.length
    scramble = Buffer.concat([scramble1, part2.subarray(0, end)])
  }
  let authPluginName = 'mysql_native_password'
  if (capabilities & Capability.PLUGIN_AUTH && r.remaining > 0) {
    // Some servers omit the final NUL (MySQL bug #59453): the name then runs to the end.
    const rest = r.rest()
    const nul = rest.indexOf(0)
    authPluginName = rest.toString('utf8', 0, nul === -1 ? rest.length : nul)
  }
  const mariaDb = (capabilities & Capability.MYSQL) === 0 || rawServerVersion.includes('MariaDB')
  const serverVersion =
    mariaDb && rawServerVersion.startsWith(MARIADB_PREFIX)
      ? rawServerVersion.slice(MARIADB_PREFIX.length)
      : rawServerVersion
  return {
    protocolVersion,
    rawServerVersion,
    serverVersion,
    mariaDb,
    connectionId,
    scramble,
    capabilities,
    mariaDbCapabilities,
    collation,
    status,
    authPluginName,
  }
}

/** What the client sends in SSLRequest and HandshakeResponse41. */
export interface HandshakeResponse {
  /** Lower 32 capability bits the client asks for (a subset of the server's). */
  capabilities: number
  /** Upper 32 (MariaDB) bits; written only to a MariaDB server. */
  mariaDbCapabilities: number
  /** True when the server is MariaDB 10.2+ (CLIENT_MYSQL unset): the reserved bytes carry the upper bits. */
  extendedCapabilities: boolean
  maxPacketSize: number
  collation: number
  user: string
  authResponse: Uint8Array
  database: string | undefined
  authPluginName: string
  /** Connection attributes (CLIENT_CONNECT_ATTRS), e.g. _client_name. */
  attributes: Readonly<Record<string, string>>
}

/** The fixed 32-byte head shared by SSLRequest and HandshakeResponse41. */
function writeHead(w: ByteWriter, r: HandshakeResponse): void {
  w.uint32LE(r.capabilities >>> 0)
  w.uint32LE(r.maxPacketSize)
  w.uint8(r.collation & 0xff)
  w.bytes(RESERVED_19)
  w.uint32LE(r.extendedCapabilities ? r.mariaDbCapabilities >>> 0 : 0)
}

const RESERVED_19 = Buffer.alloc(19)

/** SSLRequest: the head of HandshakeResponse41 with CLIENT_SSL set; TLS starts after it. */
export function writeSslRequest(w: ByteWriter, r: HandshakeResponse, seq: number): number {
  const start = beginPacket(w)
  writeHead(w, { ...r, capabilities: r.capabilities | Capability.SSL })
  return endPacket(w, start, seq)
}

/** HandshakeResponse41 ("Handshake response packet"). */
export function writeHandshakeResponse(w: ByteWriter, r: HandshakeResponse, seq: number): number {
  const start = beginPacket(w)
  writeHead(w, r)
  w.cstring(r.user)
  if (r.capabilities & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) {
    w.lengthEncodedInt(r.authResponse.length).bytes(r.authResponse)
  } else {
    if (r.authResponse.length > 255) throw new ProtocolError('auth response longer than 255 bytes')
    w.uint8(r.authResponse.length).bytes(r.authResponse)
  }
  if (r.capabilities & Capability.CONNECT_WITH_DB) w.cstring(r.database ?? '')
  if (r.capabilities & Capability.PLUGIN_AUTH) w.cstring(r.authPluginName)
  if (r.capabilities & Capability.CONNECT_ATTRS) {
    const attrs = Object.entries(r.attributes)
    let length = 0
    for (const [k, v] of attrs) length += lenencSize(k) + lenencSize(v)
    w.lengthEncodedInt(length)
    for (const [k, v] of attrs) w.lengthEncodedString(k).lengthEncodedString(v)
  }
  return endPacket(w, start, seq)
}

function lenencSize(s: string): number {
  const n = Buffer.byteLength(s)
  return n + (n < 0xfb ? 1 : n <= 0xffff ? 3 : n <= 0xffffff ? 4 : 9)
}
