import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isCovetError } from '../../../../src/errors/covet-error.js'
import { ByteWriter } from '../../../../src/internal/byte-writer.js'
import { Capability, MariaDbCapability } from '../../../../src/mysql/protocol/constants.js'
import {
  type HandshakeResponse,
  parseHandshake,
  writeHandshakeResponse,
  writeSslRequest,
} from '../../../../src/mysql/protocol/handshake.js'
import { MARIADB_HANDSHAKE } from './server-packets.js'

/** A MySQL 8.0 handshake: CLIENT_MYSQL (long password) set, caching_sha2_password, no 5.5.5- prefix. */
function mysql8Handshake(): Buffer {
  const w = new ByteWriter()
  w.uint8(10).cstring('8.0.36').uint32LE(42).bytes(Buffer.from('abcdefgh')).uint8(0)
  const caps = 0xdfffffff
  w.uint16LE(caps & 0xffff)
    .uint8(255)
    .uint16LE(2)
    .uint16LE(caps >>> 16)
    .uint8(21)
  w.bytes(Buffer.alloc(6)).uint32LE(0x1f) // reserved bytes (not capabilities: CLIENT_MYSQL is set)
  w.bytes(Buffer.from('ijklmnopqrst')).uint8(0).cstring('caching_sha2_password')
  return w.toBuffer()
}

describe('parseHandshake (Initial Handshake Packet, protocol 10)', () => {
  it('reads a real MariaDB 10.11 handshake: strips 5.5.5-, reads the extended capabilities', () => {
    const h = parseHandshake(MARIADB_HANDSHAKE)
    assert.equal(h.protocolVersion, 10)
    assert.equal(h.rawServerVersion, '5.5.5-10.11.19-MariaDB-0+deb12u1')
    assert.equal(h.serverVersion, '10.11.19-MariaDB-0+deb12u1')
    assert.equal(h.mariaDb, true)
    assert.equal(h.connectionId, 5)
    assert.equal(h.scramble.length, 20)
    assert.equal(h.scramble.toString('latin1'), 't=o<wg~e_-_x]I4i6oO|')
    assert.equal(h.capabilities & Capability.MYSQL, 0)
    assert.ok(h.capabilities & Capability.DEPRECATE_EOF)
    assert.equal(
      h.mariaDbCapabilities,
      MariaDbCapability.PROGRESS |
        MariaDbCapability.STMT_BULK_OPERATIONS |
        MariaDbCapability.EXTENDED_METADATA |
        MariaDbCapability.CACHE_METADATA,
    )
    assert.equal(h.collation, 8)
    assert.equal(h.status, 2)
    assert.equal(h.authPluginName, 'mysql_native_password')
  })

  it('reads a MySQL 8 handshake: the reserved bytes are not capabilities', () => {
    const h = parseHandshake(mysql8Handshake())
    assert.equal(h.mariaDb, false)
    assert.equal(h.serverVersion, '8.0.36')
    assert.equal(h.mariaDbCapabilities, 0)
    assert.equal(h.scramble.toString(), 'abcdefghijklmnopqrst')
    assert.equal(h.authPluginName, 'caching_sha2_password')
    assert.equal(h.collation, 255)
  })

  it('takes a plugin name without its final NUL (MySQL bug #59453)', () => {
    const h = parseHandshake(mysql8Handshake().subarray(0, -1))
    assert.equal(h.authPluginName, 'caching_sha2_password')
  })

  it('refuses other protocol versions and every truncation before the capabilities with ERR_PROTOCOL', () => {
    const v9 = Buffer.from(MARIADB_HANDSHAKE)
    v9[0] = 9
    assert.throws(
      () => parseHandshake(v9),
      (e) => isCovetError(e) && e.code === 'ERR_PROTOCOL',
    )
    // Up to the end of the first capability word every prefix is incomplete.
    const capsEnd = 1 + MARIADB_HANDSHAKE.indexOf(0, 1) + 4 + 8 + 1 + 2
    for (let n = 0; n < capsEnd; n++) {
      assert.throws(
        () => parseHandshake(MARIADB_HANDSHAKE.subarray(0, n)),
        (e) => isCovetError(e) && e.code === 'ERR_PROTOCOL',
        `prefix of ${n} bytes`,
      )
    }
    // Longer prefixes parse or fail with ERR_PROTOCOL, never anything else.
    for (let n = capsEnd; n <= MARIADB_HANDSHAKE.length; n++) {
      try {
        parseHandshake(MARIADB_HANDSHAKE.subarray(0, n))
      } catch (e) {
        assert.ok(isCovetError(e) && e.code === 'ERR_PROTOCOL', `prefix of ${n} bytes: ${e}`)
      }
    }
  })
})

const response: HandshakeResponse = {
  capabilities:
    Capability.PROTOCOL_41 |
    Capability.SECURE_CONNECTION |
    Capability.PLUGIN_AUTH |
    Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA |
    Capability.CONNECT_WITH_DB |
    Capability.CONNECT_ATTRS,
  mariaDbCapabilities: MariaDbCapability.CACHE_METADATA,
  extendedCapabilities: true,
  maxPacketSize: 0x40000000,
  collation: 45,
  user: 'covet',
  authResponse: Buffer.from([1, 2, 3]),
  database: 'db',
  authPluginName: 'mysql_native_password',
  attributes: { _client_name: 'covet' },
}

describe('HandshakeResponse41 and SSLRequest writers', () => {
  it('write the fixed head, then user, lenenc auth data, database, plugin and attributes', () => {
    const w = new ByteWriter()
    assert.equal(writeHandshakeResponse(w, response, 1), 2)
    const out = w.view()
    assert.equal(out.readUIntLE(0, 3), out.length - 4)
    assert.equal(out[3], 1)
    assert.equal(out.readUInt32LE(4), response.capabilities)
    assert.equal(out.readUInt32LE(8), 0x40000000)
    assert.equal(out[12], 45)
    assert.ok(out.subarray(13, 32).equals(Buffer.alloc(19)))
    assert.equal(out.readUInt32LE(32), MariaDbCapability.CACHE_METADATA)
    const rest = out.subarray(36).toString('hex')
    const attrs =
      '13' + '0c' + Buffer.from('_client_name').toString('hex') + '05' + Buffer.from('covet').toString('hex')
    assert.equal(
      rest,
      Buffer.from('covet\0').toString('hex') +
        '03010203' +
        Buffer.from('db\0mysql_native_password\0').toString('hex') +
        attrs,
    )
  })

  it('leave the reserved bytes zero for MySQL and use a 1-byte auth length without LENENC_CLIENT_DATA', () => {
    const w = new ByteWriter()
    const caps = Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION
    writeHandshakeResponse(w, { ...response, capabilities: caps, extendedCapabilities: false }, 1)
    const out = w.view()
    assert.equal(out.readUInt32LE(32), 0)
    assert.equal(out.subarray(36).toString('hex'), `${Buffer.from('covet\0').toString('hex')}03010203`)
  })

  it('SSLRequest is the 32-byte head with CLIENT_SSL', () => {
    const w = new ByteWriter()
    writeSslRequest(w, response, 1)
    const out = w.view()
    assert.equal(out.length, 4 + 32)
    assert.equal(out.readUInt32LE(4), response.capabilities | Capability.SSL)
    assert.equal(out.readUInt32LE(32), MariaDbCapability.CACHE_METADATA)
  })
})
