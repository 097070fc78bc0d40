// The package a user installs: `npm pack` of this checkout (its prepack builds dist/), unpacked into
// a scratch project's node_modules, then imported from ESM and required from CommonJS (Node >= 20.19
// loads ESM through require(), which is why package.json says engines >= 20.19).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, normalize } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, { types: string; default: string }>
}

interface PackResult {
  filename: string
  files: { path: string }[]
}

describe('npm pack', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'covet-pack-'))
  const app = join(scratch, 'app')
  let files: Set<string>

  before(() => {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    // prepack's build output precedes the JSON on stdout.
    const [result] = JSON.parse(out.slice(out.indexOf('\n[') + 1)) as PackResult[]
    assert.ok(result)
    files = new Set(result.files.map((f) => f.path))
    const target = join(app, 'node_modules', 'covet')
    mkdirSync(target, { recursive: true })
    execFileSync('tar', ['-xzf', join(scratch, result.filename), '-C', target, '--strip-components=1'])
    // Dependencies come from this checkout's node_modules, as an install would provide them.
    for (const name of readdirSync(join(root, 'node_modules'))) {
      if (name === '.bin' || name === '.package-lock.json') continue
      symlinkSync(join(root, 'node_modules', name), join(app, 'node_modules', name))
    }
  })
  after(() => rmSync(scratch, { recursive: true, force: true }))

  test('ships the built code, its sources, the licence and nothing else', () => {
    for (const path of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'src/index.ts']) {
      assert.ok(files.has(path), `${path} is in the package`)
    }
    const stray = [...files].filter(
      (f) => !/^(dist|src)\//.test(f) && !['LICENSE', 'README.md', 'package.json'].includes(f),
    )
    assert.deepEqual(stray, [])
  })

  test('every export target is in the package', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      for (const file of [target.types, target.default]) {
        assert.ok(files.has(normalize(file)), `${subpath}: ${file} is packed`)
      }
    }
  })

  test('every source map points at a shipped file', () => {
    const maps = [...files].filter((f) => f.endsWith('.map'))
    assert.ok(maps.length > 0)
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(app, 'node_modules', 'covet', map), 'utf8')) as {
        sources: string[]
      }
      for (const source of sources) {
        const shipped = normalize(join(dirname(map), source))
        assert.ok(files.has(shipped), `${map} -> ${source} (${shipped}) is packed`)
      }
    }
  })

  const expected: Record<string, string[]> = {
    covet: ['connect', 'PostgresDriver', 'CovetError', 'QueryBuilder'],
    'covet/errors': ['CovetError', 'DatabaseError', 'isCovetError'],
    'covet/pool': ['ConnectionPool', 'CircuitBreaker'],
    'covet/cache': ['LruCache', 'PreparedStatementCache'],
    'covet/postgres': ['PgConnection', 'PostgresDriver'],
    'covet/query': ['QueryBuilder'],
    'covet/json': ['FastJsonEncoder', 'FastJsonDecoder', 'JsonSchemaValidator'],
    'covet/crypto': ['SecureRandom', 'Hasher', 'AeadCipher', 'PasswordHasher'],
    'covet/kysely': ['CovetPostgresDialect', 'CovetMysqlDialect'],
    'covet/drizzle': ['CovetDrizzlePool', 'CovetDrizzleMysqlPool'],
  }

  test('every subpath loads from ESM and from CommonJS require()', () => {
    for (const [specifier, names] of Object.entries(expected)) {
      assert.ok(pkg.exports[`.${specifier.slice(5)}`], `${specifier} is exported`)
      for (const loader of [
        `import(${JSON.stringify(specifier)})`,
        `require(${JSON.stringify(specifier)})`,
      ]) {
        const script = `Promise.resolve(${loader}).then((m) => console.log(JSON.stringify(Object.keys(m))))`
        const keys = JSON.parse(
          execFileSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8' }),
        ) as string[]
        for (const name of names) assert.ok(keys.includes(name), `${loader} has ${name}`)
      }
    }
  })
})
