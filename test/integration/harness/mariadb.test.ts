import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { startMariaDb } from '../../harness/index.js'
import { MARIADB_PASSWORD } from '../../harness/mariadb.js'
import { isAlive, run } from '../../harness/process-tools.js'

describe('harness: MariaDB', () => {
  it('starts, accepts the password user over TCP, survives kill + restart, and stops without a trace', async () => {
    const my = await startMariaDb({ tls: true })
    try {
      assert.equal(await my.mariadb('SELECT 1 + 1'), '2\n')
      const tcp = [
        '--no-defaults',
        '-h',
        '127.0.0.1',
        '-P',
        String(my.port),
        '-u',
        'covet',
        '-N',
        '-B',
        'covet',
      ]
      assert.equal(
        await run('mariadb', [...tcp, `-p${MARIADB_PASSWORD}`, '-e', 'SELECT CURRENT_USER()']),
        'covet@%\n',
      )
      await assert.rejects(run('mariadb', [...tcp, '-pwrong', '-e', 'SELECT 1']), /Access denied/)
      const tls = my.tls!
      const cipher = await run('mariadb', [
        ...tcp,
        `-p${MARIADB_PASSWORD}`,
        `--ssl-ca=${tls.caFile}`,
        '--ssl-verify-server-cert',
        '-e',
        "SHOW STATUS LIKE 'Ssl_cipher'",
      ])
      assert.match(cipher, /Ssl_cipher\t\S+/)
      // One user per auth method, each refused any other way (the CLI has client_ed25519 built in).
      const as = (url: string, extra: string[] = []) => {
        const u = new URL(url)
        return run('mariadb', [
          ...tcp.slice(0, 5),
          '-u',
          u.username,
          `-p${decodeURIComponent(u.password)}`,
          ...extra,
          '-N',
          '-B',
          '-e',
          'SELECT CURRENT_USER()',
        ])
      }
      assert.equal(await as(my.urls.native), 'covet_native@%\n')
      assert.equal(await as(my.urls.ed25519), 'covet_ed25519@%\n')
      await assert.rejects(as(my.urls.tls, ['--skip-ssl']), /Access denied/)
      assert.equal(await as(my.urls.tls, [`--ssl-ca=${tls.caFile}`]), 'covet_tls@%\n')
      assert.equal(
        await my.mariadb(
          "SELECT user, plugin, ssl_type FROM mysql.user WHERE user LIKE 'covet\\_%' ORDER BY user",
        ),
        'covet_ed25519\ted25519\t\ncovet_native\tmysql_native_password\t\ncovet_tls\tmysql_native_password\tANY\n',
      )

      await my.mariadb('CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)')
      await my.kill()
      await assert.rejects(my.mariadb('SELECT 1'))
      await my.restart()
      assert.equal(await my.mariadb('SELECT v FROM kept'), '7\n')
    } finally {
      const dir = my.socket.replace(/\/mysqld\.sock$/, '')
      const pid = Number(readFileSync(`${dir}/harness.pid`, 'utf8'))
      await my.stop()
      assert.ok(!existsSync(dir), 'the temp dir is removed')
      assert.ok(!isAlive(pid), 'mariadbd is gone')
    }
  })
})
