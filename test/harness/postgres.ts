import { spawn } from 'node:child_process'
import { appendFileSync, chownSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type PgBinaries, postgresBinaries, serviceUser } from './binaries.js'
import { lowLevelBaseBackup } from './pg-base-backup.js'
import { freePort, run } from './process-tools.js'
import { ServerProcess } from './server-process.js'
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
  const binaries = postgresBinaries()
  const { bin } = binaries
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
  const server = new RunningPostgres(dir, data, port, user, binaries, tls)
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
  private readonly server: ServerProcess

  constructor(
    private readonly dir: string,
    private readonly data: string,
    readonly port: number,
    private readonly user: { uid: number; gid: number },
    private readonly binaries: PgBinaries,
    readonly tls: TlsFiles | undefined,
  ) {
    const { bin } = binaries
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
    this.server = new ServerProcess({
      dir,
      name: 'PostgreSQL',
      spawn: () =>
        spawn(
          'setpriv',
          [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', bin('postgres'), '-D', data],
          {
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        ),
      probe: () => this.psql('SELECT 1', { database: 'postgres' }),
      readyTimeoutMs: 30_000,
      stopSignal: 'SIGINT', // "fast" shutdown: roll back and disconnect clients
      exitSignal: 'SIGQUIT', // "immediate" shutdown: the test process is exiting
    })
  }

  get socketDir(): string {
    return this.dir
  }

  /** Starts the postmaster; after a SIGKILL, orphaned backends may hold shared memory a moment: retry. */
  async boot(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.server.start()
      } catch (err) {
        if (attempt >= 40 || !String(err).includes('shared memory')) throw err
        await new Promise((r) => setTimeout(r, 250))
      }
    }
  }

  kill(): Promise<void> {
    return this.server.kill()
  }

  async restart(): Promise<void> {
    await this.server.shutdown()
    await this.boot()
  }

  stop(): Promise<void> {
    return this.server.stop()
  }

  async startStandby(): Promise<PgServer> {
    const standbyDir = mkdtempSync(join(tmpdir(), 'covet-pg-standby-'))
    chownSync(standbyDir, this.user.uid, this.user.gid)
    const data = join(standbyDir, 'data')
    const { bin } = this.binaries
    if (this.binaries.has('pg_basebackup')) {
      await run(
        'setpriv',
        [
          `--reuid=${this.user.uid}`,
          `--regid=${this.user.gid}`,
          '--init-groups',
          bin('pg_basebackup'),
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
    } else {
      // A server-only build (no pg_basebackup of its version): the same backup through SQL.
      await lowLevelBaseBackup({
        psql: bin('psql'),
        socketDir: this.dir,
        port: this.port,
        user: ADMIN,
        source: this.data,
        target: data,
        owner: this.user,
      })
    }
    const port = await freePort()
    appendFileSync(
      join(data, 'postgresql.conf'),
      `port = ${port}\nunix_socket_directories = '${standbyDir}'\nhot_standby = on\n`,
    )
    const standby = new RunningPostgres(standbyDir, data, port, this.user, this.binaries, this.tls)
    await standby.boot()
    return standby
  }
}
