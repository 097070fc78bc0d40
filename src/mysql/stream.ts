import type { Socket } from 'node:net'
import { InvalidArgumentError } from '../errors/classes.js'
import { RowStream } from '../internal/row-stream.js'
import { positiveInteger, type StreamOptions } from './connection-options.js'
import type { MySqlResult } from './handlers.js'
import type { Pipeline } from './pipeline.js'
import { ServerStatus } from './protocol/constants.js'
import type { OkPacket } from './protocol/messages.js'
import type { PreparedStatement } from './statements.js'

/**
 * Streamed results, two ways:
 *
 * - Without `fetchSize` the statement runs as usual and its rows flow through a RowStream that
 *   pauses the socket while `highWaterMark` rows wait: the server blocks on its send buffer, so
 *   client memory stays bounded. Breaking out of the loop sends KILL QUERY and drops the rest.
 *   Nothing is pipelined behind it meanwhile (an internal signal makes it a barrier).
 * - With `fetchSize` it opens a server-side cursor (COM_STMT_EXECUTE, CURSOR_TYPE_READ_ONLY) on a
 *   statement of its own and asks for `fetchSize` rows at a time (COM_STMT_FETCH) only while the
 *   consumer keeps up; the connection stays usable between fetches. Ending the loop closes the
 *   statement, and with it the cursor. MariaDB materialises a cursor's result on the server.
 */
export function streamRows<T>(
  pipeline: Pipeline,
  socket: Socket,
  sql: string,
  params: readonly unknown[],
  options: StreamOptions,
  caller: (...args: never) => unknown,
): AsyncIterableIterator<T> {
  if (typeof sql !== 'string') throw new InvalidArgumentError('sql must be a string')
  if (!Array.isArray(params)) throw new InvalidArgumentError('params must be an array')
  const highWaterMark = positiveInteger('highWaterMark', options.highWaterMark, 1000)
  // A stream's errors reach the caller through its iterator, outside any await of this call:
  // capture the call site now, once per stream.
  const callSite: { stack?: string } = {}
  Error.captureStackTrace(callSite, caller)
  if (options.fetchSize !== undefined) {
    const fetchSize = positiveInteger('fetchSize', options.fetchSize, 0)
    return cursorStream<T>(pipeline, sql, params, options, highWaterMark, fetchSize, callSite)
  }
  const stop = new AbortController()
  const outer = options.signal
  const onOuterAbort = () => stop.abort(outer?.reason)
  if (outer?.aborted) onOuterAbort()
  else outer?.addEventListener('abort', onOuterAbort, { once: true })
  const rows = new RowStream<T>(
    highWaterMark,
    { pause: () => socket.pause(), resume: () => socket.resume() },
    () => stop.abort(),
  )
  pipeline
    .enqueue('execute', sql, params, {
      signal: stop.signal,
      timeoutMs: options.timeoutMs,
      sink: rows,
      callSite,
    })
    .then(
      () => rows.end(),
      (err) => rows.fail(err),
    )
    .finally(() => outer?.removeEventListener('abort', onOuterAbort))
  return rows
}

interface CursorOpen {
  opened: boolean
  statement: PreparedStatement | undefined
  result: MySqlResult<unknown>
}

function cursorStream<T>(
  pipeline: Pipeline,
  sql: string,
  params: readonly unknown[],
  options: StreamOptions,
  highWaterMark: number,
  fetchSize: number,
  callSite: { stack?: string },
): AsyncIterableIterator<T> {
  let statement: PreparedStatement | undefined
  let fetching = false
  let done = false
  let paused = false
  let closed = false
  let released = false
  const release = () => {
    if (released || statement === undefined) return
    released = true
    pipeline.closeStatement(statement.id)
  }
  const rows = new RowStream<T>(
    highWaterMark,
    {
      pause: () => {
        paused = true
      },
      resume: () => {
        paused = false
        next()
      },
    },
    () => {
      closed = true
      release()
    },
  )
  const finish = (error?: unknown) => {
    done = true
    release()
    if (error === undefined) rows.end()
    else rows.fail(error)
  }
  const next = () => {
    if (fetching || done || paused || closed || statement === undefined) return
    fetching = true
    const fetch = { statementId: statement.id, rows: fetchSize, decoder: statement.decoder! }
    pipeline.enqueue('fetch', '', [], { fetch, sink: rows, signal: options.signal, callSite }).then(
      (ok) => {
        fetching = false
        const status = (ok as OkPacket).status
        if (!(status & ServerStatus.CURSOR_EXISTS) || status & ServerStatus.LAST_ROW_SENT) finish()
        else next()
      },
      (err) => {
        fetching = false
        finish(err)
      },
    )
  }
  const open = { signal: options.signal, timeoutMs: options.timeoutMs, cache: false, cursor: true, callSite }
  pipeline.enqueue('execute', sql, params, open).then(
    (value) => {
      const { opened, statement: st, result } = value as CursorOpen
      statement = st
      if (closed) return release()
      if (opened && st?.decoder !== undefined) return next()
      // No cursor was opened (a statement without a result set): its rows, if any, came at once.
      for (const row of result) rows.push(row as T)
      finish()
    },
    (err) => finish(err),
  )
  return rows
}
