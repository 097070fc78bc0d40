import { type SpawnOptions, spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'

/** Runs a command to completion; resolves stdout, rejects with stderr (and the command) on failure. */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout)
      else reject(new Error(`${command} ${args.join(' ')} failed (${code ?? signal}): ${stderr.trim()}`))
    })
  })
}

/** A port nobody listens on right now: bind port 0 and read what the kernel chose (DESIGN §5). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}

/** Polls `probe` until it resolves, or rejects after `timeoutMs` with the probe's last error. */
export async function waitUntil(
  probe: () => Promise<unknown>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      await probe()
      return
    } catch (err) {
      last = err
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms: ${String(last)}`)
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits (blocking, for exit handlers too) until `pid` is gone, at most `timeoutMs`. */
export function waitForExitSync(pid: number, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs
  while (isAlive(pid) && Date.now() < deadline) spawnSync('sleep', ['0.05'])
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
}
