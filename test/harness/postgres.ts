import { type ChildProcess, spawn } from 'node:child_process'
import { appendFileSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { postgresBinaries, serviceUser } from './binaries.js'
import { onProcessExit, startWatchdog } from './cleanup.js'
import { freePort, isAlive, run, waitForExit, waitForExitSync, waitUntil } from './process-tools.js'
import { makeCertificates, type TlsFiles } from './tls.js'

export interface PgServer {
  host: string
  port: number
  database: string
  /** The directory holding the Unix socket (`.s.PGSQL.<port>`). */
  socketDir: string
  /** One role per auth method; each can log in only with that method (pg_hba below). */
  urls: { trust: string; scram: string; md5: string; password: string }
  url: string
  superuserUrl: string
  psql(sql: string, options?: { database?: string }): Promise<string>
  tls?: TlsFiles | undefined
  stop(): Promise<void>
  kill(): Promise<void>
  restart(): Promise<void>
  startStandby(): Promise<PgServer>
}

export interface StartPostgresOptions {
  tls?: boolean
  settings?: Record<string, string>
}

const ADMIN = 'covet_admin'
export const PG_PASSWORDS = { scram: 'scram-pass', md5: 'md5-pass', password: 'clear-pass' } as const

const HBA = `local all all trust
host all ${ADMIN} 127.0.0.1/32 trust
host all covet_trust 127.0.0.1/32 trust
host all covet_scram 127.0.0.1/32 scram-sha-256
host all covet_md5 127.0.0.1/32 md5
host all covet_password 127.0.0.1/32 password
host replication ${ADMIN} 127.0.0.1/32 trust
`

const ROLE_STATEMENTS = [
  'CREATE ROLE covet_trust LOGIN',
  `CREATE ROLE covet_scram LOGIN PASSWORD '${PG_PASSWORDS.scram}'`,
  `CREATE ROLE covet_password LOGIN PASSWORD '${PG_PASSWORDS.password}'`,
  `SET password_encryption = 'md5'; CREATE ROLE covet_md5 LOGIN PASSWORD '${PG_PASSWORDS.md5}'`,
  'CREATE DATABASE covet OWNER covet_scram',
  'GRANT ALL ON DATABASE covet TO PUBLIC',
]

function psqlRunner(bin: (name: string) => string, socketDir: string, port: number) {
  return (sql: string, options: { database?: string } = {}) =>
    run(bin('psql'), [
      '-X',
      '-q',
      '-A',
      '-t',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      socketDir,
      '-p',
      String(port),
      '-U',
      ADMIN,
      '-d',
      options.database ?? 'covet',
      '-c',
      sql,
    ])
}

/** Starts a throwaway PostgreSQL (initdb into a temp dir, loopback, a free port) as the postgres user. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PgServer> {
  const { bin } = postgresBinaries()
  const user = serviceUser('postgres')
  const dir = mkdtempSync(join(tmpdir(), 'covet-pg-'))
  chownSync(dir, user.uid, user.gid)
  const data = join(dir, 'data')
  const asUser = (command: string, args: string[]) =>
    run('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', command, ...args], {
      cwd: dir,
    })
  await asUser(bin('initdb'), [
    '-D',
    data,
    '-U',
    ADMIN,
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--no-sync',
    '--locale=C',
  ])
  const tls = options.tls ? await makeCertificates(dir, user) : undefined
  const port = await freePort()
  const settings: Record<string, string> = {
    listen_addresses: "'127.0.0.1'",
    port: String(port),
    unix_socket_directories: `'${dir}'`,
    password_encryption: "'scram-sha-256'",
    fsync: 'off',
    full_page_writes: 'off',
    max_connections: '200',
    wal_level: 'replica',
    max_wal_senders: '4',
    ...(tls
      ? {
          ssl: 'on',
          ssl_cert_file: `'${tls.certFile}'`,
          ssl_key_file: `'${tls.keyFile}'`,
          ssl_ca_file: `'${tls.caFile}'`,
        }
      : {}),
    ...options.settings,
  }
  appendFileSync(
    join(data, 'postgresql.conf'),
    Object.entries(settings)
      .map(([k, v]) => `${k} = ${v}\n`)
      .join(''),
  )
  writeFileSync(join(data, 'pg_hba.conf'), HBA)
  const server = new RunningPostgres(dir, data, port, user, bin, tls)
  await server.boot()
  // One statement per psql call: CREATE DATABASE cannot run inside a multi-statement string.
  for (const statement of ROLE_STATEMENTS) await server.psql(statement, { database: 'postgres' })
  await server.psql('GRANT ALL ON SCHEMA public TO PUBLIC')
  return server
}

class RunningPostgres implements PgServer {
  readonly host = '127.0.0.1'
  readonly database = 'covet'
  readonly urls: PgServer['urls']
  readonly url: string
  readonly superuserUrl: string
  readonly psql: PgServer['psql']
  private child: ChildProcess | undefined
  private readonly pidFile: string
  private forget: (() => void) | undefined

  constructor(
    private readonly dir: string,
    private readonly data: string,
    readonly port: number,
    private readonly user: { uid: number; gid: number },
    private readonly bin: (name: string) => string,
    readonly tls: TlsFiles | undefined,
  ) {
    const at = `127.0.0.1:${port}/covet`
    this.urls = {
      trust: `postgres://covet_trust@${at}`,
      scram: `postgres://covet_scram:${PG_PASSWORDS.scram}@${at}`,
      md5: `postgres://covet_md5:${PG_PASSWORDS.md5}@${at}`,
      password: `postgres://covet_password:${PG_PASSWORDS.password}@${at}`,
    }
    this.url = this.urls.scram
    this.superuserUrl = `postgres://${ADMIN}@${at}`
    this.psql = psqlRunner(bin, dir, port)
    this.pidFile = join(dir, 'harness.pid')
  }

  get socketDir(): string {
    return this.dir
  }

  /** Starts the postmaster; after a SIGKILL, orphaned backends may hold shared memory a moment: retry. */
  async boot(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.bootOnce()
      } catch (err) {
        if (attempt >= 40 || !String(err).includes('shared memory')) throw err
        await new Promise((r) => setTimeout(r, 250))
      }
    }
  }

  private async bootOnce(): Promise<void> {
    const child = spawn(
      'setpriv',
      [
        `--reuid=${this.user.uid}`,
        `--regid=${this.user.gid}`,
        '--init-groups',
        this.bin('postgres'),
        '-D',
        this.data,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    let log = ''
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)))
    // A server must not keep the test process alive: it is stopped by the exit handlers (cleanup.ts).
    child.unref()
    ;(child.stderr as { unref?: () => void } | null)?.unref?.()
    this.child = child
    writeFileSync(this.pidFile, String(child.pid))
    if (!this.forget) {
      this.forget = onProcessExit(() => this.stopSync())
      startWatchdog(this.pidFile, this.dir)
    }
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`postgres exited: ${log}`)
        await this.psql('SELECT 1', { database: 'postgres' })
      },
      30_000,
      'PostgreSQL',
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
    if (this.child && isAlive(this.child.pid!)) await this.shutdown()
    await this.boot()
  }

  private async shutdown(): Promise<void> {
    const pid = this.child?.pid
    if (pid === undefined || !isAlive(pid)) return
    process.kill(pid, 'SIGINT') // "fast" shutdown: roll back and disconnect clients
    await waitForExit(pid, 15_000)
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
      process.kill(pid, 'SIGQUIT') // "immediate" shutdown: we are exiting
      waitForExitSync(pid, 5_000)
    }
    rmSync(this.dir, { recursive: true, force: true })
  }

  async startStandby(): Promise<PgServer> {
    const standbyDir = mkdtempSync(join(tmpdir(), 'covet-pg-standby-'))
    chownSync(standbyDir, this.user.uid, this.user.gid)
    const data = join(standbyDir, 'data')
    await run(
      'setpriv',
      [
        `--reuid=${this.user.uid}`,
        `--regid=${this.user.gid}`,
        '--init-groups',
        this.bin('pg_basebackup'),
        '-h',
        '127.0.0.1',
        '-p',
        String(this.port),
        '-U',
        ADMIN,
        '-D',
        data,
        '-R',
        '-X',
        'stream',
        '--checkpoint=fast',
        '--no-sync',
      ],
      { cwd: standbyDir },
    )
    const port = await freePort()
    appendFileSync(
      join(data, 'postgresql.conf'),
      `port = ${port}\nunix_socket_directories = '${standbyDir}'\nhot_standby = on\n`,
    )
    const standby = new RunningPostgres(standbyDir, data, port, this.user, this.bin, this.tls)
    await standby.boot()
    return standby
  }
}
