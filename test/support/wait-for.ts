/**
 * Waiting for a condition instead of sleeping (DESIGN §5: no fixed sleep as readiness, no assertion
 * on elapsed time). The bound is a number of tries, so a condition that never holds fails with
 * `what` in the message rather than hanging; the pause between tries only spaces them out.
 */
export interface WaitOptions {
  /** How many times the condition is evaluated before giving up (default 250). */
  tries?: number
  /** Pause between tries in ms (default 20); 0 waits one event-loop turn (setImmediate). */
  intervalMs?: number
}

/**
 * Resolves with the first truthy value `condition` returns; rejects with `waiting for <what>` and
 * the last value or error seen once `tries` evaluations were all falsy or threw.
 */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  { tries = 250, intervalMs = 20 }: WaitOptions = {},
): Promise<NonNullable<T>> {
  let last: unknown
  for (let i = 0; i < tries; i++) {
    try {
      last = await condition()
      if (last) return last as NonNullable<T>
    } catch (error) {
      last = error
    }
    await new Promise((resolve) =>
      intervalMs === 0 ? setImmediate(resolve) : setTimeout(resolve, intervalMs),
    )
  }
  const seen = last instanceof Error ? `${last.name}: ${last.message}` : JSON.stringify(last)
  throw new Error(`waiting for ${what}: not reached after ${tries} tries (last: ${seen})`)
}

/** A promise with its settle functions outside (a gate a test opens when it chooses). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** Resolves once `count` callers have arrived: each awaits the returned function's promise. */
export function barrier(count: number): () => Promise<void> {
  const gate = deferred()
  let arrived = 0
  return () => {
    if (++arrived === count) gate.resolve()
    return gate.promise
  }
}
