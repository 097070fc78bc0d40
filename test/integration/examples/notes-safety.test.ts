/**
 * `npm start` on a machine shared with other users (issue 18): the embedded database is reachable
 * by this user only, the default data directory is per user and private, and a data directory,
 * key or pid file that another user could have planted is refused rather than used.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isCovetError } from '../../../src/errors/index.js'
import { PgConnection } from '../../../src/postgres/index.js'
import {
  connectAsNobody,
  listeningSockets,
  needsRoot,
  nobodyIds,
  openToOthers,
  readAsNobody,
} from './support/local-user.js'
import { call, expectRefusal, type NotesService, startNotesService } from './support/notes-service.js'

const KEY = `${Buffer.alloc(32, 7).toString('base64url')}\n`

describe('npm start with the default data directory, as seen by another local user', () => {
  let home: string
  let service: NotesService
  let dataDir: string
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'covet-notes-home-'))
    // A home as many systems make it, readable by all: only the data directory may keep others out.
    await mkdir(join(home, '.local', 'share'), { recursive: true })
    for (const dir of [home, join(home, '.local'), join(home, '.local', 'share')]) await chmod(dir, 0o755)
    // The default is per user: under $HOME (what os.homedir() reads), never a shared /tmp path.
    service = await startNotesService([], { HOME: home, XDG_DATA_HOME: undefined })
    dataDir = join(home, '.local', 'share', 'covet-notes')
  })
  after(async () => {
    await service?.stop('SIGKILL')
    await rm(home, { recursive: true, force: true })
  })

  it('creates $HOME/.local/share/covet-notes, mode 0700, and says so', async () => {
    assert.match(service.output(), new RegExp(`data in ${join(dataDir, 'pgdata')}`))
    assert.equal((await stat(dataDir)).mode & 0o777, 0o700)
  })

  it('listens on one TCP port, the HTTP one; the database only on a Unix socket in a 0700 directory', async () => {
    const { unix, tcp } = await listeningSockets(service.pid)
    assert.deepEqual(tcp, [Number(new URL(service.url).port)])
    assert.equal(unix.length, 1, unix.join(', '))
    assert.equal(basename(unix[0]!), '.s.PGSQL.5432')
    const dir = await stat(dirname(unix[0]!))
    assert.equal(dir.mode & 0o777, 0o700)
    assert.equal(dir.uid, process.getuid?.())
  })

  it('another user cannot connect to the database socket', { skip: needsRoot }, async () => {
    const [socket] = (await listeningSockets(service.pid)).unix
    assert.equal(await connectAsNobody(socket!), 'EACCES')
  })

  it('the pool holds the one client slot: a second client is turned away, the service goes on', async () => {
    const [socket] = (await listeningSockets(service.pid)).unix
    // Root passes the directory's mode: only the held slot stops this client.
    await assert.rejects(
      PgConnection.connect({ host: dirname(socket!), user: 'postgres', sslmode: 'disable' }),
      (e) => isCovetError(e) && ['ERR_PROTOCOL', 'ERR_CONNECTION_CLOSED'].includes(e.code),
    )
    assert.equal((await call(service.url, 'GET', '/health')).status, 200)
  })

  it('keeps every file of the data directory to its owner (PGlite itself creates them 0666)', async () => {
    const user = { username: 'modes', password: 'long enough secret' }
    assert.equal((await call(service.url, 'POST', '/users', { json: user })).status, 201)
    assert.deepEqual(await openToOthers(dataDir), [])
  })

  it('another user can read neither the key nor the database files', { skip: needsRoot }, async () => {
    assert.equal(await readAsNobody(join(dataDir, 'notes.key')), 'EACCES')
    assert.equal(await readAsNobody(join(dataDir, 'pgdata')), 'EACCES')
  })

  it('Ctrl-C stops it and removes the socket directory', async () => {
    const [socket] = (await listeningSockets(service.pid)).unix
    assert.equal(await service.stop('SIGINT'), 0, service.output())
    assert.equal(existsSync(dirname(socket!)), false)
    // Files written while closing (the checkpoint) are owner-only too.
    assert.deepEqual(await openToOthers(dataDir), [])
  })
})

describe('--data refuses what another user could have planted', () => {
  let base: string
  let count = 0
  /** A fresh data directory of this user's, mode 0700, holding a valid key. */
  const layout = async () => {
    const dir = join(base, `data-${++count}`)
    await mkdir(dir, { mode: 0o700 })
    await writeFile(join(dir, 'notes.key'), KEY, { mode: 0o600 })
    return dir
  }
  const refuses = async (dir: string, message: RegExp) => {
    const { code, output } = await expectRefusal(['--data', dir])
    assert.equal(code, 1, output)
    assert.match(output, /could not start: /)
    assert.match(output, message)
    // Refused before the database was touched: no initdb ran.
    assert.equal(existsSync(join(dir, 'pgdata', 'PG_VERSION')), false, output)
  }
  before(async () => {
    base = await mkdtemp(join(tmpdir(), 'covet-notes-hostile-'))
  })
  after(async () => {
    await rm(base, { recursive: true, force: true })
  })

  it('a data directory that is a symlink', async () => {
    const real = await layout()
    const link = join(base, 'link')
    await symlink(real, link)
    await refuses(link, /link is a symbolic link/)
  })

  it('a data directory open to group or others', async () => {
    for (const mode of [0o777, 0o755, 0o750]) {
      const dir = await layout()
      await chmod(dir, mode)
      await refuses(dir, new RegExp(`${dir} is open to other users \\(mode 0${mode.toString(8)}\\)`))
    }
  })

  it("another user's data directory", { skip: needsRoot }, async () => {
    const dir = await layout()
    await chown(dir, nobodyIds().uid, nobodyIds().gid)
    await refuses(dir, new RegExp(`${dir} belongs to another user`))
  })

  it('a key that is a symlink, even to a key of this user', async () => {
    const dir = await layout()
    await rm(join(dir, 'notes.key'))
    await writeFile(join(base, 'planted.key'), KEY, { mode: 0o600 })
    await symlink(join(base, 'planted.key'), join(dir, 'notes.key'))
    await refuses(dir, /notes\.key is a symbolic link/)
  })

  it('a key open to group or others', async () => {
    for (const mode of [0o666, 0o620, 0o640]) {
      const dir = await layout()
      await chmod(join(dir, 'notes.key'), mode)
      await refuses(dir, /notes\.key is open to other users/)
    }
  })

  it("another user's key", { skip: needsRoot }, async () => {
    const dir = await layout()
    await chown(join(dir, 'notes.key'), nobodyIds().uid, nobodyIds().gid)
    await refuses(dir, /notes\.key belongs to another user/)
  })

  it('a FIFO in place of the key is refused at once, not waited on', async () => {
    const dir = await layout()
    await rm(join(dir, 'notes.key'))
    const mkfifo = spawn('mkfifo', [join(dir, 'notes.key')])
    assert.deepEqual(await once(mkfifo, 'exit'), [0, null])
    await refuses(dir, /notes\.key is not a regular file/)
  })

  it("a pid file that is a symlink, another user's or writable by others", { skip: needsRoot }, async () => {
    const linked = await layout()
    await writeFile(join(base, 'planted.pid'), '1\n', { mode: 0o600 })
    await symlink(join(base, 'planted.pid'), join(linked, 'notes.pid'))
    await refuses(linked, /notes\.pid is a symbolic link/)
    // pid 1 is alive: honoured, it would have blocked every start of this user's.
    const foreign = await layout()
    await writeFile(join(foreign, 'notes.pid'), '1\n', { mode: 0o600 })
    await chown(join(foreign, 'notes.pid'), nobodyIds().uid, nobodyIds().gid)
    await refuses(foreign, /notes\.pid belongs to another user/)
    const writable = await layout()
    await writeFile(join(writable, 'notes.pid'), '1\n', { mode: 0o600 })
    await chmod(join(writable, 'notes.pid'), 0o622)
    await refuses(writable, /notes\.pid is open to other users \(mode 0622\)/)
  })

  it('a pgdata that is a symlink', async () => {
    const dir = await layout()
    await mkdir(join(base, 'elsewhere'), { mode: 0o700 })
    await symlink(join(base, 'elsewhere'), join(dir, 'pgdata'))
    await refuses(dir, /pgdata is a symbolic link/)
  })
})

