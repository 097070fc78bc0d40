import assert from 'node:assert/strict'
import { pbkdf2Sync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { describe, it } from 'node:test'
import { type PasswordAlgorithm, PasswordHasher } from '../../../src/crypto/password.js'

interface LoopProbe {
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
async function probeLoop(work: () => Promise<unknown>): Promise<LoopProbe> {
  const probe = { busyMs: 0, gapMs: 0, queuedMs: 0 }
  let last: { time: number; cpu: number; queued: number } | undefined
  const timer = setInterval(() => {
    const now = { time: performance.now(), ...threadTimes() }
    if (last) {
      probe.busyMs = Math.max(probe.busyMs, now.cpu - last.cpu)
      probe.gapMs = Math.max(probe.gapMs, now.time - last.time)
      probe.queuedMs = Math.max(probe.queuedMs, now.queued - last.queued)
    }
    last = now
  }, 1)
  try {
    await new Promise((resolve) => setTimeout(resolve, 20))
    await work()
    await new Promise((resolve) => setTimeout(resolve, 5))
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
const BUSY_BOUND_MS = 10

describe('password hashing keeps the event loop free', () => {
  it('the probe catches a blocking hash (so the checks below can fail)', async () => {
    let blockedMs = 0
    const probe = await probeLoop(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2))
      const start = performance.now()
      pbkdf2Sync('password', 'salt', 400_000, 32, 'sha256')
      blockedMs = performance.now() - start
    })
    assert.ok(blockedMs > 3 * BUSY_BOUND_MS, `the synchronous PBKDF2 took only ${blockedMs} ms`)
    // The CPU reading may trail by a scheduler tick, and the OS may have run others meanwhile.
    assert.ok(probe.busyMs > BUSY_BOUND_MS, `the probe saw ${probe.busyMs} ms of a ${blockedMs} ms block`)
    assert.ok(probe.gapMs >= probe.busyMs)
  })

  for (const alg of ['argon2', 'bcrypt', 'scrypt', 'pbkdf2'] as PasswordAlgorithm[]) {
    it(`${alg} at default parameters: 8 concurrent hashes + 1 verify under a 1 ms timer`, async (t) => {
      const hasher = new PasswordHasher(alg)
      // One hash first, outside the probe: a first call may initialise the engine (one-off).
      await hasher.hashPassword('warm-up')
      // Up to 3 attempts, judged by the best: a GC pause or another suite's burst can land on one
      // attempt, while a hash run on the loop thread would block every attempt for 100+ ms.
      let best: LoopProbe | undefined
      for (let attempt = 0; attempt < 3 && !(best && best.busyMs < BUSY_BOUND_MS); attempt++) {
        let hashes: string[] = []
        const probe = await probeLoop(async () => {
          hashes = await Promise.all(
            Array.from({ length: 8 }, (_, i) => hasher.hashPassword(`password ${i}`)),
          )
          assert.equal(await hasher.verifyPassword('password 3', hashes[3]!), true)
        })
        assert.equal(new Set(hashes).size, 8)
        t.diagnostic(
          `${alg}: loop thread busy <= ${probe.busyMs.toFixed(2)} ms per tick; ` +
            `timer gap <= ${probe.gapMs.toFixed(1)} ms, of which run-queue wait <= ${probe.queuedMs.toFixed(1)} ms`,
        )
        if (!best || probe.busyMs < best.busyMs) best = probe
      }
      assert.ok(
        best!.busyMs < BUSY_BOUND_MS,
        `${alg}: the loop was busy ${best!.busyMs.toFixed(2)} ms at a stretch (${JSON.stringify(best)})`,
      )
    })
  }
})
