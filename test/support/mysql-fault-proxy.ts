import { createServer, connect as netConnect, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy in front of a real MySQL/MariaDB server for the one fault the server cannot make
 * on cue: an answer lost after the server acted on the command. Armed with `loseReplyTo(sql)`,
 * the next COM_QUERY from the client whose text is `sql` is forwarded, and when the server's
 * answer to it arrives the proxy closes both sockets instead of passing it on: the server has
 * run the command (COMMIT: committed), the client never hears so. Everything else is passed
 * through byte for byte; use it with `sslmode=disable` (it reads the client's packets).
 *
 * Client packets are read with the framing of the MariaDB client/server protocol ("Protocol
 * basics", packet header: 3-byte length, 1-byte sequence id); COM_QUERY is command byte 0x03 at
 * sequence id 0.
 */
export interface FaultProxy {
  readonly port: number
  /** The next COM_QUERY with exactly this text has its answer lost; resolves once that happened. */
  loseReplyTo(sql: string): Promise<void>
  close(): Promise<void>
}

const COM_QUERY = 0x03

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const sockets = new Set<Socket>()
  let armed: { sql: string; lost: () => void } | undefined

  const server: Server = createServer((client) => {
    const upstream = netConnect(target.port, target.host)
    sockets.add(client).add(upstream)
    let pending = Buffer.alloc(0)
    /** The answer of a matching command is the next thing the server sends on this connection. */
    let loseNext: (() => void) | undefined
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk])
      // Whole packets are forwarded as they complete, so a match is seen before it is passed on.
      while (pending.length >= 4) {
        const size = pending.readUIntLE(0, 3) + 4
        if (pending.length < size) break
        const packet = pending.subarray(0, size)
        pending = pending.subarray(size)
        const match = armed
        if (
          match !== undefined &&
          packet[3] === 0 &&
          packet[4] === COM_QUERY &&
          packet.subarray(5).toString('utf8') === match.sql
        ) {
          armed = undefined
          loseNext = match.lost
        }
        upstream.write(packet)
      }
    })
    upstream.on('data', (chunk) => {
      if (loseNext !== undefined) {
        const lost = loseNext
        loseNext = undefined
        end()
        lost()
        return
      }
      client.write(chunk)
    })
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', end)
    upstream.on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP port')

  return {
    port: address.port,
    loseReplyTo(sql) {
      return new Promise((resolve) => {
        armed = { sql, lost: resolve }
      })
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
