import type {
  CompiledQuery,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely'
import { InvalidArgumentError } from '../errors/classes.js'

/**
 * Kysely 0.28's Driver API carries no AbortSignal from `execute()` to the connection; what does
 * reach it is the `queryId` every compiled query has, which plugins see first. The plugin files
 * the signal under that id, and the connection looks it up when the query runs.
 */
const signals = new WeakMap<QueryId, AbortSignal>()

/** The signal a query was built with through `withSignal()`, if any. */
export function signalOf(query: CompiledQuery): AbortSignal | undefined {
  return signals.get(query.queryId)
}

/**
 * Ties every query of the Kysely instance it is added to with `signal`: when the signal aborts,
 * the running query is cancelled on the server (PostgreSQL: a CancelRequest; MySQL: KILL QUERY)
 * and rejects with ERR_QUERY_CANCELLED; a query started after the abort is never sent.
 */
export class AbortSignalPlugin implements KyselyPlugin {
  readonly #signal: AbortSignal

  constructor(signal: AbortSignal) {
    if (!(signal instanceof AbortSignal))
      throw new InvalidArgumentError('AbortSignalPlugin takes an AbortSignal')
    this.#signal = signal
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    signals.set(args.queryId, this.#signal)
    return args.node
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result)
  }
}

/**
 * `withSignal(db, signal).selectFrom('t').selectAll().execute()`: the same Kysely instance (or
 * transaction) whose queries are cancelled when `signal` aborts.
 */
export function withSignal<T extends { withPlugin(plugin: KyselyPlugin): T }>(db: T, signal: AbortSignal): T {
  return db.withPlugin(new AbortSignalPlugin(signal))
}
