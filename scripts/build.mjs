#!/usr/bin/env node
// `npm run build` (and `prepack`): a clean dist/ from src/. Removing dist first keeps files of
// deleted or renamed modules out of the package.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
rmSync(join(root, 'dist'), { recursive: true, force: true })
const tsc = join(root, 'node_modules', '.bin', 'tsc')
const result = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' })
process.exit(result.status ?? 1)
