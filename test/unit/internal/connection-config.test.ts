import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidArgumentError } from '../../../src/errors/classes.js'
import {
  type ConnectionConfig,
  type ResolveOptions,
  resolveConnectionConfig,
  resolveHostList,
} from '../../../src/internal/connection-config.js'

const noEnv: ResolveOptions = { env: {}, osUser: 'osuser' }
const resolve = (url: string, options: ResolveOptions = noEnv): ConnectionConfig =>
  resolveConnectionConfig(url, options)

const pgDefaults: ConnectionConfig = {
  protocol: 'postgres',
  hosts: [{ host: 'localhost', port: 5432 }],
  user: 'osuser',
  password: undefined,
  database: 'osuser',
  ssl: { mode: 'prefer', rootCert: undefined, cert: undefined, key: undefined },
  applicationName: undefined,
  connectTimeoutMs: undefined,
  targetSessionAttrs: 'any',
  loadBalanceHosts: 'disable',
  channelBinding: 'prefer',
  options: undefined,
  params: {},
}

/** Compares with params turned into a plain object (the resolver uses a null-prototype one). */
function assertConfig(actual: ConnectionConfig, expected: Partial<ConnectionConfig>, label: string): void {
  const base = actual.protocol === 'postgres' ? pgDefaults : mysqlDefaults
  assert.deepEqual({ ...actual, params: { ...actual.params } }, { ...base, ...expected }, label)
}

const mysqlDefaults: ConnectionConfig = {
  ...pgDefaults,
  protocol: 'mysql',
  hosts: [{ host: 'localhost', port: 3306 }],
  database: undefined,
}

