import { ConnectionError, QueryError } from '../errors/classes.js'
import type { CovetError } from '../errors/covet-error.js'
import type { PendingQuery } from './query-types.js'

/**
 * Keeps a silent server from hanging a caller forever (issue 14):
 *
 * - **Default deadline.** A query without its own `timeoutMs` fails with ERR_QUERY_TIMEOUT once
 *   `queryTimeoutMs` has passed since it was called, and a CancelRequest is sent when that is safe
 *   (QueryPipeline #sendCancel). Unlike `timeoutMs` it does not make the query a pipeline barrier,
 *   and it costs one clock read per query: a single timer is armed for the oldest query. All
 *   queries of a connection share the same timeout, so in call order their expiries only grow.
 * - **Silence after a cancel.** Once the query the server is working on (the first in flight) has
 *   settled early (deadline, timeoutMs, abort, result too large), the server must show it is
 *   alive: if no byte arrives for `cancelGraceMs` while that query still awaits its ReadyForQuery,
 *   the connection is destroyed (a stopped or unreachable server would otherwise hold the
 *   connection and every query behind it forever; TCP keepalive cannot tell a stopped process
 *   from a busy one). A live query at the head is never judged by this: its silence is its work.
 */
export interface WatchdogHost {
  /** Unsettled and settled queries still on the connection, in call order. */
  queries(): Iterable<PendingQuery>
  /** True while the first query in flight has settled early and still awaits its ReadyForQuery. */
  abandoned(): boolean
  /** Bytes received from the server so far. */
  received(): number
  /** The server stayed silent for cancelGraceMs with an abandoned query in flight. */
  stuck(error: CovetError): void
}

export class QueryWatchdog {
  readonly #timeoutMs: number
  readonly #graceMs: number
  readonly #host: WatchdogHost
  #deadline: NodeJS.Timeout | undefined
  #grace: NodeJS.Timeout | undefined
  #receivedAtArm = 0

  constructor(timeoutMs: number, graceMs: number, host: WatchdogHost) {
    this.#timeoutMs = timeoutMs
    this.#graceMs = graceMs
    this.#host = host
  }

  /** Gives `q` the default deadline (nothing when queryTimeoutMs is 0). */
  track(q: PendingQuery): void {
    if (this.#timeoutMs === 0) return
    q.expiresAt = performance.now() + this.#timeoutMs
    if (this.#deadline === undefined) this.#armDeadline(this.#timeoutMs)
  }

  #armDeadline(ms: number): void {
    // unref: a query in flight keeps the process alive through its socket, not through this timer.
    this.#deadline = setTimeout(this.#expire, Math.ceil(ms)).unref()
  }

  readonly #expire = (): void => {
    this.#deadline = undefined
    const now = performance.now()
    for (const q of this.#host.queries()) {
      if (q.settled || q.expiresAt === 0) continue
      if (q.expiresAt > now) {
        this.#armDeadline(q.expiresAt - now)
        return
      }
      q.fail(
        new QueryError(
          'ERR_QUERY_TIMEOUT',
          `the query took longer than queryTimeoutMs (${this.#timeoutMs} ms); pass timeoutMs to change it`,
        ),
        true,
      )
    }
  }

  /** The head query settled early: from now on the server must keep sending within cancelGraceMs. */
  watchSilence(): void {
    if (this.#grace !== undefined) return
    this.#receivedAtArm = this.#host.received()
    this.#grace = setTimeout(this.#checkSilence, this.#graceMs).unref()
  }

  readonly #checkSilence = (): void => {
    this.#grace = undefined
    if (!this.#host.abandoned()) return
    if (this.#host.received() !== this.#receivedAtArm) {
      this.watchSilence()
      return
    }
    this.#host.stuck(
      new ConnectionError(
        'ERR_CONNECTION_CLOSED',
        `the server sent nothing for cancelGraceMs (${this.#graceMs} ms) after a query was cancelled or timed out; the connection was closed`,
      ),
    )
  }

  stop(): void {
    clearTimeout(this.#deadline)
    clearTimeout(this.#grace)
    this.#deadline = undefined
    this.#grace = undefined
  }
}
