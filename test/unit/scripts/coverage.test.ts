import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

/** What scripts/coverage.mjs exports (a JavaScript module: typed here by hand). */
interface FileTally {
  file: string
  map: Map<number, boolean>
  lines: number
  covered: number
}
interface CoverageModule {
  decodeMappings(mappings: string): number[][]
  collect(
    dir: string,
    root: string,
  ): Promise<{ files: FileTally[]; total: { lines: number; covered: number }; unloaded: string[] }>
}

const root = fileURLToPath(new URL('../../../', import.meta.url))
const coverageModule = join(root, 'scripts', 'coverage.mjs')

// The line numbers the assertions name are those of this file, exactly as written.
const SAMPLE = `// A comment line
/** Block comment */
export interface Shape {
  kind: string
}

export function used(n: number): string {
  if (n > 0) {
    return 'positive'
  }
  const negative = n < 0
  if (negative) {
    return 'negative'
  }
  return 'zero'
}

export function unused(s: Shape): number {
  const k = s.kind
  return k.length
}

export const double = (x: number) =>
  x * 2

export class Box {
  value = 1
  get twice(): number {
    return this.value * 2
  }
  never(): void {
    throw new Error('never')
  }
}
`
const RUN = `import { Box, unused, used } from './src/sample.js'
if (process.argv[2] === 'a') {
  used(1)
  used(0)
  void new Box().twice
} else unused({ kind: 'k' })
`

describe('scripts/coverage.mjs', () => {
  let dir: string
  let coverage: CoverageModule
  /** Runs the fixture under NODE_V8_COVERAGE=<dir>/<name> with the given argument. */
  const run = (name: string, arg: string) => {
    const out = join(dir, name)
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'run.ts'), arg], {
      cwd: root,
      env: { ...process.env, NODE_V8_COVERAGE: out },
      encoding: 'utf8',
    })
    assert.equal(result.status, 0, result.stderr)
    return out
  }
  const linesOf = (file: FileTally, covered: boolean) =>
    [...file.map]
      .filter(([, c]) => c === covered)
      .map(([line]) => line)
      .sort((a, b) => a - b)

  before(async () => {
    coverage = (await import(coverageModule)) as CoverageModule
    dir = mkdtempSync(join(tmpdir(), 'covet-coverage-'))
    mkdirSync(join(dir, 'src'))
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
    writeFileSync(join(dir, 'src', 'sample.ts'), SAMPLE)
    writeFileSync(join(dir, 'src', 'types.ts'), 'export type Id = string\n')
    writeFileSync(
      join(dir, 'src', 'never.ts'),
      '// never imported\nexport const a = 1\n\nexport function f() {\n  return a\n}\n',
    )
    writeFileSync(join(dir, 'run.ts'), RUN)
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('decodes Base64 VLQ mappings into absolute positions', () => {
    // "AAAA" is (0,0,0,0); "SAAS" adds 9 to the column and the original column; ";" starts a line;
    // "EACA" adds 2 to the column and 1 to the original line; "gB" is 16, "D" is -1.
    assert.deepEqual(coverage.decodeMappings('AAAA,SAAS;EACA,gBAAD'), [
      [0, 0, 0, 0, 0],
      [0, 9, 0, 0, 9],
      [1, 2, 0, 1, 9],
      [1, 18, 0, 1, 8],
    ])
    assert.throws(() => coverage.decodeMappings('A!'), /bad mappings character/)
  })

  it('counts TypeScript lines: run or not, never comments, blanks or types', async () => {
    const report = await coverage.collect(run('a', 'a'), dir)
    const sample = report.files.find((f) => f.file === 'src/sample.ts')!
    assert.deepEqual(linesOf(sample, true), [7, 8, 9, 10, 11, 12, 15, 16, 23, 26, 27, 28, 29, 30, 34])
    // unused() never ran, its declaration line included (esbuild's __name() call maps there too);
    // nor did the arrow's body, the negative branch or Box.never().
    assert.deepEqual(linesOf(sample, false), [13, 14, 18, 19, 20, 21, 24, 31, 32, 33])
    assert.deepEqual(report.unloaded, ['src/never.ts'])
    const never = report.files.find((f) => f.file === 'src/never.ts')!
    assert.deepEqual(linesOf(never, false), [2, 4, 5, 6])
    assert.equal(
      report.files.find((f) => f.file === 'src/types.ts'),
      undefined,
      'a file of types only has no lines',
    )
    assert.deepEqual(report.total, { lines: 25 + 4, covered: 15 })
  })

  it('merges processes: a line is covered when any process ran it', async () => {
    const both = run('ab', 'a')
    run('ab', 'b')
    const sample = (await coverage.collect(both, dir)).files.find((f) => f.file === 'src/sample.ts')!
    assert.deepEqual(linesOf(sample, false), [13, 14, 24, 31, 32, 33])
  })
})