describe('resolveConnectionConfig: URLs', () => {
  it('fills libpq defaults and parses each documented form', () => {
    const table: [string, Partial<ConnectionConfig>][] = [
      ['postgres://', {}],
      [
        'postgresql://alice:pw@db:6543/app',
        { hosts: [{ host: 'db', port: 6543 }], user: 'alice', password: 'pw', database: 'app' },
      ],
      ['postgres://alice@db', { hosts: [{ host: 'db', port: 5432 }], user: 'alice', database: 'alice' }],
      [
        'postgres://h1:5433,h2,[::1]:5435/db',
        {
          hosts: [
            { host: 'h1', port: 5433 },
            { host: 'h2', port: 5432 },
            { host: '::1', port: 5435 },
          ],
          database: 'db',
        },
      ],
      [
        'postgres:///db?host=h1,h2&port=6000',
        {
          hosts: [
            { host: 'h1', port: 6000 },
            { host: 'h2', port: 6000 },
          ],
          database: 'db',
        },
      ],
      [
        'postgres://%2Fvar%2Frun%2Fpostgresql:5433/db',
        { hosts: [{ host: '/var/run/postgresql', port: 5433 }], database: 'db' },
      ],
      ['postgres:///db?host=/tmp', { hosts: [{ host: '/tmp', port: 5432 }], database: 'db' }],
      ['postgres://10.0.0.1', { hosts: [{ host: '10.0.0.1', port: 5432 }] }],
      [
        'postgres://h?sslmode=verify-full&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pem',
        {
          hosts: [{ host: 'h', port: 5432 }],
          ssl: { mode: 'verify-full', rootCert: '/ca.pem', cert: '/c.pem', key: '/k.pem' },
        },
      ],
      [
        'postgres://?sslrootcert=system',
        { ssl: { mode: 'verify-full', rootCert: 'system', cert: undefined, key: undefined } },
      ],
      [
        'postgres://?application_name=api&connect_timeout=10&target_session_attrs=read-write&options=-c%20geqo%3Doff' +
          '&channel_binding=require&load_balance_hosts=random',
        {
          applicationName: 'api',
          connectTimeoutMs: 10_000,
          targetSessionAttrs: 'read-write',
          options: '-c geqo=off',
          channelBinding: 'require',
          loadBalanceHosts: 'random',
        },
      ],
      ['postgres://?connect_timeout=1', { connectTimeoutMs: 2000 }],
      ['postgres://?connect_timeout=0', { connectTimeoutMs: 0 }],
      ['postgres://?connect_timeout=-5', { connectTimeoutMs: 0 }],
      ['postgres://?search_path=app&__proto__=x', { params: { search_path: 'app', ['__proto__']: 'x' } }],
      [
        'mysql://root:pw@db/shop',
        { hosts: [{ host: 'db', port: 3306 }], user: 'root', password: 'pw', database: 'shop' },
      ],
      [
        'mariadb://u@%2Frun%2Fmysqld%2Fmysqld.sock',
        { hosts: [{ host: '/run/mysqld/mysqld.sock', port: 3306 }], user: 'u' },
      ],
      [
        'mysql://h?ssl-mode=verify_identity&ssl-ca=/ca.pem&ssl-cert=/c&ssl-key=/k&charset=utf8mb4',
        {
          hosts: [{ host: 'h', port: 3306 }],
          ssl: { mode: 'verify-full', rootCert: '/ca.pem', cert: '/c', key: '/k' },
          params: { charset: 'utf8mb4' },
        },
      ],
      [
        'mysql://?ssl_mode=DISABLED&connect_timeout=5',
        { ssl: { ...pgDefaults.ssl, mode: 'disable' }, connectTimeoutMs: 5000 },
      ],
      [
        'mysql://?sslmode=require&options=x',
        { ssl: { ...pgDefaults.ssl, mode: 'require' }, params: { options: 'x' } },
      ],
    ]
    for (const [url, expected] of table) assertConfig(resolve(url), expected, url)
    assert.equal(Object.getPrototypeOf(resolve('postgres://?__proto__=x').params), null)
  })

  it('refuses bad values naming the part, and never echoes the password', () => {
    const cases: [string, RegExp][] = [
      ['postgres://h:0', /connection URL: port "0" is not a port number/],
      ['postgres://h:65536', /port "65536"/],
      ['postgres://h:54x', /port "54x"/],
      ['postgres://h1,h2?port=1,2,3', /port lists 3 ports for 2 hosts/],
      ['postgres://bad%20host', /host "bad host" is not a host name/],
      ['postgres://-h', /host "-h"/],
      ['postgres://?host=a,b%C3%A9', /host "bé"/],
      [
        'postgres://?sslmode=on',
        /sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full/,
      ],
      [
        'postgres://?sslmode=require&sslrootcert=system',
        /sslmode must be verify-full with sslrootcert=system/,
      ],
      ['postgres://?connect_timeout=10s', /connect_timeout must be a whole number/],
      ['postgres://?target_session_attrs=master', /target_session_attrs must be one of/],
      ['postgres://?channel_binding=yes', /channel_binding/],
      ['postgres://?load_balance_hosts=on', /load_balance_hosts/],
      ['mysql://?ssl-mode=on', /ssl-mode must be one of DISABLED, PREFERRED/],
      ['mysql://?ssl-mode=REQUIRED&sslmode=require', /both ssl-mode and sslmode/],
      ['mysql://?ssl-ca=/a&sslrootcert=/b', /both ssl-ca and sslrootcert/],
      ['nosql://h', /scheme/],
    ]
    for (const [url, message] of cases) {
      assert.throws(
        () => resolve(url.replace('://', '://u:s3cret@')),
        (e: unknown) =>
          e instanceof InvalidArgumentError &&
          e.code === 'ERR_INVALID_ARGUMENT' &&
          message.test(e.message) &&
          !e.message.includes('s3cret'),
        url,
      )
    }
  })
})

