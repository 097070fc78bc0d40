import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { parsePgUrl, resolvePg, resolvePgConfig } from '../../../src/postgres/config.js'

const PG_ENV = [
  'PGHOST',
  'PGPORT',
  'PGUSER',
  'PGPASSWORD',
  'PGDATABASE',
  'PGSSLMODE',
  'PGAPPNAME',
  'PGOPTIONS',
]

describe('postgres config', () => {
  let saved: Record<string, string | undefined> = {}
  beforeEach(() => {
    saved = Object.fromEntries(PG_ENV.map((k) => [k, process.env[k]]))
    for (const k of PG_ENV) delete process.env[k]
  })
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })

  it('parses a full URL with libpq keywords', () => {
    const { config: c, password } = resolvePg(
      'postgresql://u%40x:p%3Aw@db.example:6543/my%20db?sslmode=verify-full&application_name=app&connect_timeout=7&options=-c%20geqo%3Doff&channel_binding=require',
    )
    assert.equal(c.host, 'db.example')
    assert.equal(c.port, 6543)
    assert.equal(c.user, 'u@x')
    assert.equal(password, 'p:w')
    assert.equal('password' in c, false, 'the password is not part of the configuration')
    assert.equal(c.database, 'my db')
    assert.equal(c.sslmode, 'verify-full')
    assert.equal(c.channelBinding, 'require')
    assert.equal(c.connectTimeoutMs, 7000)
    assert.deepEqual(c.params, { application_name: 'app', options: '-c geqo=off' })
  })

  it('reads Unix socket directories and IPv6 hosts', () => {
    assert.equal(parsePgUrl('postgres:///db?host=/var/run/postgresql').host, '/var/run/postgresql')
    assert.equal(parsePgUrl('postgres://%2Ftmp%2Fpg/db').host, '/tmp/pg')
    assert.equal(parsePgUrl('postgres://[::1]:5433/db').host, '::1')
  })

  it('parses multi-host URLs and host lists (libpq)', () => {
    const c = resolvePgConfig(
      'postgres://u@a:5433,[::1],b:6000/db?target_session_attrs=read-write&load_balance_hosts=random',
    )
    assert.deepEqual(c.hosts, [
      { host: 'a', port: 5433 },
      { host: '::1', port: 5432 },
      { host: 'b', port: 6000 },
    ])
    assert.equal(c.host, 'a')
    assert.equal(c.targetSessionAttrs, 'read-write')
    assert.equal(c.loadBalanceHosts, 'random')
    assert.deepEqual(resolvePgConfig({ host: 'x, y', port: 7000 }).hosts, [
      { host: 'x', port: 7000 },
      { host: 'y', port: 7000 },
    ])
    assert.throws(() => resolvePgConfig({ host: 'x,y,z', port: '1,2' }), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /2 ports/,
    })
    assert.throws(() => resolvePgConfig({ host: 'x,y', hostaddr: '127.0.0.1' }), { message: /hostaddr/ })
    assert.throws(() => resolvePgConfig({ targetSessionAttrs: 'master' as 'primary' }), {
      message: /targetSessionAttrs/,
    })
  })

  it('fills libpq defaults from PG* variables, options winning over them', () => {
    process.env.PGHOST = 'envhost'
    process.env.PGUSER = 'envuser'
    process.env.PGPORT = '5555'
    process.env.PGSSLMODE = 'require'
    const c = resolvePgConfig({ port: 5432 })
    assert.equal(c.host, 'envhost')
    assert.equal(c.user, 'envuser')
    assert.equal(c.database, 'envuser')
    assert.equal(c.port, 5432)
    assert.equal(c.sslmode, 'require')
    assert.equal(resolvePgConfig({}).sslmode, 'require')
    delete process.env.PGSSLMODE
    assert.equal(resolvePgConfig({}).sslmode, 'prefer')
  })

  it('maps startup parameters', () => {
    const c = resolvePgConfig({ searchPath: 'a,b', statementTimeout: 500, params: { TimeZone: 'UTC' } })
    assert.deepEqual(c.params, { search_path: 'a,b', statement_timeout: '500', TimeZone: 'UTC' })
  })

  it('rejects bad configuration naming the option', () => {
    const bad: [unknown, RegExp][] = [
      ['mysql://x', /postgres:\/\//],
      ['not a url', /scheme/],
      ['postgres://h/db?sslmode=sometimes', /sslmode/],
      ['postgres://h/db?bogus=1', /bogus/],
      ['postgres://h/db?connect_timeout=-1', /connect_timeout/],
      [{ port: 70000 }, /port/],
      [{ sslrootcert: 'system', sslmode: 'require' }, /verify-full/],
      [{ channelBinding: 'always' }, /channelBinding/],
      [{ params: { user: 'x' } }, /params.user/],
      [{ scramMaxIterations: 0 }, /scramMaxIterations/],
    ]
    for (const [input, message] of bad) {
      assert.throws(
        () => resolvePgConfig(input as string),
        { code: 'ERR_INVALID_ARGUMENT', message },
        String(input),
      )
    }
  })
})
