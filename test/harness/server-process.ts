import type { ChildProcess } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { onProcessExit, startWatchdog } from './cleanup.js'
import { isAlive, waitForExit, waitForExitSync, waitUntil } from './process-tools.js'

export interface ServerProcessSpec {
  /** The server's temp dir: removed on stop, watched by the watchdog. */
  dir: string
  name: string
  spawn(): ChildProcess
  /** Resolves once the server accepts a connection. */
  probe(): Promise<unknown>
  readyTimeoutMs: number
  /** The signal for a clean shutdown (PostgreSQL: SIGINT "fast"; MariaDB: SIGTERM). */
  stopSignal: NodeJS.Signals
  /** The signal when the test process is exiting and cannot wait long. */
  exitSignal: NodeJS.Signals
}

/** One server process of the harness: start and wait until ready, kill, shut down, clean up. */
export class ServerProcess {
  private child: ChildProcess | undefined
  private forget: (() => void) | undefined
  private readonly pidFile: string

  constructor(private readonly spec: ServerProcessSpec) {
    this.pidFile = join(spec.dir, 'harness.pid')
  }

  async start(): Promise<void> {
    const child = this.spec.spawn()
    let log = ''
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)))
    // A server must not keep the test process alive: the exit handlers stop it (cleanup.ts).
    child.unref()
    ;(child.stderr as { unref?: () => void } | null)?.unref?.()
    this.child = child
    writeFileSync(this.pidFile, String(child.pid))
    if (!this.forget) {
      this.forget = onProcessExit(() => this.stopSync())
      startWatchdog(this.pidFile, this.spec.dir)
    }
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`${this.spec.name} exited: ${log}`)
        await this.spec.probe()
      },
      this.spec.readyTimeoutMs,
      this.spec.name,
    ).catch((err) => {
      throw new Error(`${err.message}\n${log}`)
    })
  }

  get running(): boolean {
    return this.child?.pid !== undefined && isAlive(this.child.pid)
  }

  async kill(): Promise<void> {
    const pid = this.child?.pid
    if (pid === undefined) return
    process.kill(pid, 'SIGKILL')
    await waitForExit(pid, 10_000)
  }

  async shutdown(): Promise<void> {
    const pid = this.child?.pid
    if (pid === undefined || !isAlive(pid)) return
    process.kill(pid, this.spec.stopSignal)
    await waitForExit(pid, 30_000)
    if (isAlive(pid)) process.kill(pid, 'SIGKILL')
  }

  async stop(): Promise<void> {
    await this.shutdown()
    this.forget?.()
    rmSync(this.spec.dir, { recursive: true, force: true })
  }

  stopSync(): void {
    const pid = this.child?.pid
    if (pid !== undefined && isAlive(pid)) {
      process.kill(pid, this.spec.exitSignal)
      waitForExitSync(pid, 5_000)
    }
    rmSync(this.spec.dir, { recursive: true, force: true })
  }
}
