import { CovetError } from '../errors/covet-error.js'
import { CopyHandler, type CopyIo, type CopyTransfer } from './copy.js'
import type { PipelineControl, PipelineIo } from './pipeline-control.js'
import { writeCopyData, writeCopyFail, writeQuery, writeSync } from './protocol/frontend.js'
import { makeResult, SimpleHandler } from './query-handlers.js'
import type { PendingQuery } from './query-types.js'
import { callerDatabaseError } from './server-error.js'

/**
 * The simple-query side of QueryPipeline (§55.2.2): a Query message per query, for `simple: true`
 * texts, multi-statement texts the server would not prepare, and COPY (§55.2.6), whose data
 * flows through copy.ts. Also the CopyFail that answers a COPY FROM STDIN started through query(),
 * by either protocol.
 */
export class SimpleQueries {
  readonly #control: PipelineControl
  readonly #copyIo: CopyIo

  constructor(control: PipelineControl, io: PipelineIo) {
    this.#control = control
    this.#copyIo = {
      write: (write) => io.write(write),
      flush: () => io.flush(),
      writeCopyData:
        io.writeCopyData ??
        ((data) => {
          io.write((w) => writeCopyData(w, data))
          io.flush()
          return false
        }),
      drain: io.drain ?? (() => Promise.resolve()),
    }
  }

  /** Writes `q`, the head of the send queue, as a Query; a cancellable one is a barrier. */
  write(q: PendingQuery): void {
    const control = this.#control
    control.write((w) => writeQuery(w, q.sql))
    control.expect(
      new SimpleHandler(
        q,
        control.codecs,
        control.rowMode,
        (h) => this.#simpleDone(h),
        () => this.copyInRefused(false),
      ),
    )
    control.written(q)
    if (q.cancellable) control.barrier(q)
  }

  /** Writes the COPY statement `q`, the head of the send queue, with the transfer that feeds or drains it. */
  writeCopy(q: PendingQuery, copy: CopyTransfer): void {
    const control = this.#control
    control.written(q)
    control.write((w) => writeQuery(w, q.sql))
    control.expect(new CopyHandler(q, copy, this.#copyIo, (h) => this.#copyDone(h)))
    // A COPY is always a barrier: later messages would be read as COPY input (§55.2.6).
    control.barrier(q)
  }

  #copyDone(h: CopyHandler): void {
    const failure = h.failure()
    if (failure !== undefined) h.query.fail(failure)
    else if (h.error !== undefined) h.query.fail(callerDatabaseError(h.error, h.query.callSite))
    else h.query.resolve(makeResult([], h.tag, []))
  }

  #simpleDone(h: SimpleHandler): void {
    if (h.error !== undefined) h.query.fail(callerDatabaseError(h.error, h.query.callSite))
    else h.query.resolve(makeResult(h.rows, h.tag, h.fields))
  }

  /**
   * COPY FROM STDIN through query(): answer CopyFail so the server leaves COPY mode (§55.2.6).
   * The server ignores Sync during copy-in, so an extended-protocol COPY needs a second Sync. A
   * batch already written behind the COPY was read as bad COPY input and is lost: the stream can
   * no longer be matched to the queries, so the connection is closed instead.
   */
  copyInRefused(extended: boolean): void {
    if (this.#control.inFlight > 1) {
      throw new CovetError(
        'ERR_UNSUPPORTED',
        'COPY FROM STDIN through query() with other queries pipelined behind it',
      )
    }
    this.#control.write((w) => {
      writeCopyFail(w, 'COPY FROM STDIN is not supported by query()')
      if (extended) writeSync(w)
    })
    this.#control.flush()
  }
}
