import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import type { CovetError } from '../../../src/errors/covet-error.js'
import type { DatabaseError } from '../../../src/errors/database-error.js'
import { MySqlConnection } from '../../../src/mysql/connection.js'
import { column, err, frame, lenenc, ok, textRow } from '../../unit/mysql/protocol/server-packets.js'
import { closeScriptedServers, queryText, scriptedServer as rogue } from './scripted-server.js'

/**
 * Faults only a fake server can make (DESIGN §5): garbage where a handshake or a result should be,
 * truncated rows, unsolicited packets, a stalled handshake, and a rogue LOCAL INFILE request.
 */
after(closeScriptedServers)

describe('a rogue or broken server', { timeout: 30_000 }, () => {
  it('garbage instead of the handshake: ERR_PROTOCOL', async () => {
    const { url } = await rogue({ greeting: frame([Buffer.from('\x09not a handshake')], 0) })
    await assert.rejects(MySqlConnection.connect(url), { code: 'ERR_PROTOCOL' })
    // An HTTP server: "GET" reads as a 5.5 MB packet that never completes; the deadline ends it.
    const http = await rogue({ greeting: Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n') })
    await assert.rejects(MySqlConnection.connect(`${http.url}&connect_timeout=2`), {
      code: 'ERR_CONNECT_TIMEOUT',
    })
  })

  it('a server that never greets: ERR_CONNECT_TIMEOUT', async () => {
    const { url } = await rogue({ greeting: null })
    await assert.rejects(MySqlConnection.connect(`${url}&connect_timeout=2`), { code: 'ERR_CONNECT_TIMEOUT' })
  })

  it('garbage in the middle of a result set fails it and the commands behind with ERR_PROTOCOL', async () => {
    const { url } = await rogue({
      script: (c, socket) => {
        if (queryText(c) === 'SELECT broken')
          socket.write(frame([lenenc(1), Buffer.from([0x03, 0x64, 0x65])]))
      },
    })
    const c = await MySqlConnection.connect(url)
    const first = c.query('SELECT broken').catch((e) => e)
    const behind = c.query('SELECT 2').catch((e) => e)
    assert.equal((await first).code, 'ERR_PROTOCOL')
    assert.equal((await behind).code, 'ERR_PROTOCOL')
    assert.equal(c.closed, true)
  })

  it('a row whose values run past its packet: ERR_PROTOCOL, not a wrong value', async () => {
    const { url } = await rogue({
      script: (_c, socket) => {
        socket.write(
          frame([
            lenenc(1),
            column({ name: 'a', type: 253 }),
            Buffer.from([10, 0x61, 0x62]),
            ok({ header: 0xfe }),
          ]),
        )
      },
    })
    const c = await MySqlConnection.connect(url)
    await assert.rejects(c.query('SELECT a'), { code: 'ERR_PROTOCOL' })
  })

  it('an unsolicited ERR ends the session with ERR_CONNECTION_CLOSED (cause: the server error), never a crash', async () => {
    const { url } = await rogue({
      script: (c, socket) => {
        if (queryText(c) === 'SELECT 1') {
          socket.write(
            frame([lenenc(1), column({ name: '1', type: 3 }), textRow(['1']), ok({ header: 0xfe })]),
          )
          socket.write(
            frame(
              [err(4031, 'HY000', 'The client was disconnected by the server because of inactivity.')],
              0,
            ),
          )
        }
      },
    })
    const c = await MySqlConnection.connect(url)
    const closed = new Promise<CovetError>((resolve) => c.onClose(resolve))
    assert.equal((await c.query<{ 1: number }>('SELECT 1'))[0]![1], 1)
    const error = await closed
    assert.equal(error.code, 'ERR_CONNECTION_CLOSED')
    assert.equal((error.cause as DatabaseError).errno, 4031)
  })

  it('unsolicited garbage while idle closes the connection through onClose', async () => {
    const { url } = await rogue({
      script: (c, socket) => {
        if (queryText(c) === 'DO 1') {
          socket.write(frame([ok()]))
          socket.write(frame([Buffer.from([0x42, 0x42])], 0))
        }
      },
    })
    const c = await MySqlConnection.connect(url)
    const closed = new Promise<CovetError>((resolve) => c.onClose(resolve))
    await c.query('DO 1')
    assert.equal((await closed).code, 'ERR_PROTOCOL')
  })

  it('a LOCAL INFILE request the query did not ask for gets an empty file: no file is read', async () => {
    const { url, received } = await rogue({
      script: (c, socket) => {
        if (queryText(c) === 'SELECT innocent')
          socket.write(frame([Buffer.from('\xfb/etc/passwd', 'latin1')]))
        else if (c.payload.length === 0)
          socket.write(frame([ok()], c.seq + 1)) // the empty packet ends the "file"
        else if (queryText(c) === 'SELECT after') {
          socket.write(
            frame([lenenc(1), column({ name: 'a', type: 3 }), textRow(['7']), ok({ header: 0xfe })]),
          )
        }
      },
    })
    const c = await MySqlConnection.connect(`${url}&localInfile=true`)
    const error = await c.query('SELECT innocent').catch((e) => e)
    assert.equal(error.code, 'ERR_UNSUPPORTED')
    assert.equal((await c.query<{ a: number }>('SELECT after'))[0]!.a, 7)
    // Between the two queries the client sent exactly one packet: empty, with the next sequence id.
    const at = received.findIndex((r) => queryText(r) === 'SELECT innocent')
    const answer = received.slice(at + 1, -1)
    assert.deepEqual(
      answer.map((r) => [r.payload.length, r.seq]),
      [[0, 2]],
    )
  })

  it('a LOCAL INFILE request with commands pipelined behind closes the connection: they would be read as the file', async () => {
    const { url, received } = await rogue({
      script: (c, socket) => {
        if (queryText(c) === 'SELECT first') socket.write(frame([Buffer.from('\xfb/etc/shadow', 'latin1')]))
      },
    })
    const c = await MySqlConnection.connect(url)
    const results = await Promise.all(
      [c.query('SELECT first'), c.query('SELECT second')].map((p) => p.catch((e) => e)),
    )
    assert.deepEqual(
      results.map((e) => e.code),
      ['ERR_PROTOCOL', 'ERR_PROTOCOL'],
    )
    assert.ok(
      received.every((r) => r.payload.length > 0),
      'no empty or file packet was sent',
    )
  })
})
