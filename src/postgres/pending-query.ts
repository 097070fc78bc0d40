import { InvalidArgumentError, QueryError } from '../errors/classes.js'
import type { PendingQuery, QueryBatch } from './query-types.js'

export type { QueryBatch } from './query-types.js'

export interface EnqueueOptions {
  prepare: boolean
  simple: boolean
  maxResultBytes: number
  signal: AbortSignal | undefined
  /** Own deadline (a pipeline barrier, see QueryPipeline); 0 = none, not even the default. */
  timeoutMs: number | undefined
  /** Without its own timeoutMs, the query gets the connection's queryTimeoutMs (not streams, COPY). */
  defaultDeadline: boolean
  /** Captured by the caller with Error.captureStackTrace; formatted only if the query fails. */
  callSite: { stack?: string } | undefined
  sink?: { push(row: unknown): void } | undefined
  /** Statements of an atomic batch share one: after a failure, the rest are never written. */
  batch?: QueryBatch | undefined
}

/** setTimeout's largest delay; a longer one would fire at once (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1

/** Bind's parameter count is an Int16 the server reads as unsigned: PQ_QUERY_PARAM_MAX_LIMIT (§55.7). */
const MAX_PARAMETERS = 65_535

/**
 * What the writers would refuse, checked before the query is queued: a writer that throws
 * inside the pipeline's pump (a microtask) would crash the process (issue 14).
 */
function inputError(sql: string, params: readonly unknown[]): InvalidArgumentError | undefined {
  if (sql.includes('\0')) {
    return new InvalidArgumentError('sql must not contain a NUL character (it ends a protocol String)')
  }
  if (params.length > MAX_PARAMETERS) {
    return new InvalidArgumentError(
      `a statement takes at most ${MAX_PARAMETERS} parameters (the protocol's limit), ${params.length} given`,
    )
  }
  return undefined
}

/**
 * Builds the pipeline's record of one query: settles once, wires the AbortSignal and timeoutMs
 * to a rejection plus a cancel request (issue 4, "Cancel & timeouts"), and detaches both on
 * settlement. Returns undefined when the query is already settled (bad input, signal aborted, bad
 * timeout).
 */
export function createPendingQuery(
  sql: string,
  params: readonly unknown[],
  options: EnqueueOptions,
  resolve: (value: unknown) => void,
  reject: (error: unknown) => void,
  requestCancel: (q: PendingQuery) => void,
): PendingQuery | undefined {
  const { signal, timeoutMs } = options
  let timer: NodeJS.Timeout | undefined
  const onAbort = () =>
    q.fail(
      new QueryError('ERR_QUERY_CANCELLED', 'the query was cancelled by its AbortSignal', {
        cause: signal?.reason,
      }),
      true,
    )
  const cleanup = () => {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
  const ownTimeout = timeoutMs !== undefined && timeoutMs > 0
  const q: PendingQuery = {
    sql,
    params,
    mode: options.simple ? 'simple' : 'extended',
    prepare: options.prepare,
    maxResultBytes: options.maxResultBytes,
    cancellable: signal !== undefined || ownTimeout,
    callSite: options.callSite,
    sink: options.sink,
    batch: options.batch,
    seq: 0,
    expiresAt: 0,
    statement: undefined,
    retried: false,
    settled: false,
    cancelRequested: false,
    resolve: (value) => {
      if (q.settled) return
      q.settled = true
      cleanup()
      resolve(value)
    },
    fail: (error, cancel = false) => {
      if (q.settled) return
      q.settled = true
      cleanup()
      // The first failure of a batch stops the statements behind it (QueryPipeline #pump).
      if (q.batch !== undefined) q.batch.failure ??= error
      reject(error)
      if (cancel) requestCancel(q)
    },
  }
  const refused = inputError(sql, params)
  if (refused !== undefined) {
    q.fail(refused)
    return undefined
  }
  if (signal?.aborted) {
    onAbort()
    return undefined
  }
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== 'number' || !(timeoutMs >= 0) || timeoutMs > MAX_TIMER_MS)
  ) {
    q.fail(new InvalidArgumentError('timeoutMs must be a number of ms from 0 (no deadline) to 2^31-1'))
    return undefined
  }
  signal?.addEventListener('abort', onAbort, { once: true })
  if (ownTimeout) {
    timer = setTimeout(
      () => q.fail(new QueryError('ERR_QUERY_TIMEOUT', `the query took longer than ${timeoutMs} ms`), true),
      timeoutMs,
    )
  }
  return q
}
