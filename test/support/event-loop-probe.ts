import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

export interface LoopProbe {
  /** Longest CPU time the loop thread spent between two ticks (JavaScript, native calls, GC). */
  busyMs: number
  /** Longest wall-clock gap between two ticks. */
  gapMs: number
  /** Longest time the loop thread sat runnable but unscheduled between two ticks (Linux only). */
  queuedMs: number
}

/**
 * CPU time and run-queue wait of the calling thread in ms, from /proc/thread-self/schedstat
 * (Linux, nanoseconds: "on-cpu runqueue-wait timeslices"). Elsewhere the event loop's own
 * accounting stands in: time outside the poll wait, which also counts preemption.
 */
function threadTimes(): { cpu: number; queued: number } {
  try {
    const [cpu, queued] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number)
    return { cpu: cpu! / 1e6, queued: queued! / 1e6 }
  } catch {
    return { cpu: performance.eventLoopUtilization().active, queued: 0 }
  }
}

/**
 * Runs `work` under a 1 ms interval timer and records, between each pair of ticks, the CPU time
 * the loop thread used and the wall-clock gap. Only the first is covet's doing: this machine has
 * 2 cores shared with other suites (load average above 8), so the scheduler alone can hold a
 * runnable loop thread off the CPU for tens of ms; `queuedMs` shows that share.
 */
export async function probeLoop(work: () => unknown): Promise<LoopProbe> {
  const probe = { busyMs: 0, gapMs: 0, queuedMs: 0 }
  let last: { time: number; cpu: number; queued: number } | undefined
  let onTick: (() => void) | undefined
  /** The next tick after now: so every interval the work spans is measured from both ends. */
  const nextTick = () => new Promise<void>((resolve) => (onTick = resolve))
  const timer = setInterval(() => {
    const now = { time: performance.now(), ...threadTimes() }
    if (last) {
      probe.busyMs = Math.max(probe.busyMs, now.cpu - last.cpu)
      probe.gapMs = Math.max(probe.gapMs, now.time - last.time)
      probe.queuedMs = Math.max(probe.queuedMs, now.queued - last.queued)
    }
    last = now
    onTick?.()
    onTick = undefined
  }, 1)
  try {
    await nextTick() // a first reading before the work starts
    await work()
    await nextTick() // and one after it ends
  } finally {
    clearInterval(timer)
  }
  return probe
}

/**
 * "A few ms" (issue 7): the loop thread never works longer than this between two timer ticks. The
 * kernel brings a running thread's CPU time up to date only at scheduler ticks (4 ms at HZ=250),
 * so one reading can carry a few ms of earlier work; a hash on the loop would show 100+ ms.
 */
export const BUSY_BOUND_MS = 10
