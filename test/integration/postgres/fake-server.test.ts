import assert from 'node:assert/strict'
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'
import { after, describe, it } from 'node:test'
import { PgConnection } from '../../../src/postgres/connection.js'
import { encodeBackend } from '../../unit/postgres/protocol/backend-encoder.js'

/** A fake PostgreSQL server: `onStartup` runs when the StartupMessage arrives. */
async function fakeServer(onStartup: (socket: Socket) => void): Promise<{ port: number; server: Server }> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    // A CancelRequest (length 16, code 80877102) is answered the way PostgreSQL does: by closing.
    socket.once('data', (first: Buffer) => {
      if (first.length === 16 && first.readInt32BE(4) === 80_877_102) socket.destroy()
      else onStartup(socket)
    })
  })
  server.on('close', () => {
    for (const s of sockets) s.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  assert.ok(address && typeof address === 'object')
  return { port: address.port, server }
}

const ready = Buffer.concat([
  encodeBackend({ type: 'AuthenticationOk' }),
  encodeBackend({ type: 'BackendKeyData', processId: 1, secretKey: Buffer.from([1, 2, 3, 4]) }),
  encodeBackend({ type: 'ReadyForQuery', status: 'I' }),
])

const options = (port: number) => ({
  host: '127.0.0.1',
  port,
  user: 'u',
  database: 'd',
  sslmode: 'disable' as const,
  connectTimeoutMs: 500,
})

// Garbage and stalls from the peer end in a typed error, never a hang (issue 4, Tests).
describe('PgConnection against a misbehaving server', () => {
  const servers: Server[] = []
  after(() => {
    for (const s of servers) s.close()
  })
  const start = async (onStartup: (socket: Socket) => void) => {
    const f = await fakeServer(onStartup)
    servers.push(f.server)
    return f.port
  }

  it('garbage instead of a reply: ERR_PROTOCOL', async () => {
    const port = await start((s) => s.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')))
    await assert.rejects(PgConnection.connect(options(port)), { code: 'ERR_PROTOCOL' })
  })

  it('a message cut in the middle, then silence: ERR_CONNECT_TIMEOUT', async () => {
    const port = await start((s) => s.write(ready.subarray(0, 7)))
    await assert.rejects(PgConnection.connect(options(port)), { code: 'ERR_CONNECT_TIMEOUT' })
  })

  it('a message cut in the middle, then close: ERR_CONNECTION_CLOSED', async () => {
    const port = await start((s) => s.end(ready.subarray(0, 7)))
    await assert.rejects(PgConnection.connect(options(port)), { code: 'ERR_CONNECTION_CLOSED' })
  })

  it('garbage during a query: the query rejects with ERR_PROTOCOL', async () => {
    const port = await start((s) => {
      s.write(ready)
      s.once('data', () => s.write(Buffer.from([0x01, 0, 0, 0, 4])))
    })
    const conn = await PgConnection.connect(options(port))
    await assert.rejects(conn.query('select 1'), { code: 'ERR_PROTOCOL' })
    assert.equal(conn.closed, true)
  })

  it('silence during a query: timeoutMs settles it', async () => {
    const port = await start((s) => {
      s.write(ready)
      s.on('data', () => {})
    })
    const conn = await PgConnection.connect({ ...options(port), connectTimeoutMs: 2000 })
    await assert.rejects(conn.query('select 1', [], { timeoutMs: 100 }), { code: 'ERR_QUERY_TIMEOUT' })
    await conn.close()
  })

  it('an unsupported authentication method: ERR_AUTH', async () => {
    const port = await start((s) => s.write(encodeBackend({ type: 'AuthenticationGSS' })))
    await assert.rejects(PgConnection.connect(options(port)), { code: 'ERR_AUTH', message: /GSS/ })
  })

  it('SCRAM server that skips its signature: ERR_AUTH', async () => {
    const port = await start((s) =>
      s.write(
        Buffer.concat([
          encodeBackend({ type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256'] }),
          encodeBackend({ type: 'AuthenticationOk' }),
        ]),
      ),
    )
    await assert.rejects(PgConnection.connect({ ...options(port), password: 'x' }), {
      code: 'ERR_AUTH',
      message: /signature/,
    })
  })

  it('completes SCRAM-SHA-256 with a server written from RFC 5802, and refuses a forged signature', async () => {
    for (const forge of [false, true]) {
      const port = await start((s) => scramServer(s, 'pencil', forge))
      const attempt = PgConnection.connect({ ...options(port), password: 'pencil' })
      if (forge) await assert.rejects(attempt, { code: 'ERR_AUTH', message: /signature/ })
      else await (await attempt).close()
    }
  })

  it('answers MD5 with md5(md5(password + user) + salt)', async () => {
    const salt = Buffer.from([9, 8, 7, 6])
    const inner = createHash('md5').update('secretu').digest('hex')
    const expected = `md5${createHash('md5').update(inner).update(salt).digest('hex')}\0`
    const port = await start((s) => {
      s.write(encodeBackend({ type: 'AuthenticationMD5Password', salt }))
      s.once('data', (reply: Buffer) => {
        assert.equal(reply.subarray(5).toString(), expected)
        s.write(ready)
      })
    })
    await (await PgConnection.connect({ ...options(port), password: 'secret' })).close()
  })
})

/** The server side of SCRAM-SHA-256 (RFC 5802 §3), enough to check the client end to end. */
function scramServer(s: Socket, password: string, forgeSignature: boolean): void {
  const salt = randomBytes(16)
  const iterations = 4096
  s.write(encodeBackend({ type: 'AuthenticationSASL', mechanisms: ['SCRAM-SHA-256'] }))
  s.once('data', (initial: Buffer) => {
    // 'p', Int32 length, "SCRAM-SHA-256\0", Int32 length, client-first-message
    const body = initial.subarray(5 + 'SCRAM-SHA-256'.length + 1 + 4).toString()
    const clientFirstBare = body.slice(body.indexOf('n=', 3))
    const nonce = `${/r=([^,]+)/.exec(clientFirstBare)![1]}server-part`
    const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${iterations}`
    s.write(encodeBackend({ type: 'AuthenticationSASLContinue', data: Buffer.from(serverFirst) }))
    s.once('data', (final: Buffer) => {
      const clientFinal = final.subarray(5).toString()
      const withoutProof = clientFinal.slice(0, clientFinal.indexOf(',p='))
      const auth = `${clientFirstBare},${serverFirst},${withoutProof}`
      const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256')
      const clientKey = createHmac('sha256', salted).update('Client Key').digest()
      const storedKey = createHash('sha256').update(clientKey).digest()
      const signature = createHmac('sha256', storedKey).update(auth).digest()
      const proof = Buffer.from(clientFinal.slice(clientFinal.indexOf(',p=') + 3), 'base64')
      for (let i = 0; i < proof.length; i++) proof[i]! ^= signature[i]!
      assert.equal(createHash('sha256').update(proof).digest('hex'), storedKey.toString('hex'))
      const serverKey = createHmac('sha256', salted).update('Server Key').digest()
      const serverSignature = createHmac('sha256', serverKey).update(auth).digest()
      if (forgeSignature) serverSignature[0]! ^= 1
      const serverFinal = Buffer.from(`v=${serverSignature.toString('base64')}`)
      s.write(Buffer.concat([encodeBackend({ type: 'AuthenticationSASLFinal', data: serverFinal }), ready]))
    })
  })
}
