import { type ChildProcess, spawn } from 'node:child_process'
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mariadbBinaries, serviceUser } from './binaries.js'
import { onProcessExit, startWatchdog } from './cleanup.js'
import { freePort, isAlive, run, waitForExit, waitForExitSync, waitUntil } from './process-tools.js'
import { makeCertificates, type TlsFiles } from './tls.js'

export interface MariaDbServer {
  host: string
  port: number
  database: string
  socket: string
  url: string
  rootUrl: string
  mariadb(sql: string, options?: { database?: string }): Promise<string>
  tls?: TlsFiles | undefined
  stop(): Promise<void>
  kill(): Promise<void>
  restart(): Promise<void>
}

export const MARIADB_PASSWORD = 'covet-pass'

/** Starts a throwaway MariaDB: mariadb-install-db into a temp dir, own defaults file, a free port. */
export async function startMariaDb(options: { tls?: boolean } = {}): Promise<MariaDbServer> {
  const bins = mariadbBinaries()
  const user = serviceUser('mysql')
  const dir = mkdtempSync(join(tmpdir(), 'covet-mariadb-'))
  chownSync(dir, user.uid, user.gid)
  const tls = options.tls ? await makeCertificates(dir, user) : undefined
  const port = await freePort()
  const socket = join(dir, 'mysqld.sock')
  const config = join(dir, 'my.cnf')
  writeFileSync(
    config,
    `[mariadbd]
datadir=${join(dir, 'data')}
port=${port}
bind-address=127.0.0.1
socket=${socket}
pid-file=${join(dir, 'mysqld.pid')}
user=${user.name}
skip-name-resolve
skip-log-bin
innodb_buffer_pool_size=32M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=2
max_connections=300
${tls ? `ssl-ca=${tls.caFile}\nssl-cert=${tls.certFile}\nssl-key=${tls.keyFile}\n` : ''}`,
  )
  await run(bins.installDb, [
    `--defaults-file=${config}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
  ])
  const server = new RunningMariaDb(dir, config, socket, port, bins, tls)
  await server.boot()
  await server.mariadb(
    `CREATE DATABASE covet; CREATE USER 'covet'@'%' IDENTIFIED BY '${MARIADB_PASSWORD}'; ` +
      `GRANT ALL ON *.* TO 'covet'@'%'; FLUSH PRIVILEGES`,
    { database: 'mysql' },
  )
  return server
}

class RunningMariaDb implements MariaDbServer {
  readonly host = '127.0.0.1'
  readonly database = 'covet'
  readonly url: string
  readonly rootUrl: string
  private child: ChildProcess | undefined
  private forget: (() => void) | undefined

  constructor(
    private readonly dir: string,
    private readonly config: string,
    readonly socket: string,
    readonly port: number,
    private readonly bins: { server: string; client: string },
    readonly tls: TlsFiles | undefined,
  ) {
    this.url = `mysql://covet:${MARIADB_PASSWORD}@127.0.0.1:${port}/covet`
    this.rootUrl = `mysql://root@127.0.0.1:${port}/covet`
  }

  mariadb(sql: string, options: { database?: string } = {}): Promise<string> {
    return run(this.bins.client, [
      '--no-defaults',
      `--socket=${this.socket}`,
      '-uroot',
      '-N',
      '-B',
      options.database ?? this.database,
      '-e',
      sql,
    ])
  }

  async boot(): Promise<void> {
    const child = spawn(this.bins.server, [`--defaults-file=${this.config}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let log = ''
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)))
    // A server must not keep the test process alive: it is stopped by the exit handlers (cleanup.ts).
    child.unref()
    ;(child.stderr as { unref?: () => void } | null)?.unref?.()
    this.child = child
    writeFileSync(join(this.dir, 'harness.pid'), String(child.pid))
    if (!this.forget) {
      this.forget = onProcessExit(() => this.stopSync())
      startWatchdog(join(this.dir, 'harness.pid'), this.dir)
    }
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`mariadbd exited: ${log}`)
        await this.mariadb('SELECT 1', { database: 'mysql' })
      },
      60_000,
      'MariaDB',
    ).catch((err) => {
      throw new Error(`${err.message}\n${log}`)
    })
  }

  async kill(): Promise<void> {
    const pid = this.child?.pid
    if (pid === undefined) return
    process.kill(pid, 'SIGKILL')
    await waitForExit(pid, 10_000)
  }

  async restart(): Promise<void> {
    await this.shutdown()
    await this.boot()
  }

  private async shutdown(): Promise<void> {
    const pid = this.child?.pid
    if (pid === undefined || !isAlive(pid)) return
    process.kill(pid, 'SIGTERM')
    await waitForExit(pid, 30_000)
    if (isAlive(pid)) process.kill(pid, 'SIGKILL')
  }

  async stop(): Promise<void> {
    await this.shutdown()
    this.forget?.()
    rmSync(this.dir, { recursive: true, force: true })
  }

  stopSync(): void {
    const pid = this.child?.pid
    if (pid !== undefined && isAlive(pid)) {
      process.kill(pid, 'SIGKILL') // the process is exiting: data is throwaway
      waitForExitSync(pid, 5_000)
    }
    rmSync(this.dir, { recursive: true, force: true })
  }
}
