import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isCovetError } from '../../../src/errors/covet-error.js'
import { parseMySqlUrl, resolveMySqlConfig } from '../../../src/mysql/config.js'
import { validateSettings } from '../../../src/mysql/connection-options.js'

const invalid = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e) => isCovetError(e) && e.code === 'ERR_INVALID_ARGUMENT' && pattern.test(e.message))

describe('mysql:// and mariadb:// URLs', () => {
  it('take user, password, hosts, database and the sslmode keywords', () => {
    const c = resolveMySqlConfig(
      'mariadb://ann:p%40ss@db1:3307,db2/shop?sslmode=verify-full&sslrootcert=/ca.pem',
    )
    assert.equal(c.user, 'ann')
    assert.equal(c.password, 'p@ss')
    assert.deepEqual(c.hosts, [
      { host: 'db1', port: 3307 },
      { host: 'db2', port: 3306 },
    ])
    assert.equal(c.database, 'shop')
    assert.equal(c.sslmode, 'verify-full')
    assert.equal(c.sslrootcert, '/ca.pem')
  })

  it("accept MySQL's spellings: ssl-mode=VERIFY_IDENTITY, ssl-ca", () => {
    const c = resolveMySqlConfig('mysql://u@h/d?ssl-mode=VERIFY_IDENTITY&ssl-ca=/ca.pem')
    assert.equal(c.sslmode, 'verify-full')
    assert.equal(c.sslrootcert, '/ca.pem')
  })

  it('map connect_timeout (seconds), the session options and booleans', () => {
    const c = resolveMySqlConfig(
      'mysql://u@h/d?connect_timeout=5&timezone=%2B02:00&collation=utf8mb4_unicode_ci&localInfile=true&maxStatementTimeMs=1500',
    )
    assert.equal(c.connectTimeoutMs, 5000)
    assert.deepEqual(c.timezone, { offsetMs: 7_200_000, sql: '+02:00' })
    assert.equal(c.collation, 'utf8mb4_unicode_ci')
    assert.equal(c.localInfile, true)
    assert.equal(c.maxStatementTimeMs, 1500)
    assert.equal(c.multipleStatements, false)
  })

  it('refuse unknown parameters, bad values and other schemes, naming them without echoing the password', () => {
    invalid(() => parseMySqlUrl('mysql://u@h/d?sslmod=require'), /unknown connection parameter "sslmod"/)
    invalid(() => parseMySqlUrl('mysql://u@h/d?localInfile=yes'), /localInfile must be true or false/)
    invalid(() => parseMySqlUrl('mysql://u@h/d?ssl-mode=MAYBE'), /ssl-mode must be one of/)
    invalid(() => parseMySqlUrl('postgres://u@h/d'), /expected mysql:\/\/ or mariadb:\/\//)
    assert.throws(
      () => parseMySqlUrl('mysql://u:s3cret@h/d?nope=1'),
      (e) => isCovetError(e) && !e.message.includes('s3cret'),
    )
  })
})

describe('options', () => {
  it('default to TLS preferred, UTC, the OS user, port 3306', () => {
    const c = resolveMySqlConfig({ host: 'h' })
    assert.equal(c.sslmode, 'prefer')
    assert.deepEqual(c.timezone, { offsetMs: 0, sql: '+00:00' })
    assert.equal(c.port, 3306)
    assert.equal(typeof c.user, 'string')
    assert.equal(c.connectTimeoutMs, 30_000)
  })

  it('refuse bad values at construction, naming the option', () => {
    invalid(() => resolveMySqlConfig({ sslmode: 'on' as never }), /sslmode must be one of/)
    invalid(
      () => resolveMySqlConfig({ sslmode: 'require', sslrootcert: 'system' }),
      /sslrootcert=system requires/,
    )
    invalid(() => resolveMySqlConfig({ port: 70000 }), /port must be 1-65535/)
    invalid(() => resolveMySqlConfig({ host: 'a,b', port: '1,2,3' }), /3 ports given for 2 hosts/)
    invalid(() => resolveMySqlConfig({ collation: 'utf8mb4_bin; DROP TABLE x' }), /collation must be/)
    invalid(() => resolveMySqlConfig({ timezone: 'Europe/Paris' }), /timezone must be/)
    invalid(() => resolveMySqlConfig({ connectTimeoutMs: -1 }), /connectTimeoutMs/)
    invalid(() => resolveMySqlConfig({ maxStatementTimeMs: 1.5 }), /maxStatementTimeMs/)
    invalid(() => resolveMySqlConfig({ localInfile: 'yes' as never }), /localInfile must be a boolean/)
    invalid(() => validateSettings({ rowMode: 'map' as never }), /rowMode/)
    invalid(() => validateSettings({ statementCacheSize: -1 }), /statementCacheSize/)
    invalid(() => validateSettings({ types: { bigint: 'float' as never } }), /types\.bigint/)
  })
})
