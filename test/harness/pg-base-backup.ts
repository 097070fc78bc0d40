import { spawn } from 'node:child_process'
import type { Dirent } from 'node:fs'
import { appendFile, copyFile, mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from './process-tools.js'

/**
 * A base backup of a running server through the low-level API (PostgreSQL docs, Continuous Archiving,
 * "Making a Base Backup Using the Low Level API"), made into a streaming standby's data directory. For server builds
 * that ship no pg_basebackup (the npm registry's embedded builds have only initdb, pg_ctl and postgres),
 * since Debian's pg_basebackup refuses servers newer than itself.
 */
export interface BaseBackupSpec {
  psql: string
  socketDir: string
  port: number
  /** A superuser that pg_hba lets in over the socket and for replication over 127.0.0.1. */
  user: string
  source: string
  target: string
  owner: { uid: number; gid: number }
}

// Left out of the copy: the docs' list of what a backup may omit; pg_wal is copied after the backup
// ends, so it holds every record up to the backup's end.
const SKIP_FILES = new Set(['postmaster.pid', 'postmaster.opts'])
const EMPTY_DIRS = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
])

export async function lowLevelBaseBackup(spec: BaseBackupSpec): Promise<void> {
  const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1']
  args.push('-h', spec.socketDir, '-p', String(spec.port), '-U', spec.user, '-d', 'postgres')
  const version = Number(await run(spec.psql, [...args, '-c', 'SHOW server_version_num']))
  // PostgreSQL 15 removed the exclusive backup mode and renamed pg_start_backup/pg_stop_backup to
  // pg_backup_start/pg_backup_stop (15 release notes); on 14 the non-exclusive mode is asked for by name.
  const [start, stop] =
    version >= 150000
      ? ["pg_backup_start('covet standby', true)", 'pg_backup_stop(false)']
      : ["pg_start_backup('covet standby', true, false)", 'pg_stop_backup(false, false)']

  // A non-exclusive backup lasts as long as the session that started it: keep one psql open on stdin.
  const session = spawn(spec.psql, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  session.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  session.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const closed = new Promise<void>((resolve, reject) => {
    session.on('error', reject)
    session.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`psql (base backup) failed (${code}): ${stderr.trim()}`)),
    )
  })
  const started = new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (!stdout.includes('\n')) return
      session.stdout.off('data', onData)
      resolve()
    }
    session.stdout.on('data', onData)
    closed.then(() => reject(new Error(`psql ended before the backup started: ${stderr.trim()}`)), reject)
  })
  try {
    session.stdin.write(`SELECT ${start};\n`)
    await started
    await copyTree(spec.source, spec.target, true)
  } catch (err) {
    session.stdin.end() // psql exits; the server aborts the backup with the session
    await closed.catch(() => {})
    throw err
  }
  stdout = ''
  session.stdin.end(`SELECT encode(convert_to(labelfile, 'UTF8'), 'base64') FROM ${stop};\n`)
  await closed
  const label = Buffer.from(stdout.replace(/\s/g, ''), 'base64')
  if (label.length === 0) throw new Error('pg_backup_stop returned no backup label')

  await copyTree(join(spec.source, 'pg_wal'), join(spec.target, 'pg_wal'), false)
  await writeFile(join(spec.target, 'backup_label'), label)
  await writeFile(join(spec.target, 'standby.signal'), '')
  await appendFile(
    join(spec.target, 'postgresql.auto.conf'),
    `primary_conninfo = 'host=127.0.0.1 port=${spec.port} user=${spec.user}'\n`,
  )
  await run('chown', ['-R', `${spec.owner.uid}:${spec.owner.gid}`, spec.target])
}

/** Copies a directory tree of a live server: a file removed while we walk (a recycled WAL segment) is skipped. */
async function copyTree(from: string, to: string, top: boolean): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 })
  let entries: Dirent[]
  try {
    entries = await readdir(from, { withFileTypes: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  for (const entry of entries) {
    const source = join(from, entry.name)
    const target = join(to, entry.name)
    if (entry.name.startsWith('pgsql_tmp') || (top && SKIP_FILES.has(entry.name))) continue
    try {
      if (entry.isDirectory()) {
        if (top && EMPTY_DIRS.has(entry.name)) await mkdir(target, { mode: 0o700 })
        else await copyTree(source, target, false)
      } else if (entry.isFile()) await copyFile(source, target)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
}
