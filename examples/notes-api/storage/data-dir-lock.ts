/**
 * One service per data directory. PGlite has no postmaster.pid of its own: two processes opening one
 * data directory would both write it and corrupt it. The lock is a pid file created exclusively;
 * one left by a process that no longer exists (killed with SIGKILL, a crash) is taken over.
 */
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, 'notes.pid')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' })
      return () => rm(file, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim())
    if (Number.isSafeInteger(owner) && owner > 0 && isRunning(owner)) {
      throw new Error(
        `another notes service (pid ${owner}) is using ${dir}; stop it or pass --data with another directory`,
      )
    }
    await rm(file, { force: true })
  }
  throw new Error(`could not lock ${dir}: ${file} keeps reappearing`)
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
