import type { PgConfig } from './config.js'
import { openSocket } from './connect-socket.js'
import { writeCancelRequest } from './protocol/frontend.js'
import { MessageBuffer } from './protocol/message-buffer.js'

/**
 * Sends a CancelRequest on a new connection (§55.2.9 "Canceling Requests in Progress") and
 * resolves once the server has closed it, i.e. once the postmaster has signalled the backend.
 * Failures are swallowed: a cancel is best effort and the query's own promise reports the outcome.
 */
export async function sendCancelRequest(
  config: PgConfig,
  tls: boolean,
  processId: number,
  secretKey: Buffer,
  timeoutMs = 5000,
): Promise<void> {
  let socket: Awaited<ReturnType<typeof openSocket>>['socket'] | undefined
  try {
    socket = (await openSocket(config, tls)).socket
    const s = socket
    const w = new MessageBuffer(32)
    writeCancelRequest(w, processId, secretKey)
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      s.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      s.on('error', () => {})
      s.on('data', () => {})
      s.write(w.take())
    })
  } catch {
    // Best effort, see above.
  } finally {
    socket?.destroy()
  }
}
