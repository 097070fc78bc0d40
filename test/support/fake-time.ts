/**
 * Mocked time for code that reads a clock and arms timers (the pool, its waiter queue): node:test's
 * mock.timers for setTimeout/setInterval and Date, with `now()` to inject as the code's clock, so a
 * test moves time by exactly the ms it names and asserts what happened at that instant. setImmediate
 * stays real: `settle()` uses it to let promise chains run between timer firings.
 */
import { mock } from 'node:test'

export interface FakeTime {
  /** The mocked clock in ms: pass it as the code's `now` option. */
  now: () => number
  /** Timers armed and neither fired (timeouts) nor cleared. */
  pending: () => number
  /** Moves the clock by `ms`, firing the timers due on the way, then settles. */
  advance: (ms: number) => Promise<void>
  /** Lets promise callbacks and setImmediate callbacks run (a few event-loop turns); no time passes. */
  settle: () => Promise<void>
  /** Puts the real timers and Date back. */
  restore: () => void
}

type TimerFn = (...args: unknown[]) => unknown

export function fakeTime(start = 1_000_000): FakeTime {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: start })
  const g = globalThis as unknown as Record<string, TimerFn>
  const mocked = {
    setTimeout: g.setTimeout!,
    setInterval: g.setInterval!,
    clearTimeout: g.clearTimeout!,
    clearInterval: g.clearInterval!,
  }
  // When each armed timer fires next: mocked ones do not show in getActiveResourcesInfo(), and
  // Node 20's tick(ms) runs every due callback at the END time, so advance() steps timer by timer.
  const armed = new Map<unknown, number>()
  // Node runs a 0 ms timer after 1 ms (timers.md: a delay below 1 is set to 1); the mock would run
  // it at once, and code that re-arms a 0 ms timer would then spin without the clock moving.
  const delay = (ms: unknown) => Math.max(1, Number(ms) || 0)
  g.setTimeout = (fn, ms, ...args) => {
    const timer = mocked.setTimeout(() => {
      armed.delete(timer)
      ;(fn as TimerFn)(...args)
    }, delay(ms))
    armed.set(timer, Date.now() + delay(ms))
    return timer
  }
  g.setInterval = (fn, ms, ...args) => {
    const timer = mocked.setInterval(() => {
      armed.set(timer, Date.now() + delay(ms))
      ;(fn as TimerFn)(...args)
    }, delay(ms))
    armed.set(timer, Date.now() + delay(ms))
    return timer
  }
  g.clearTimeout = (timer) => {
    armed.delete(timer)
    mocked.clearTimeout(timer)
  }
  g.clearInterval = (timer) => {
    armed.delete(timer)
    mocked.clearInterval(timer)
  }
  const settle = async () => {
    for (let round = 0; round < 10; round++) await new Promise((resolve) => setImmediate(resolve))
  }
  return {
    now: () => Date.now(),
    pending: () => armed.size,
    settle,
    async advance(ms) {
      const target = Date.now() + ms
      // Settled first: work already under way (a promise chain) may arm the next timer.
      await settle()
      for (;;) {
        const due = Math.min(...armed.values())
        if (!(due <= target)) break
        mock.timers.tick(due - Date.now())
        await settle()
      }
      mock.timers.tick(target - Date.now())
      await settle()
    },
    restore() {
      Object.assign(globalThis, mocked)
      mock.timers.reset()
    },
  }
}
