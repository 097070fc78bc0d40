import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { type PgServer, startPostgres } from '../../harness/index.js'
import { isAlive, run } from '../../harness/process-tools.js'
import { waitFor } from '../../support/wait-for.js'

const psqlAt = (url: string, sql: string) =>
  run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url, '-c', sql])

describe('harness: PostgreSQL', () => {
  const started: PgServer[] = []
  after(async () => {
    for (const server of started) await server.stop()
  })

  it('starts, accepts each auth method, survives kill + restart, and stops without a trace', async () => {
    const pg = await startPostgres()
    started.push(pg)
    assert.equal(await pg.psql('SELECT 1 + 1'), '2\n')
    assert.equal(await psqlAt(pg.urls.trust, 'SELECT current_user'), 'covet_trust\n')
    assert.equal(await psqlAt(pg.urls.scram, 'SELECT current_user'), 'covet_scram\n')
    assert.equal(await psqlAt(pg.urls.md5, 'SELECT current_user'), 'covet_md5\n')
    assert.equal(await psqlAt(pg.urls.password, 'SELECT current_user'), 'covet_password\n')
    assert.equal(
      await pg.psql("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'covet_scram'"),
      't\n',
    )
    assert.equal(
      await pg.psql("SELECT rolpassword LIKE 'md5%' FROM pg_authid WHERE rolname = 'covet_md5'"),
      't\n',
    )
    // The wrong password is refused: pg_hba really asks for it.
    await assert.rejects(
      psqlAt(pg.urls.scram.replace('scram-pass', 'wrong'), 'SELECT 1'),
      /password authentication failed/,
    )

    await pg.psql('CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)')
    await pg.kill()
    await assert.rejects(pg.psql('SELECT 1'))
    await pg.restart()
    assert.equal(await pg.psql('SELECT v FROM kept'), '42\n')

    const dir = pg.socketDir
    await pg.stop()
    started.pop()
    assert.ok(!existsSync(dir), 'the temp dir is removed')
  })

  it('serves TLS with a test CA: verify-full passes for the certificate name and fails for another', async () => {
    const pg = await startPostgres({ tls: true })
    started.push(pg)
    const tls = pg.tls!
    const base = `postgres://covet_trust@${tls.hostname}:${pg.port}/covet?sslrootcert=${tls.caFile}`
    assert.equal(
      await psqlAt(`${base}&sslmode=verify-full`, 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'),
      't\n',
    )
    const wrongName = `postgres://covet_trust@127.0.0.2:${pg.port}/covet?sslrootcert=${tls.caFile}&sslmode=verify-full`
    await assert.rejects(psqlAt(wrongName, 'SELECT 1'), /does not match|certificate|connection/)
  })

  it('starts a streaming standby that replays the primary', async () => {
    const pg = await startPostgres()
    started.push(pg)
    const standby = await pg.startStandby()
    started.push(standby)
    assert.equal(await standby.psql('SELECT pg_is_in_recovery()'), 't\n')
    await pg.psql('CREATE TABLE replicated (v text); INSERT INTO replicated VALUES ($$hello$$)')
    const seen = await waitFor(
      'the standby to replay the insert',
      () => standby.psql('SELECT v FROM replicated').catch(() => ''),
      { tries: 100, intervalMs: 100 },
    )
    assert.equal(seen, 'hello\n')
  })

  it('a killed postmaster leaves no process behind once stopped', async () => {
    const pg = await startPostgres()
    const pidFile = `${pg.socketDir}/harness.pid`
    const { readFileSync } = await import('node:fs')
    const pid = Number(readFileSync(pidFile, 'utf8'))
    assert.ok(isAlive(pid))
    await pg.stop()
    assert.ok(!isAlive(pid))
  })
})
