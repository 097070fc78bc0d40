import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidArgumentError } from '../../../src/errors/classes.js'
import { parseConnectionUrl } from '../../../src/internal/connection-url.js'

const keywords = (url: string): Record<string, string> => Object.fromEntries(parseConnectionUrl(url).keywords)

describe('parseConnectionUrl', () => {
  it('maps each scheme to its protocol, case-insensitively', () => {
    assert.equal(parseConnectionUrl('postgres://h').protocol, 'postgres')
    assert.equal(parseConnectionUrl('postgresql://h').protocol, 'postgres')
    assert.equal(parseConnectionUrl('mysql://h').protocol, 'mysql')
    const maria = parseConnectionUrl('MariaDB://h')
    assert.equal(maria.protocol, 'mysql')
    assert.equal(maria.scheme, 'mariadb')
  })

  it('takes the URL apart into libpq keywords', () => {
    const table: [string, Record<string, string>][] = [
      ['postgresql://', {}],
      ['postgresql://localhost', { host: 'localhost' }],
      ['postgresql://localhost:5433', { host: 'localhost', port: '5433' }],
      ['postgresql://localhost/mydb', { host: 'localhost', dbname: 'mydb' }],
      ['postgresql://user@localhost', { user: 'user', host: 'localhost' }],
      ['postgresql://user:secret@localhost', { user: 'user', password: 'secret', host: 'localhost' }],
      ['postgresql://:secret@h', { password: 'secret', host: 'h' }],
      ['postgresql://u:@h', { user: 'u', password: '', host: 'h' }],
      [
        'postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp',
        {
          user: 'other',
          host: 'localhost',
          dbname: 'otherdb',
          connect_timeout: '10',
          application_name: 'myapp',
        },
      ],
      ['postgresql://host1:123,host2:456/somedb', { host: 'host1,host2', port: '123,456', dbname: 'somedb' }],
      ['postgresql://h1,h2:5433', { host: 'h1,h2', port: ',5433' }],
      ['postgresql://[::1]:5432/db', { host: '::1', port: '5432', dbname: 'db' }],
      ['postgresql://[2001:db8::1],[::1]:6000', { host: '2001:db8::1,::1', port: ',6000' }],
      ['postgresql://%2Fvar%2Frun%2Fpostgresql/db', { host: '/var/run/postgresql', dbname: 'db' }],
      ['postgresql:///db?host=/var/run/postgresql', { dbname: 'db', host: '/var/run/postgresql' }],
      ['postgresql://h/db?dbname=other&host=x', { host: 'x', dbname: 'other' }],
      ['postgresql://:5433', { port: '5433' }],
      [
        'mysql://root:pw@db.local:3307/app',
        { user: 'root', password: 'pw', host: 'db.local', port: '3307', dbname: 'app' },
      ],
      ['postgresql://h/?', { host: 'h' }],
      ['postgresql://h?sslmode=require', { host: 'h', sslmode: 'require' }],
    ]
    for (const [url, expected] of table) assert.deepEqual(keywords(url), expected, url)
  })

  it('percent-decodes user, password, database and query, without turning + into a space', () => {
    assert.deepEqual(
      keywords('postgres://us%40er:p%3Aa%2Fs%40s@h/my%20db%2Fx?options=-c%20geqo%3Doff&a+b=c+d'),
      {
        user: 'us@er',
        password: 'p:a/s@s',
        host: 'h',
        dbname: 'my db/x',
        options: '-c geqo=off',
        'a+b': 'c+d',
      },
    )
    assert.deepEqual(keywords('postgres://u:p@ss@h'), { user: 'u', password: 'p@ss', host: 'h' })
    assert.deepEqual(keywords('postgres://h?x=1&x=2&y='), { host: 'h', x: '2', y: '' })
  })

  it('refuses malformed URLs naming the part, never echoing the password', () => {
    const cases: [unknown, RegExp][] = [
      ['localhost:5432', /scheme/],
      ['http://h/db', /scheme/],
      ['postgres:/h', /scheme/],
      ['constructor://h', /scheme/],
      [42, /string/],
      ['postgres://u:s3cr%ZZet@h', /password is not valid percent-encoding/],
      ['postgres://%ZZ@h', /user is not valid/],
      ['postgres://h/d%ZZb', /database is not valid/],
      ['postgres://h/db/extra', /database has an unencoded '\/'/],
      ['postgres://h/db#frag', /fragment/],
      ['postgres://[::1/db', /host .*unclosed/],
      ['postgres://[::g]:5432', /host "::g" is not an IPv6/],
      ['postgres://[::1]x', /host .*text after/],
      ['postgres://h?novalue', /query parameter 1 has no '='/],
      // A password with an unencoded '?': the rest of it must not appear in the message.
      ['postgres://u:pa?ss-word@h/db', /query parameter 1 has no '='/],
      ['postgres://h?=v', /empty name/],
      ['postgres://h?password=%ZZs3cr', /query parameter "password" is not valid/],
    ]
    for (const [url, message] of cases) {
      assert.throws(
        () => parseConnectionUrl(url as string),
        (e: unknown) =>
          e instanceof InvalidArgumentError &&
          e.code === 'ERR_INVALID_ARGUMENT' &&
          message.test(e.message) &&
          !e.message.includes('s3cr') &&
          !e.message.includes('ss-word'),
        String(url),
      )
    }
  })
})
