/**
 * End-to-end test of examples/notes-api (issue 9): the service is started as `npm start` starts it,
 * with PORT=0, on the embedded database and, separately, on the harness's real PostgreSQL and its
 * MariaDB (issue 16). Every mode runs the same scenario (support/scenario.ts).
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { MySqlConnection } from '../../../src/mysql/index.js'
import { PgConnection } from '../../../src/postgres/index.js'
import { getMariaDb, getPostgres } from '../../harness/index.js'
import { call, type NotesService, startNotesService } from './support/notes-service.js'
import { describeScenario } from './support/scenario.js'

describe('notes service on the embedded database (--memory)', () => {
  let service: NotesService
  before(async () => {
    service = await startNotesService(['--memory'])
  })
  after(async () => {
    await service?.stop('SIGKILL')
  })

  it('prints the URL, the database and a curl example', () => {
    const out = service.output()
    assert.match(out, /listening on http:\/\/127\.0\.0\.1:\d+/)
    assert.match(
      out,
      /database: embedded PostgreSQL \d+\.\d+ \(PGlite [\d.]+\) on a private Unix socket, in memory/,
    )
    assert.match(out, /curl -s -X POST http:\/\/127\.0\.0\.1:\d+\/users/)
  })

  describeScenario(() => service.url, 'embedded')

  it('Ctrl-C drains and exits with status 0', async () => {
    assert.equal(await service.stop('SIGINT'), 0)
    assert.match(service.output(), /stopped cleanly/)
  })
})

describe('notes service with --data: data and key survive a restart', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'covet-notes-test-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('a note written before Ctrl-C is readable after the next start', async () => {
    const first = await startNotesService(['--data', dir])
    const user = { username: 'persistent', password: 'long enough secret' }
    let noteId: string
    try {
      assert.equal((await call(first.url, 'POST', '/users', { json: user })).status, 201)
      const { token } = (await call(first.url, 'POST', '/login', { json: user })).json
      const note = await call(first.url, 'POST', '/notes', {
        token,
        json: { title: 'kept', body: 'on disk' },
      })
      noteId = note.json.id
      // Two PGlite instances on one directory would corrupt it: a second service must refuse it.
      await assert.rejects(startNotesService(['--data', dir]), /another notes service \(pid \d+\) is using/)
    } finally {
      assert.equal(await first.stop('SIGINT'), 0, first.output())
    }
    const key = await stat(join(dir, 'notes.key'))
    assert.equal(key.mode & 0o777, 0o600)
    const second = await startNotesService(['--data', dir])
    try {
      assert.match(second.output(), new RegExp(`data in ${dir}`))
      const { token } = (await call(second.url, 'POST', '/login', { json: user })).json
      const note = await call(second.url, 'GET', `/notes/${noteId}`, { token })
      assert.equal(note.status, 200)
      assert.equal(note.json.body, 'on disk')
    } finally {
      assert.equal(await second.stop('SIGINT'), 0, second.output())
    }
  })
})

/** One server the service can run on: how to reach it, what the banner says, how to read a note's row. */
interface ExternalServer {
  title: string
  url: () => Promise<string>
  banner: string
  scenario: 'server' | 'mariadb'
  noteRow: (url: string, id: unknown) => Promise<{ body: Buffer; title: string }[]>
}

const EXTERNAL_SERVERS: ExternalServer[] = [
  {
    title: 'a real PostgreSQL (DATABASE_URL)',
    url: async () => (await getPostgres()).url,
    banner: 'PostgreSQL',
    scenario: 'server',
    noteRow: async (url, id) => {
      const conn = await PgConnection.connect(url)
      try {
        return [
          ...(await conn.query<{ body: Buffer; title: string }>(
            'SELECT title, body FROM notes WHERE id = $1',
            [id],
          )),
        ]
      } finally {
        await conn.close()
      }
    },
  },
  {
    title: 'MariaDB (DATABASE_URL=mysql://...)',
    url: async () => (await getMariaDb()).url,
    banner: 'MariaDB',
    scenario: 'mariadb',
    noteRow: async (url, id) => {
      const conn = await MySqlConnection.connect(url)
      try {
        return [
          ...(await conn.execute<{ body: Buffer; title: string }>(
            'SELECT title, body FROM notes WHERE id = ?',
            [id],
          )),
        ]
      } finally {
        await conn.close()
      }
    },
  },
]

for (const server of EXTERNAL_SERVERS) {
  describe(`notes service on ${server.title}`, () => {
    let service: NotesService
    let databaseUrl: string
    before(async () => {
      databaseUrl = await server.url()
      service = await startNotesService(['--memory'], { DATABASE_URL: databaseUrl })
    })
    after(async () => {
      await service?.stop('SIGKILL')
    })

    it('prints the server it uses', () => {
      assert.match(
        service.output(),
        new RegExp(`database: ${server.banner} at 127\\.0\\.0\\.1:\\d+/covet \\(DATABASE_URL\\)`),
      )
    })

    const state = describeScenario(() => service.url, server.scenario)

    it('stores note bodies encrypted: the plaintext is nowhere in the table', async () => {
      const rows = await server.noteRow(databaseUrl, state.noteId)
      assert.equal(rows.length, 1)
      assert.equal(rows[0]!.title, 'Shopping')
      assert.ok(Buffer.isBuffer(rows[0]!.body))
      assert.equal(rows[0]!.body.includes('milk'), false)
    })

    it('Ctrl-C drains the pool and exits with status 0', async () => {
      assert.equal(await service.stop('SIGINT'), 0)
      assert.match(service.output(), /stopped cleanly/)
    })
  })
}

describe('notes service on MariaDB: concurrent starts', () => {
  it('two instances starting together on an empty database both come up with the whole schema', async () => {
    const server = await getMariaDb()
    await server.mariadb('DROP DATABASE IF EXISTS notes_race; CREATE DATABASE notes_race')
    const url = new URL(server.url)
    url.pathname = '/notes_race'
    const env = { DATABASE_URL: url.href }
    const both = await Promise.allSettled([
      startNotesService(['--memory'], env),
      startNotesService(['--memory'], env),
    ])
    try {
      for (const started of both)
        assert.equal(started.status, 'fulfilled', String((started as PromiseRejectedResult).reason))
      const tables = await server.mariadb(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'notes_race' ORDER BY 1",
      )
      assert.deepEqual(tables.trim().split('\n'), ['notes', 'sessions', 'users'])
    } finally {
      for (const started of both) if (started.status === 'fulfilled') await started.value.stop('SIGKILL')
    }
  })
})
