import type { PreparedStatementCache } from '../cache/statement-cache.js'
import type { CovetError } from '../errors/covet-error.js'
import type { TypeCodecs } from './codecs.js'
import type { TransactionStatus } from './protocol/codes.js'
import type { MessageWriter } from './protocol/frontend.js'
import type { ResponseHandler } from './query-handlers.js'
import type { PendingQuery } from './query-types.js'
import type { RowMode } from './row-decoder.js'
import type { StatementMetadata } from './statement-cache.js'

/** What a QueryPipeline is given by its connection. */
export interface PipelineIo {
  write(write: (w: MessageWriter) => void): void
  flush(): void
  /** COPY data without copying it into the batch (CopyIo); default: through write() + flush(). */
  writeCopyData?(data: Uint8Array): boolean
  drain?(): Promise<void>
  /** Sends a CancelRequest; resolves when the server has acted on it, or gave up (bounded). */
  cancel(): Promise<void>
  setStatus(status: TransactionStatus): void
  /** Closes the connection: its state is unknown (the pipeline calls failAll through it). */
  destroy(error: CovetError): void
  /** Bytes received so far (the silence check after a cancel, query-deadline.ts). */
  received(): number
  /** Default deadline of a query without its own timeoutMs; 0 = none. */
  queryTimeoutMs: number
  /** How long the server may stay silent after a query settled early before destroy(). */
  cancelGraceMs: number
  codecs: TypeCodecs
  rowMode: RowMode
  cacheSize: number
  cacheBytes: number
  /**
   * The L2 shared by a pool's connections (covet/cache): a statement one connection described is
   * prepared by the others without a Describe round trip. Default: a private one (L1 only).
   */
  statements?: PreparedStatementCache<StatementMetadata> | undefined
}

/**
 * What the parts of a QueryPipeline that write queries (simple-query.ts, extended-query.ts) may
 * do to it. QueryPipeline gives them one; it alone owns the send queue, the in-flight FIFO and
 * the barriers.
 */
export interface PipelineControl {
  write(write: (w: MessageWriter) => void): void
  flush(): void
  readonly codecs: TypeCodecs
  readonly rowMode: RowMode
  /** From the latest ReadyForQuery: a retry runs only outside a transaction block. */
  readonly status: TransactionStatus
  /** True once the pipeline failed: nothing more is written. */
  readonly failed: boolean
  /** Handlers in the in-flight FIFO. */
  readonly inFlight: number
  /** Takes `q`, the head of the send queue, off it: it is being written. */
  written(q: PendingQuery): void
  /** Queues the handler of the messages just written (the in-flight FIFO). */
  expect(handler: ResponseHandler): void
  /** `q` was written as a barrier: nothing is written behind it until it completes. */
  barrier(q: PendingQuery): void
  /** The query whose Parse + Describe is in flight (nothing is written behind it), or undefined. */
  describing(q: PendingQuery | undefined): void
  /** Puts `q` back in the send queue at its place in call order, for a retry. */
  requeue(q: PendingQuery): void
  /** Takes `q` out of the send queue, wherever it is, and fails it. */
  dequeue(q: PendingQuery, error: CovetError): void
}
