import type {
  ConnectionStatementCache,
  PreparedStatementCache,
  StatementEvictionReason,
} from '../cache/statement-cache.js'
import { InvalidArgumentError, QueryError } from '../errors/classes.js'
import type { CovetError } from '../errors/covet-error.js'
import { encodeParameters } from './codecs.js'
import { createPendingQuery, type EnqueueOptions } from './pending-query.js'
import type { PipelineControl } from './pipeline-control.js'
import {
  writeBind,
  writeClose,
  writeDescribe,
  writeExecute,
  writeParse,
  writeQuery,
  writeSync,
} from './protocol/frontend.js'
import type { ServerFields } from './protocol/messages.js'
import {
  buildStatement,
  DescribeHandler,
  ExecuteHandler,
  IgnoreHandler,
  makeResult,
  SimpleHandler,
} from './query-handlers.js'
import type { PendingQuery, PreparedStatement } from './query-types.js'
import { callerDatabaseError } from './server-error.js'
import { type StatementMetadata, VerifyingExecuteHandler } from './statement-cache.js'
import { DomainTypes } from './types/domains.js'
import { TypeRegistry } from './types/registry.js'

/**
 * The extended-query side of QueryPipeline (§55.2.3): which statement a query runs, its Parse +
 * Describe round trip when none is known (with the pg_type lookup of domains), the Bind + Execute
 * of its parameters, and what happens to the statement after: cached in L1/L2 (statement-cache.ts),
 * evicted and Closed, or found stale and the query retried once.
 */

const STALE_STATEMENT = new Set(['0A000', '26000'])

const noop = () => {}
/** The pg_type lookup of DomainTypes: internal, never cancelled, small. */
const LOOKUP_OPTIONS: EnqueueOptions = {
  defaultDeadline: false,
  prepare: false,
  simple: true,
  maxResultBytes: Number.POSITIVE_INFINITY,
  signal: undefined,
  timeoutMs: undefined,
  callSite: undefined,
}

export class ExtendedQueries {
  readonly #control: PipelineControl
  /** The CopyFail answer to a COPY FROM STDIN started through query() (simple-query.ts). */
  readonly #copyInRefused: (extended: boolean) => void
  /** L2 (shared) and this connection's L1: SQL text → named statement (issue 5 migration). */
  readonly #shared: PreparedStatementCache<StatementMetadata>
  #cache: ConnectionStatementCache<StatementMetadata>
  /** This connection's domains over the registry's codecs (a custom TypeCodecs is used as it is). */
  readonly #types: DomainTypes | undefined

  constructor(
    control: PipelineControl,
    statements: PreparedStatementCache<StatementMetadata>,
    copyInRefused: (extended: boolean) => void,
  ) {
    this.#control = control
    this.#copyInRefused = copyInRefused
    this.#types = control.codecs instanceof TypeRegistry ? new DomainTypes(control.codecs) : undefined
    this.#shared = statements
    this.#cache = this.#shared.forConnection(this.#evicted)
  }

