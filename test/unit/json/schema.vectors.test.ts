import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { JsonSchemaValidator } from '../../../src/json/schema.js'
import type { JsonSchemaObject } from '../../../src/json/schema-types.js'
import { KNOWN_FAILURES } from './schema-known-failures.js'

// JSON-Schema-Test-Suite draft2020-12, every file incl. optional/ (test/vectors/JSON-Schema-Test-Suite/README.md).
const root = fileURLToPath(new URL('../../vectors/JSON-Schema-Test-Suite/', import.meta.url))

interface SuiteGroup {
  description: string
  schema: JsonSchemaObject | boolean
  tests: { description: string; data: unknown; valid: boolean }[]
}

function walk(dir: string, rel: string, visit: (path: string, rel: string) => void): void {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path, `${rel}${name}/`, visit)
    else visit(path, rel + name)
  }
}

// Remotes are preloaded under http://localhost:1234/ (suite README); older drafts' folders are not,
// since covet runs the 2020-12 dialect.
const OTHER_DRAFTS = new Set(['draft3/', 'draft4/', 'draft6/', 'draft7/', 'draft2019-09/', 'v1/'])
const remotes: Record<string, JsonSchemaObject> = {}
walk(join(root, 'remotes'), '', (path, rel) => {
  if ([...OTHER_DRAFTS].some((d) => rel.startsWith(d))) return
  remotes[`http://localhost:1234/${rel}`] = JSON.parse(readFileSync(path, 'utf8'))
})

const files: [string, string][] = []
walk(join(root, 'tests/draft2020-12'), '', (path, rel) => files.push([path, rel]))

const newCounts = () => ({ passed: 0, knownFailures: 0, formatAnnotationSkips: 0 })
const tally = { required: newCounts(), optional: newCounts() }
const seenKnown = new Set<string>()

function known(key: string): boolean {
  if (!KNOWN_FAILURES.has(key)) return false
  seenKnown.add(key)
  return true
}

describe('JSON-Schema-Test-Suite draft2020-12', () => {
  for (const [path, file] of files) {
    const groups = JSON.parse(readFileSync(path, 'utf8')) as SuiteGroup[]
    // optional/format: `format` is an annotation in 2020-12 (§7.2.1) and covet asserts only the
    // formats a caller passes, so records that expect a format to be refused are counted as skips.
    const formatFile = file.startsWith('optional/format/')
    const counts = file.startsWith('optional/') ? tally.optional : tally.required
    it(file, () => {
      for (const group of groups) {
        const groupKey = `${file} | ${group.description}`
        const needsRemotes = JSON.stringify(group.schema).includes('localhost:1234')
        let validator: JsonSchemaValidator
        try {
          validator = new JsonSchemaValidator(group.schema, needsRemotes ? { schemas: remotes } : {})
        } catch (error) {
          assert.ok(known(groupKey), `${groupKey}: schema refused: ${(error as Error).message}`)
          counts.knownFailures += group.tests.length
          continue
        }
        for (const test of group.tests) {
          const testKey = `${groupKey} | ${test.description}`
          if (formatFile && !test.valid) {
            counts.formatAnnotationSkips++
            continue
          }
          let result: boolean
          try {
            result = validator.validateValue(test.data)
          } catch (error) {
            assert.ok(known(groupKey), `${testKey}: threw ${(error as Error).message}`)
            counts.knownFailures++
            continue
          }
          if (result === test.valid) {
            assert.ok(!KNOWN_FAILURES.has(testKey), `${testKey} now passes: remove it from the known list`)
            counts.passed++
          } else {
            assert.ok(known(testKey), `${testKey}: expected ${test.valid}, got ${result}`)
            counts.knownFailures++
          }
        }
      }
    })
  }

  after(() => {
    // The figures docs/json.md quotes; printed so a run shows them.
    for (const [part, counts] of Object.entries(tally)) {
      const total = counts.passed + counts.knownFailures + counts.formatAnnotationSkips
      process.stdout.write(
        `# JSON-Schema-Test-Suite 2020-12 ${part}: ${counts.passed}/${total} passed, ${counts.knownFailures} known ajv failures, ${counts.formatAnnotationSkips} format-assertion records skipped\n`,
      )
    }
  })

  it('every known failure was met (the list is not stale)', () => {
    // Runs after the file tests above (node:test runs a suite's tests in order).
    const stale = [...KNOWN_FAILURES.keys()].filter((key) => !seenKnown.has(key))
    assert.deepEqual(stale, [])
  })
})