describe('--data: a pid file whose process is gone does not stop the start', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'covet-notes-stale-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const startsAndStops = async () => {
    const service = await startNotesService(['--data', dir])
    try {
      assert.equal((await call(service.url, 'GET', '/health')).status, 200)
      // The lock is this service's now.
      const [pid] = (await readFile(join(dir, 'notes.pid'), 'utf8')).trim().split(' ')
      assert.equal(Number(pid), service.pid)
    } finally {
      assert.equal(await service.stop('SIGINT'), 0, service.output())
    }
  }

  it('a process that has exited', async () => {
    const gone = spawn(process.execPath, ['-e', ''])
    await once(gone, 'exit')
    // Mode 0644, as versions before issue 18 wrote it: readable by others is no reason to refuse.
    await writeFile(join(dir, 'notes.pid'), `${gone.pid}\n`, { mode: 0o644 })
    await startsAndStops()
  })

  it('a pid now used by another process (its start time differs)', {
    skip: process.platform !== 'linux' && 'needs /proc',
  }, async () => {
    // This test's own process stands in for a live service: with its real start time it holds the lock.
    const procStat = await readFile('/proc/self/stat', 'utf8')
    const started = procStat.slice(procStat.lastIndexOf(')') + 2).split(' ')[19]
    await writeFile(join(dir, 'notes.pid'), `${process.pid} ${started}\n`, { mode: 0o600 })
    const { code, output } = await expectRefusal(['--data', dir])
    assert.equal(code, 1, output)
    assert.match(output, new RegExp(`another notes service \\(pid ${process.pid}\\) is using`))
    // The same pid with another start time is a reused pid: the lock is stale.
    await writeFile(join(dir, 'notes.pid'), `${process.pid} 1\n`, { mode: 0o600 })
    await startsAndStops()
  })
})
