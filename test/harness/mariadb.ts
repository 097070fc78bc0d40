import { spawn } from 'node:child_process'
import { chownSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mariadbBinaries, serviceUser } from './binaries.js'
import { freePort, run } from './process-tools.js'
import { ServerProcess } from './server-process.js'
import { makeCertificates, type TlsFiles } from './tls.js'

export interface MariaDbServer {
  host: string
  port: number
  database: string
  socket: string
  /** User `covet` (mysql_native_password, all privileges): what most tests use. */
  url: string
  /**
   * One user per auth method, each with privileges on `covet` only: `native`
   * (mysql_native_password), `ed25519` (MariaDB's client_ed25519) and `tls` (mysql_native_password
   * with REQUIRE SSL: refused without TLS; it can log in only on a server started with `tls`).
   */
  urls: { native: string; ed25519: string; tls: string }
  rootUrl: string
  mariadb(sql: string, options?: { database?: string }): Promise<string>
  tls?: TlsFiles | undefined
  stop(): Promise<void>
  kill(): Promise<void>
  restart(): Promise<void>
}

export const MARIADB_PASSWORD = 'covet-pass'
export const MARIADB_PASSWORDS = { native: 'native-pass', ed25519: 'ed25519-pass', tls: 'tls-pass' } as const

/** The auth users of `urls`; auth_ed25519.so ships in Debian's mariadb-server package. */
const USER_STATEMENTS = [
  "INSTALL SONAME 'auth_ed25519'",
  `CREATE USER 'covet_native'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('${MARIADB_PASSWORDS.native}')`,
  `CREATE USER 'covet_ed25519'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('${MARIADB_PASSWORDS.ed25519}')`,
  `CREATE USER 'covet_tls'@'%' IDENTIFIED BY '${MARIADB_PASSWORDS.tls}' REQUIRE SSL`,
  "GRANT ALL ON covet.* TO 'covet_native'@'%', 'covet_ed25519'@'%', 'covet_tls'@'%'",
]

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
  // A temporary-file directory of its own: in the shared /tmp, mariadb-install-db failed under load
  // deleting its internal temporary table ("Error on delete of '/tmp/#sql-temptable-...'", errno 2).
  const tmp = join(dir, 'tmp')
  mkdirSync(tmp)
  chownSync(tmp, user.uid, user.gid)
  writeFileSync(
    config,
    `[mariadbd]
datadir=${join(dir, 'data')}
port=${port}
bind-address=127.0.0.1
socket=${socket}
tmpdir=${tmp}
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
      `GRANT ALL ON *.* TO 'covet'@'%'; ${USER_STATEMENTS.join('; ')}; FLUSH PRIVILEGES`,
    { database: 'mysql' },
  )
  return server
}

class RunningMariaDb implements MariaDbServer {
  readonly host = '127.0.0.1'
  readonly database = 'covet'
  readonly url: string
  readonly urls: MariaDbServer['urls']
  readonly rootUrl: string
  private readonly server: ServerProcess

  constructor(
    dir: string,
    config: string,
    readonly socket: string,
    readonly port: number,
    private readonly bins: { server: string; client: string },
    readonly tls: TlsFiles | undefined,
  ) {
    this.url = `mysql://covet:${MARIADB_PASSWORD}@127.0.0.1:${port}/covet`
    const userUrl = (user: keyof typeof MARIADB_PASSWORDS) =>
      `mysql://covet_${user}:${MARIADB_PASSWORDS[user]}@127.0.0.1:${port}/covet`
    this.urls = { native: userUrl('native'), ed25519: userUrl('ed25519'), tls: userUrl('tls') }
    this.rootUrl = `mysql://root@127.0.0.1:${port}/covet`
    this.server = new ServerProcess({
      dir,
      name: 'MariaDB',
      spawn: () => spawn(bins.server, [`--defaults-file=${config}`], { stdio: ['ignore', 'ignore', 'pipe'] }),
      probe: () => this.mariadb('SELECT 1', { database: 'mysql' }),
      readyTimeoutMs: 60_000,
      stopSignal: 'SIGTERM',
      exitSignal: 'SIGKILL', // the test process is exiting: the data is throwaway
    })
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

  boot(): Promise<void> {
    return this.server.start()
  }

  kill(): Promise<void> {
    return this.server.kill()
  }

  async restart(): Promise<void> {
    await this.server.shutdown()
    await this.server.start()
  }

  stop(): Promise<void> {
    return this.server.stop()
  }
}