describe('resolveConnectionConfig: PG* environment', () => {
  const env = {
    PGHOST: 'envhost',
    PGPORT: '6000',
    PGUSER: 'envuser',
    PGPASSWORD: 'envpw',
    PGDATABASE: 'envdb',
    PGSSLMODE: 'require',
    PGSSLROOTCERT: '/env-ca.pem',
    PGSSLCERT: '/env-c.pem',
    PGSSLKEY: '/env-k.pem',
    PGAPPNAME: 'envapp',
    PGCONNECT_TIMEOUT: '7',
    PGTARGETSESSIONATTRS: 'standby',
    PGOPTIONS: '-c jit=off',
    PGCHANNELBINDING: 'disable',
    PGLOADBALANCEHOSTS: 'random',
    PGSERVICE: 'ignored',
  }

  it('fills every keyword the URL leaves out', () => {
    assertConfig(
      resolve('postgres://', { env }),
      {
        hosts: [{ host: 'envhost', port: 6000 }],
        user: 'envuser',
        password: 'envpw',
        database: 'envdb',
        ssl: { mode: 'require', rootCert: '/env-ca.pem', cert: '/env-c.pem', key: '/env-k.pem' },
        applicationName: 'envapp',
        connectTimeoutMs: 7000,
        targetSessionAttrs: 'standby',
        options: '-c jit=off',
        channelBinding: 'disable',
        loadBalanceHosts: 'random',
      },
      'env only',
    )
  })

  it('lets URL values win, keyword by keyword', () => {
    const c = resolve('postgres://u:p@urlhost/urldb?sslmode=disable', { env })
    assert.deepEqual(c.hosts, [{ host: 'urlhost', port: 6000 }])
    assert.deepEqual([c.user, c.password, c.database, c.ssl.mode], ['u', 'p', 'urldb', 'disable'])
    assert.equal(c.applicationName, 'envapp')
  })

  it('treats empty variables as unset, ignores them for MySQL, and names the variable at fault', () => {
    assertConfig(
      resolve('postgres://', { env: { PGHOST: '', PGUSER: '' }, osUser: 'me' }),
      { user: 'me', database: 'me' },
      'empty',
    )
    assertConfig(resolve('mysql://', { env, osUser: 'osuser' }), {}, 'mysql')
    assert.throws(
      () => resolve('postgres://', { env: { PGSSLMODE: 'on' } }),
      /^InvalidArgumentError: environment variable PGSSLMODE must be one of/,
    )
    assert.throws(() => resolve('postgres://', { env: { PGPORT: 'x' } }), /environment variable PGPORT "x"/)
    assert.throws(
      () => resolve('postgres://?sslmode=on', { env: { PGSSLMODE: 'on' } }),
      /connection URL: sslmode/,
    )
  })

  it('defaults the user to the OS user', () => {
    const c = resolveConnectionConfig('postgres://', { env: {} })
    assert.equal(typeof c.user, 'string')
    assert.ok(c.user.length > 0)
    assert.equal(c.database, c.user)
  })
})

describe('resolveHostList: the host and port options of both drivers', () => {
  it('pairs hosts with one port for all, or one each, an empty entry taking the default', () => {
    assert.deepEqual(resolveHostList('a', 5433, 5432), [{ host: 'a', port: 5433 }])
    assert.deepEqual(resolveHostList(' a , b ', '7000', 3306), [
      { host: 'a', port: 7000 },
      { host: 'b', port: 7000 },
    ])
    assert.deepEqual(resolveHostList('a,b,/run/mysqld/mysqld.sock', '1,,3', 3306), [
      { host: 'a', port: 1 },
      { host: 'b', port: 3306 },
      { host: '/run/mysqld/mysqld.sock', port: 3 },
    ])
    assert.deepEqual(resolveHostList('a', '', 5432), [{ host: 'a', port: 5432 }])
  })

  it('refuses a port count that fits neither, a bad port and an empty host', () => {
    const invalid = (run: () => unknown, message: RegExp) =>
      assert.throws(run, (e) => e instanceof InvalidArgumentError && message.test(e.message))
    invalid(() => resolveHostList('x,y,z', '1,2', 5432), /^port: 2 ports given for 3 hosts$/)
    for (const port of [0, 65536, 1.5, 'x', '-1']) {
      invalid(() => resolveHostList('a', port, 5432), /^port must be 1-65535$/)
    }
    invalid(() => resolveHostList('a,b', ',', 0), /^port must be 1-65535$/)
    invalid(() => resolveHostList('a,,b', 5432, 5432), /host must not be empty/)
  })
})
