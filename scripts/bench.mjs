#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts (or the ones named) one after another, each in
// its own process so one area's garbage does not slow the next. Benchmarks never fail the build.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { arch, cpus, platform, release } from 'node:os'

const root = new URL('..', import.meta.url).pathname
const wanted = process.argv.slice(2)
const files = readdirSync(`${root}bench`)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort()

console.log(`# covet benchmarks — ${new Date().toISOString()}`)
console.log(
  `node ${process.version}, ${platform()} ${release()} ${arch()}, ${cpus().length}x ${cpus()[0]?.model}`,
)
for (const file of files) {
  console.log(`\n# ${file}`)
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', `bench/${file}`], {
    cwd: root,
    stdio: 'inherit',
  })
  if (result.status !== 0) console.log(`(${file} exited with ${result.status ?? result.signal})`)
}
