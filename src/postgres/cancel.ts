import type { PgConfig } from './config.js'
import { openSocket } from './connect-socket.js'
import { writeCancelRequest } from './protocol/frontend.js'
import { MessageBuffer } from './protocol/message-buffer.js'

/**
 * Sends a CancelRequest on a new connection (§55.2.9 "Canceling Requests in Progress") and
 * resolves once the server has closed it, i.e. once the postmaster has signalled the backend.
 * Failures are swallowed: a cancel is best effort and the query's own promise reports the outcome.
 *
 * `timeoutMs` bounds all of it, connect and TLS included (issue 14): the pipeline writes nothing
 * while a cancel is outstanding, so a cancel that hung (a stopped server accepts the TCP
 * connection from its backlog and never answers) would block the connection for good.
 */
export async function sendCancelRequest(
  config: PgConfig,
  tls: boolean,
  processId: number,
  secretKey: Buffer,
  timeoutMs: number,
): Promise<void> {
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), timeoutMs)
  let socket: Awaited<ReturnType<typeof openSocket>>['socket'] | undefined
  try {
    socket = (await openSocket(config, tls, { signal: deadline.signal })).socket
    const s = socket
    const w = new MessageBuffer(32)
    writeCancelRequest(w, processId, secretKey)
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve())
      deadline.signal.addEventListener('abort', () => resolve(), { once: true })
      s.on('error', () => {})
      s.on('data', () => {})
      s.write(w.take())
    })
  } catch {
    // Best effort, see above.
  } finally {
    clearTimeout(timer)
    socket?.destroy()
  }
}
