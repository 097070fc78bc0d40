import { spawn } from 'node:child_process'

/**
 * Everything the harness started, stopped when the test process ends however it ends: normal exit,
 * an uncaught error, SIGINT/SIGTERM (handlers below), or SIGKILL (the watchdog, which outlives us).
 */
const stoppers = new Set<() => void>()
let installed = false

export function onProcessExit(stopSync: () => void): () => void {
  install()
  stoppers.add(stopSync)
  return () => stoppers.delete(stopSync)
}

function stopAll(): void {
  for (const stop of [...stoppers]) {
    stoppers.delete(stop)
    try {
      stop()
    } catch {
      // Keep stopping the others; a server already gone is fine.
    }
  }
}

function install(): void {
  if (installed) return
  installed = true
  process.on('exit', stopAll)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopAll()
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1))
    })
  }
}

/**
 * A detached shell that waits for this process to die (even by SIGKILL), then kills the server
 * whose pid is in `pidFile` and removes `dir`. It ends by itself once `dir` is gone.
 */
export function startWatchdog(pidFile: string, dir: string): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null && [ -d '${dir}' ]; do sleep 1; done
if [ -d '${dir}' ]; then pid=$(cat '${pidFile}' 2>/dev/null); [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; sleep 1; rm -rf '${dir}'; fi`
  spawn('bash', ['-c', script], { detached: true, stdio: 'ignore' }).unref()
}
