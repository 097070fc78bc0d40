// A dependency that declares a `node` bin is linked as node_modules/.bin/node, which npm puts first
// on PATH for every script: `npm test` and `npm start` would then run on that Node, not the
// machine's (the compatibility matrix's Node builds did this once; scripts/node-builds.mjs fetches
// them instead). The lock file lists each package's bins.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'

test('no locked package links a `node` binary into node_modules/.bin', () => {
  const lock = JSON.parse(readFileSync(new URL('../../../package-lock.json', import.meta.url), 'utf8')) as {
    packages: Record<string, { bin?: Record<string, string> | string }>
  }
  const offenders = Object.entries(lock.packages)
    .filter(([, entry]) => typeof entry.bin === 'object' && Object.hasOwn(entry.bin, 'node'))
    .map(([path]) => path)
  assert.deepEqual(offenders, [])
})
