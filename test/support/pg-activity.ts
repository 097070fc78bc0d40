/**
 * What the server says its backends are doing (pg_stat_activity, PostgreSQL docs §28.2.3), so
 * tests wait for a statement to run or to stop instead of sleeping. The observer is a connection
 * of the same role as the watched ones: other roles' `query` reads as "<insufficient privilege>".
 */
import type { PgConnection } from '../../src/postgres/connection.js'
import { type WaitOptions, waitFor } from './wait-for.js'

interface Activity {
  pid: number
  state: string | null
  query: string
  wait_event_type: string | null
}

/** The backends other than the observer's own that are running a statement containing `fragment`. */
export async function runningStatements(observer: PgConnection, fragment: string): Promise<Activity[]> {
  const rows = await observer.query<Activity>(
    `select pid, state, query, wait_event_type from pg_stat_activity
      where state = 'active' and pid <> pg_backend_pid() and strpos(query, $1::text) > 0`,
    [fragment],
  )
  return [...rows]
}

/** Waits until some backend (or backend `pid`) runs a statement containing `fragment`. */
export function untilRunning(
  observer: PgConnection,
  fragment: string,
  options: WaitOptions & { pid?: number; waitingForLock?: boolean } = {},
): Promise<Activity> {
  return waitFor(
    `a backend running ${JSON.stringify(fragment)}`,
    async () =>
      (await runningStatements(observer, fragment)).find(
        (a) =>
          (options.pid === undefined || a.pid === options.pid) &&
          (options.waitingForLock !== true || a.wait_event_type === 'Lock'),
      ),
    options,
  )
}

/** Waits until no backend runs a statement containing `fragment`. */
export function untilNotRunning(observer: PgConnection, fragment: string, options: WaitOptions = {}) {
  return waitFor(
    `no backend running ${JSON.stringify(fragment)}`,
    async () => (await runningStatements(observer, fragment)).length === 0,
    options,
  )
}
