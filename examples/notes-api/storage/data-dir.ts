/**
 * The data directory holds the database (password hashes, titles, sessions) and the key that
 * decrypts every note body, so it and what is in it must be this user's alone. A directory, key or
 * pid file that another user could have planted or could read — a symbolic link, another owner, a
 * mode open to group or others — is refused with a message that says what to fix, never used.
 * Files are opened with O_NOFOLLOW and checked on the open descriptor, so a symlink swapped in
 * between a check and the open cannot redirect the read.
 */
import { constants, type Stats } from 'node:fs'
import { type FileHandle, lstat, mkdir, open } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'

/** A data directory the service refuses to use; main.ts prints the message and exits with 1. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError'
}

/**
 * Per user, so that no other user can have created it first: `$XDG_DATA_HOME/covet-notes`, or
 * `~/.local/share/covet-notes` (XDG Base Directory Specification, "$XDG_DATA_HOME").
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'share')
  return join(base, 'covet-notes')
}

/** Creates `dir` (mode 0700) if it is missing, then checks it and its `pgdata` (see the module doc). */
export async function prepareDataDir(dir: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true })
  try {
    await mkdir(dir, { mode: 0o700 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  checkPrivate(await lstat(dir), dir, 'directory')
  const pgdata = join(dir, 'pgdata')
  const stats = await lstat(pgdata).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null
    throw error
  })
  if (stats !== null) checkPrivate(stats, pgdata, 'directory')
}

/**
 * Opens a file of the data directory for reading, or gives null when there is none. `forbidden`:
 * the mode bits refused (default: any access by group or others). O_NONBLOCK: a FIFO in its place
 * would otherwise block the open until someone writes to it.
 */
export async function openPrivateFile(path: string, forbidden = 0o077): Promise<FileHandle | null> {
  let handle: FileHandle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return null
    if (code === 'ELOOP') throw new DataDirError(`${path} is a symbolic link; remove it`)
    throw error
  }
  try {
    checkPrivate(await handle.stat(), path, 'file', forbidden)
  } catch (error) {
    await handle.close()
    throw error
  }
  return handle
}

function checkPrivate(stats: Stats, path: string, kind: 'directory' | 'file', forbidden = 0o077): void {
  if (stats.isSymbolicLink()) throw new DataDirError(`${path} is a symbolic link; give the real directory`)
  if (kind === 'directory' ? !stats.isDirectory() : !stats.isFile()) {
    throw new DataDirError(`${path} is not a ${kind === 'file' ? 'regular file' : 'directory'}`)
  }
  // Windows has no uid and no mode bits to speak of: nothing to check there.
  const uid = process.getuid?.()
  if (uid === undefined) return
  if (stats.uid !== uid) {
    throw new DataDirError(
      `${path} belongs to another user (uid ${stats.uid}, this is uid ${uid}); refusing it`,
    )
  }
  if ((stats.mode & forbidden) !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(4, '0')
    const fix = kind === 'directory' ? '700' : '600'
    throw new DataDirError(`${path} is open to other users (mode ${mode}); chmod ${fix} it if it is yours`)
  }
}
