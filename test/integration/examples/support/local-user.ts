/**
 * What another local user sees of a running notes service (issue 18): the sockets it listens on,
 * read from /proc as any user can, and what that user can open, run as `nobody` with runuser(1).
 * Linux only; acting as another user needs root, which the machines here run as.
 */
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { lstat, readdir, readFile, readlink } from 'node:fs/promises'
import { join } from 'node:path'

/** Why a test that needs another user cannot run here, or undefined when it can. */
export const needsRoot =
  process.getuid?.() === 0 && process.platform === 'linux'
    ? undefined
    : 'acting as another user needs root on Linux (runuser, chown)'

export function nobodyIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim())
  return { uid: id('-u'), gid: id('-g') }
}

/** The Unix socket paths and TCP ports a process listens on (proc(5): /proc/net/unix, /proc/net/tcp). */
export async function listeningSockets(pid: number): Promise<{ unix: string[]; tcp: number[] }> {
  const inodes = new Set<string>()
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
    if (inode !== undefined) inodes.add(inode)
  }
  const unix: string[] = []
  // Num RefCount Protocol Flags Type St Inode Path; Flags 00010000 is __SO_ACCEPTCON (listening).
  for (const line of (await readFile('/proc/net/unix', 'utf8')).split('\n').slice(1)) {
    const [, , , flags, , , inode, path] = line.trim().split(/\s+/)
    if (inode !== undefined && inodes.has(inode) && (Number.parseInt(flags!, 16) & 0x10000) !== 0) {
      unix.push(path ?? '')
    }
  }
  const tcp: number[] = []
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '')
    // sl local_address rem_address st ... inode (10th field); st 0A is LISTEN.
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      if (fields[3] === '0A' && inodes.has(fields[9] ?? '')) {
        tcp.push(Number.parseInt(fields[1]!.split(':')[1]!, 16))
      }
    }
  }
  return { unix, tcp }
}

/**
 * Runs `script` (plain JavaScript, CommonJS) under node as the user `nobody`; resolves with what
 * it printed. The scripts here print an error code or what they could read.
 */
export async function runAsNobody(script: string): Promise<string> {
  // Without NODE_V8_COVERAGE (npm test collects coverage; spawn() passes it on to every child even
  // when left out of `env`): nobody cannot write root's coverage directory, and node's complaint
  // about it would be mixed into what the script printed.
  const command = ['-u', 'nobody', '--', 'env', '-u', 'NODE_V8_COVERAGE', process.execPath, '-e', script]
  const child = spawn('runuser', command, {
    cwd: '/',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
  await once(child, 'exit')
  return out.trim()
}

/** `nobody` connects to a Unix socket: `connected`, or the error code (EACCES, ENOENT...). */
export function connectAsNobody(path: string): Promise<string> {
  return runAsNobody(`
    const socket = require('node:net').connect(${JSON.stringify(path)})
    socket.on('connect', () => { console.log('connected'); socket.destroy() })
    socket.on('error', (error) => console.log(error.code))`)
}

/** `nobody` reads a file, or lists a directory: `read`, or the error code. */
export function readAsNobody(path: string): Promise<string> {
  return runAsNobody(`
    const fs = require('node:fs')
    try {
      fs.statSync(${JSON.stringify(path)}).isDirectory() ? fs.readdirSync(${JSON.stringify(path)}) : fs.readFileSync(${JSON.stringify(path)})
      console.log('read')
    } catch (error) { console.log(error.code) }`)
}

/** Every file and directory under `dir` (itself included) whose mode lets group or others in. */
export async function openToOthers(dir: string): Promise<string[]> {
  const found: string[] = []
  const walk = async (path: string) => {
    const stats = await lstat(path)
    if ((stats.mode & 0o077) !== 0) found.push(`${(stats.mode & 0o777).toString(8)} ${path}`)
    if (stats.isDirectory()) for (const name of await readdir(path)) await walk(join(path, name))
  }
  await walk(dir)
  return found
}