  /**
   * Writes `q`, the head of the send queue, and returns true; or, when its statement is not yet
   * described, writes Parse + Describe + Sync for it and returns false: `q` stays queued and
   * blocks the queries behind it for that round trip.
   */
  write(q: PendingQuery): boolean {
    const statement = q.prepare ? this.#cache.get(q.sql)?.metadata : q.statement
    const known = statement === undefined && q.prepare ? this.#shared.learned(q.sql) : undefined
    if (known !== undefined) {
      // L2 hit: another connection described this text. Parse it here under a new name with
      // the known parameter types, in the same batch as its execution (no Describe round trip).
      const name = this.#cache.allocateName()
      const st = { ...known, name }
      this.#control.written(q)
      // Cached only once its Parse is written (a bad parameter value writes nothing).
      if (this.#writeExecute(q, st, true)) this.#cache.set(q.sql, st, name)
      return true
    }
    if (statement === undefined) {
      const name = q.prepare ? this.#cache.allocateName() : ''
      this.#control.write((w) => {
        writeParse(w, name, q.sql)
        writeDescribe(w, 'S', name)
        writeSync(w)
      })
      this.#control.expect(new DescribeHandler(q, name, (h) => this.#described(h)))
      this.#control.describing(q)
      return false
    }
    this.#control.written(q)
    this.#writeExecute(q, statement)
    return true
  }

  /** Writes the execution of `q`; false when it failed before anything was written. */
  #writeExecute(q: PendingQuery, st: PreparedStatement, parseFirst = false): boolean {
    if (q.params.length !== st.paramTypes.length) {
      q.fail(
        new InvalidArgumentError(
          `the statement takes ${st.paramTypes.length} parameters, ${q.params.length} given`,
        ),
      )
      return false
    }
    const values = new Array<Uint8Array | null>(q.params.length)
    let formats: readonly number[]
    try {
      formats = encodeParameters(st.paramCodecs, st.paramFormats, q.params, values)
    } catch (err) {
      q.fail(err as CovetError)
      return false
    }
    this.#control.write((w) => {
      // The unnamed statement may have been replaced since it was described: parse it again,
      // with the described types, in the same batch (safe behind PgBouncer's transaction mode).
      if (st.name === '' || parseFirst) writeParse(w, st.name, st.sql, st.paramTypes)
      // The Describe lets the handler check that the shared metadata still fits (see below).
      if (parseFirst) writeDescribe(w, 'S', st.name)
      writeBind(w, '', st.name, formats, values, st.resultFormats)
      writeExecute(w, '', 0)
      writeSync(w)
    })
    const onDone = (h: ExecuteHandler) => this.#executed(h)
    const onCopyIn = () => this.#copyInRefused(true)
    this.#control.expect(
      parseFirst
        ? new VerifyingExecuteHandler(q, st, onDone, onCopyIn)
        : new ExecuteHandler(q, st, onDone, onCopyIn),
    )
    if (q.cancellable) this.#control.barrier(q)
    return true
  }

  #described(h: DescribeHandler, looked = false): void {
    const q = h.query
    // OIDs the registry does not know may be domains: ask pg_type first, still blocking the queue.
    const lookup = h.error === undefined && !looked ? this.#types?.lookup(h.paramTypes, h.fields) : undefined
    if (lookup !== undefined) {
      this.#lookUpTypes(lookup, h)
      return
    }
    this.#control.describing(undefined)
    // `q` is still queued, but not necessarily first: a stale-statement retry may have been put
    // back ahead of it meanwhile (requeue).
    if (h.error !== undefined) {
      // A parameterless text with several statements cannot be prepared: run it as a simple query.
      if (isMultiStatement(h.error) && q.params.length === 0) q.mode = 'simple'
      else this.#control.dequeue(q, callerDatabaseError(h.error, q.callSite))
      return
    }
    let st: PreparedStatement
    try {
      st = buildStatement(
        h.name,
        q.sql,
        h.paramTypes,
        h.fields,
        this.#types ?? this.#control.codecs,
        this.#control.rowMode,
      )
    } catch (cause) {
      // A custom type registry that throws fails this query only (the server holds a statement
      // that is never cached, harmless).
      this.#control.dequeue(
        q,
        new QueryError('ERR_TYPE_DECODE', 'cannot resolve the codecs of the statement', { cause }),
      )
      return
    }
    if (q.prepare) this.#cache.set(q.sql, st, h.name)
    else q.statement = st
  }

  /**
   * Runs DomainTypes' pg_type query as a simple query, then builds the described statement. If the
   * query fails (a statement_timeout, say), so does the statement's query, whose just-parsed
   * statement is closed: built without the lookup, its codecs could be wrong and would be cached.
   */
  #lookUpTypes(sql: string, h: DescribeHandler): void {
    const lookup = createPendingQuery(sql, [], LOOKUP_OPTIONS, noop, noop, noop)!
    const onDone = (l: SimpleHandler) => {
      if (l.error === undefined) {
        this.#types!.learn(l.rows)
        this.#described(h, true)
        return
      }
      this.#control.describing(undefined)
      this.#control.dequeue(h.query, callerDatabaseError(l.error, h.query.callSite))
      if (h.name !== '') this.#evicted(h.name, h.query.sql, 'invalidated')
    }
    this.#control.write((w) => writeQuery(w, sql))
    this.#control.expect(
      new SimpleHandler(lookup, this.#control.codecs, 'array', onDone, () => this.#copyInRefused(false)),
    )
    this.#control.flush()
  }

  #executed(h: ExecuteHandler): void {
    const q = h.query
    if (h instanceof VerifyingExecuteHandler && h.mismatch) {
      this.#dropStatement(q.sql, h.statement)
      this.#shared.invalidate(q.sql)
      // The server's columns differ from the shared metadata (DDL since another connection
      // described the text). With an error (e.g. Bind's result formats no longer fit) nothing ran;
      // without one the statement ran, and re-running it is invisible only for a read. Either
      // way, only outside a transaction.
      const ran = h.error === undefined
      if (!q.retried && !q.settled && this.#control.status === 'I' && (!ran || h.tag.startsWith('SELECT'))) {
        q.retried = true
        this.#control.requeue(q)
        return
      }
      q.fail(
        h.error !== undefined
          ? callerDatabaseError(h.error, q.callSite)
          : new QueryError(
              'ERR_TYPE_DECODE',
              `the result columns changed since the statement was described; it ran (${h.tag}) but its rows could not be decoded`,
            ),
      )
      return
    }
    if (h.error === undefined) {
      q.resolve(makeResult(h.rows, h.tag, h.statement.fields))
      return
    }
    // Stale statement (issue 4): the cached plan changed result type (0A000, RevalidateCachedQuery)
    // or the statement vanished (26000, e.g. after DISCARD ALL). Evict it; retry once outside a
    // transaction, where re-running is invisible; inside one the server's error stands.
    if (STALE_STATEMENT.has(h.error.code ?? '') && q.prepare) {
      this.#dropStatement(q.sql, h.statement)
      // Other connections' copies of this text are stale too (epoch invalidation, covet/cache).
      if (h.error.code === '0A000') this.#shared.invalidate(q.sql)
      if (!q.retried && !q.settled && this.#control.status === 'I') {
        q.retried = true
        this.#control.requeue(q)
        return
      }
    }
    q.fail(callerDatabaseError(h.error, q.callSite))
  }

  /** Evicts `st` from L1 if it is still the entry for `sql` (the eviction Closes it). */
  #dropStatement(sql: string, st: PreparedStatement): void {
    const entry = this.#cache.get(sql)
    if (entry !== undefined && entry.metadata === st) this.#cache.delete(sql)
  }

  /**
   * Called by L1 for every statement that leaves it: Close it on the server, which would keep
   * it until the session ends. Closing a statement that no longer exists is not an error (§55.7).
   */
  readonly #evicted = (name: string, _sql: string, _reason: StatementEvictionReason): void => {
    if (this.#control.failed) return
    this.#control.write((w) => {
      writeClose(w, 'S', name)
      writeSync(w)
    })
    this.#control.expect(new IgnoreHandler())
  }

  /** The session dropped every prepared statement (DISCARD ALL, DEALLOCATE ALL): forget them, no Close. */
  forget(): void {
    this.#cache.close()
    this.#cache = this.#shared.forConnection(this.#evicted)
  }

  /** The connection failed: its L1 forgets every statement, no Close (the session is gone). */
  close(): void {
    this.#cache.close()
  }
}

/** "cannot insert multiple commands into a prepared statement" (42601 from exec_parse_message). */
function isMultiStatement(fields: ServerFields): boolean {
  return fields.code === '42601' && fields.routine === 'exec_parse_message'
}
