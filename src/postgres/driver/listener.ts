import { InvalidArgumentError } from '../../errors/classes.js'
import type { CovetError } from '../../errors/covet-error.js'
import type { Notification, PgConnection } from '../connection.js'
import { callHandler } from '../connection-options.js'
import { quoteIdentifier } from './dialect.js'

export type NotificationHandler = (payload: string, notification: Notification) => void

/**
 * LISTEN on one dedicated connection (issue 5), never a pooled one: a pooled connection is reset
 * (UNLISTEN *) when released, and notifications arrive only while the session lives. When that
 * connection fails, it is re-opened with a doubling backoff (250 ms to 10 s) and every channel is
 * LISTENed again in one round trip. Notifications sent while it was down are lost: PostgreSQL
 * queues them only for sessions that are listening (docs: NOTIFY).
 */
export class NotificationListener {
  readonly #connect: (onNotification: (n: Notification) => void) => Promise<PgConnection>
  readonly #handlers = new Map<string, Set<NotificationHandler>>()
  #conn: PgConnection | undefined
  #opening: Promise<PgConnection> | undefined
  #retryTimer: NodeJS.Timeout | undefined
  #backoffMs = 250
  #closed = false
  reconnects = 0

  constructor(connect: (onNotification: (n: Notification) => void) => Promise<PgConnection>) {
    this.#connect = connect
  }

  get connected(): boolean {
    return this.#conn !== undefined && !this.#conn.closed
  }

  get channels(): number {
    return this.#handlers.size
  }

  /** Subscribes `handler` to `channel`; resolves once the server has the LISTEN. */
  async listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    if (typeof handler !== 'function')
      throw new InvalidArgumentError('listen(channel, handler): handler must be a function')
    const quoted = quoteIdentifier(channel)
    let set = this.#handlers.get(channel)
    const first = set === undefined
    if (set === undefined) {
      set = new Set()
      this.#handlers.set(channel, set)
    }
    set.add(handler)
    if (first) {
      try {
        const conn = await this.#connection()
        await conn.query(`LISTEN ${quoted}`, [], { simple: true })
      } catch (error) {
        set.delete(handler)
        if (set.size === 0) this.#handlers.delete(channel)
        throw error
      }
    }
    let done = false
    return async () => {
      if (done) return
      done = true
      set.delete(handler)
      if (set.size !== 0 || this.#handlers.get(channel) !== set) return
      this.#handlers.delete(channel)
      const conn = this.#conn
      if (conn !== undefined && !conn.closed) await conn.query(`UNLISTEN ${quoted}`, [], { simple: true })
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#retryTimer)
    this.#handlers.clear()
    const conn = this.#conn ?? (await this.#opening?.catch(() => undefined))
    this.#conn = undefined
    await conn?.close()
  }

  #connection(): Promise<PgConnection> {
    if (this.#conn !== undefined && !this.#conn.closed) return Promise.resolve(this.#conn)
    this.#opening ??= this.#connect((n) => this.#deliver(n)).then(
      (conn) => {
        this.#opening = undefined
        if (this.#closed) {
          void conn.close()
          throw new InvalidArgumentError('the driver is closed')
        }
        this.#conn = conn
        this.#backoffMs = 250
        conn.onClose((error) => this.#lost(conn, error))
        return conn
      },
      (error: unknown) => {
        this.#opening = undefined
        throw error
      },
    )
    return this.#opening
  }

  #deliver(n: Notification): void {
    const set = this.#handlers.get(n.channel)
    if (set === undefined) return
    for (const handler of set) callHandler((value: Notification) => handler(value.payload, value), n)
  }

  /** The listening session ended: reconnect and LISTEN again, unless the driver closed it. */
  #lost(conn: PgConnection, _error: CovetError): void {
    if (this.#conn === conn) this.#conn = undefined
    if (this.#closed || this.#handlers.size === 0) return
    this.#scheduleReconnect()
  }

  #scheduleReconnect(): void {
    if (this.#retryTimer !== undefined || this.#closed) return
    const delay = this.#backoffMs
    this.#backoffMs = Math.min(this.#backoffMs * 2, 10_000)
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      void this.#relisten()
    }, delay)
    this.#retryTimer.unref()
  }

  async #relisten(): Promise<void> {
    if (this.#closed || this.#handlers.size === 0) return
    try {
      const conn = await this.#connection()
      const channels = [...this.#handlers.keys()]
      if (channels.length > 0) {
        await conn.query(channels.map((c) => `LISTEN ${quoteIdentifier(c)}`).join('; '), [], { simple: true })
      }
      this.reconnects++
    } catch {
      this.#scheduleReconnect()
    }
  }
}
