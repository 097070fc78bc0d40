import { BackendParser } from '../../../src/postgres/protocol/backend.js'
import type { BackendMessage } from '../../../src/postgres/protocol/messages.js'
import type { EnqueueOptions } from '../../../src/postgres/query-pipeline.js'
import { dataRow } from './protocol/backend-encoder.js'

/**
 * What the QueryPipeline tests (query-pipeline.test.ts, query-pipeline-faults.test.ts) enqueue
 * and answer as the server: options with the defaults a connection passes, and the replies to a
 * Describe and an Execute of `select $1::int4 as x`.
 */

export const opts = (o: Partial<EnqueueOptions> = {}): EnqueueOptions => ({
  prepare: true,
  simple: false,
  maxResultBytes: Number.POSITIVE_INFINITY,
  signal: undefined,
  timeoutMs: undefined,
  callSite: undefined,
  defaultDeadline: true,
  ...o,
})

export const INT_FIELD = {
  name: 'x',
  tableOid: 0,
  columnAttribute: 0,
  typeOid: 23,
  typeSize: 4,
  typeModifier: -1,
  format: 0 as const,
}

export const row = (v: string) => {
  const p = new BackendParser()
  p.feed(dataRow([v]))
  return p.read()!
}

export const ready = { type: 'ReadyForQuery', status: 'I' } as const
export const inTx = { type: 'ReadyForQuery', status: 'T' } as const

/** ParseComplete, ParameterDescription of `n` int4 parameters, RowDescription, ReadyForQuery. */
export const describeReply = (n = 1): BackendMessage[] => [
  { type: 'ParseComplete' },
  { type: 'ParameterDescription', typeOids: new Array(n).fill(23) },
  { type: 'RowDescription', fields: [INT_FIELD] },
  ready,
]

export const executeReply = (v: string): BackendMessage[] => [
  { type: 'BindComplete' },
  row(v),
  { type: 'CommandComplete', tag: 'SELECT 1' },
  ready,
]
