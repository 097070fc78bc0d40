/**
 * One service per data directory. PGlite has no postmaster.pid of its own: two processes opening one
 * data directory would both write it and corrupt it. The lock is a pid file created exclusively
 * (O_EXCL, which also refuses a symlink in its place). One left by a process that has ended (killed
 * with SIGKILL, a crash) is taken over; so is one whose pid now names another process: the file
 * records the owner's start time too (Linux: /proc/<pid>/stat), which a reused pid does not share.
 */
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { openPrivateFile } from './data-dir.js'

export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, 'notes.pid')
  const self = `${[process.pid, await startTime(process.pid)].filter((v) => v !== undefined).join(' ')}\n`
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, self, { flag: 'wx', mode: 0o600 })
      return () => rm(file, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    // Refuses a pid file that is not this user's own (a symlink, another owner, writable by others).
    // Readable is fine: a pid is no secret, and earlier versions wrote it 0644.
    const handle = await openPrivateFile(file, 0o022)
    const text = handle === null ? '' : await handle.readFile('utf8').finally(() => handle.close())
    const [pid, started] = text.trim().split(' ').map(Number)
    if (pid !== undefined && Number.isSafeInteger(pid) && pid > 0 && (await isRunning(pid, started))) {
      throw new Error(
        `another notes service (pid ${pid}) is using ${dir}; stop it or pass --data with another directory`,
      )
    }
    await rm(file, { force: true })
  }
  throw new Error(`could not lock ${dir}: ${file} keeps reappearing`)
}

async function isRunning(pid: number, started: number | undefined): Promise<boolean> {
  try {
    process.kill(pid, 0)
  } catch {
    // ESRCH: gone. EPERM: another user's process, which cannot have written this user's pid file.
    return false
  }
  if (started === undefined || !Number.isSafeInteger(started)) return true
  const now = await startTime(pid)
  return now === undefined || now === started
}

/**
 * A process's start time in clock ticks since boot: field 22 of /proc/<pid>/stat (proc(5)). The
 * fields are counted after the last ')', since the command name in parentheses may hold spaces.
 * Undefined where there is no /proc.
 */
async function startTime(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  if (stat === undefined) return undefined
  const value = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19])
  return Number.isSafeInteger(value) ? value : undefined
}
