import { InvalidArgumentError, QueryError } from '../errors/classes.js'
import type { PendingQuery } from './query-types.js'

export interface EnqueueOptions {
  prepare: boolean
  simple: boolean
  maxResultBytes: number
  signal: AbortSignal | undefined
  timeoutMs: number | undefined
  /** Captured by the caller with Error.captureStackTrace; formatted only if the query fails. */
  callSite: { stack?: string } | undefined
  sink?: { push(row: unknown): void } | undefined
}

/**
 * Builds the pipeline's record of one query: settles once, wires the AbortSignal and timeoutMs
 * to a rejection plus a cancel request (issue 4, "Cancel & timeouts"), and detaches both on
 * settlement. Returns undefined when the query is already settled (signal aborted, bad timeout).
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
  const q: PendingQuery = {
    sql,
    params,
    mode: options.simple ? 'simple' : 'extended',
    prepare: options.prepare,
    maxResultBytes: options.maxResultBytes,
    cancellable: signal !== undefined || timeoutMs !== undefined,
    callSite: options.callSite,
    sink: options.sink,
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
      reject(error)
      if (cancel) requestCancel(q)
    },
  }
  if (signal?.aborted) {
    onAbort()
    return undefined
  }
  if (timeoutMs !== undefined && !(timeoutMs > 0)) {
    q.fail(new InvalidArgumentError('timeoutMs must be a positive number'))
    return undefined
  }
  signal?.addEventListener('abort', onAbort, { once: true })
  if (timeoutMs !== undefined) {
    timer = setTimeout(
      () => q.fail(new QueryError('ERR_QUERY_TIMEOUT', `the query took longer than ${timeoutMs} ms`), true),
      timeoutMs,
    )
  }
  return q
}
