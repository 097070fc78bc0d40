import { InvalidArgumentError } from '../errors/classes.js'
import { positiveInteger } from './options.js'

/**
 * Connection sharing, the same for every pooled driver (src/driver/connections.ts does the
 * pipelining): which `execute()` statements may ride a connection other callers use, and the
 * options that bound it. What a dialect adds is its proof that a text is session-neutral
 * (src/postgres/driver/shareable.ts, src/mysql/driver/shareable.ts).
 */
export interface SharingOptions {
  /**
   * Shareable statements one connection may have in flight before the driver prefers to wait for
   * another connection. Default 32; 1 turns sharing off (one statement per connection at a time).
   */
  pipelineDepth?: number
  /**
   * Shareable statements pipelined on one connection before the driver opens another, while the
   * pool could still grow. Default 8: on 2 cores 8 statements in one session cost the server less
   * than one each in 8 (docs/benchmarks.md). The price is head-of-line blocking behind a slow
   * statement; 1 spreads callers over the pool first. At most `pipelineDepth`.
   */
  pipelineBeforeGrow?: number
  /**
   * Which statements may be shared: `'auto'` (default) those the driver proves session-neutral
   * plus those passed `{ shareable: true }`; `'opt-in'` only the latter.
   */
  sharing?: 'auto' | 'opt-in'
}

export interface ResolvedSharingOptions {
  pipelineDepth: number
  pipelineBeforeGrow: number
  sharing: 'auto' | 'opt-in'
}

/** The keys of SharingOptions: not connection settings. */
export const SHARING_KEYS: readonly string[] = ['pipelineDepth', 'pipelineBeforeGrow', 'sharing']

/** Checks the sharing options at construction (DESIGN §4); `label` names the driver. */
export function resolveSharingOptions(label: string, options: SharingOptions): ResolvedSharingOptions {
  const pipelineDepth = positiveInteger(label, 'pipelineDepth', options.pipelineDepth, 32)
  const pipelineBeforeGrow = positiveInteger(
    label,
    'pipelineBeforeGrow',
    options.pipelineBeforeGrow,
    Math.min(8, pipelineDepth),
  )
  if (pipelineBeforeGrow > pipelineDepth) {
    throw new InvalidArgumentError(`${label} option pipelineBeforeGrow must not exceed pipelineDepth`)
  }
  const sharing = options.sharing ?? 'auto'
  if (sharing !== 'auto' && sharing !== 'opt-in') {
    throw new InvalidArgumentError(`${label} option sharing must be 'auto' or 'opt-in'`)
  }
  return { pipelineDepth, pipelineBeforeGrow, sharing }
}

/**
 * Whether one `execute()` may share its connection: the caller's `shareable` if given, else the
 * dialect's proof of `sql` under `sharing: 'auto'`. A cancellable statement never shares:
 * PostgreSQL writes nothing behind it until it ends, and MySQL's KILL QUERY ends whatever the
 * connection runs. `options` are the caller's, already checked.
 */
export function mayShare(
  sharing: 'auto' | 'opt-in',
  options: { shareable?: boolean; signal?: AbortSignal; timeoutMs?: number } | undefined,
  prove: (sql: string) => boolean,
  sql: string,
): boolean {
  if (options === undefined) return sharing === 'auto' && prove(sql)
  if (options.signal !== undefined || options.timeoutMs !== undefined) return false
  return options.shareable ?? (sharing === 'auto' && prove(sql))
}

/**
 * A dialect's proof with its answers cached per text: the answer depends on the text alone, and
 * applications repeat a bounded set of texts, so a hit costs one Map lookup instead of a scan. A
 * flood of one-off texts only empties the cache.
 */
export function cachedProof(scan: (sql: string) => boolean, max = 1024): (sql: string) => boolean {
  const verdicts = new Map<string, boolean>()
  return (sql) => {
    let answer = verdicts.get(sql)
    if (answer === undefined) {
      answer = scan(sql)
      if (verdicts.size >= max) verdicts.clear()
      verdicts.set(sql, answer)
    }
    return answer
  }
}
