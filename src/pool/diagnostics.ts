import { channel } from 'node:diagnostics_channel'

/**
 * The pool's `node:diagnostics_channel` channels (DESIGN §6.8, as undici does). Publishers check
 * `hasSubscribers` first, so an unobserved pool pays one property read per event.
 */
export const poolChannels = {
  /** `{ pool, connection, waitMs }` when a connection is handed to a borrower. */
  acquire: channel('covet:pool:acquire'),
  /** `{ pool, connection, heldMs }` when a borrower returns a connection. */
  release: channel('covet:pool:release'),
  /** `{ pool, connection, createMs }` on success, `{ pool, error, createMs }` on failure. */
  create: channel('covet:pool:create'),
  /** `{ pool, connection, reason }` when a connection is destroyed. */
  destroy: channel('covet:pool:destroy'),
  /** `{ pool, error }` when a waiter gives up after acquireTimeoutMs. */
  timeout: channel('covet:pool:timeout'),
  /** `{ breaker, from, to, cause }` on every circuit breaker state change. */
  breaker: channel('covet:pool:breaker'),
}
