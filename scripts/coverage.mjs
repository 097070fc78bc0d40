#!/usr/bin/env node
// Line coverage of src/ per TypeScript source line, from the coverage V8 writes when NODE_V8_COVERAGE
// is set (scripts/test.mjs sets it for the test phases). Node 20's own --experimental-test-coverage
// counts the comment lines of tsx-transpiled files as uncovered, and c8 is not a dependency, so the
// V8 block counts are mapped here through the source maps tsx attaches (Node records each one, with
// the generated file's line lengths, under "source-map-cache" in the same JSON).
//
// A TS line counts when some generated code maps to it (comments, blank lines and type-only lines
// don't); it is covered when, in some process, the code mapped to its leftmost column ran. A src
// file no test process loaded counts with every line TypeScript emits code for, none covered.
//
// Usage: node scripts/coverage.mjs <dir> [--files] [--uncovered <path prefix>]
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const projectRoot = fileURLToPath(new URL('..', import.meta.url))

const BASE64 = new Map(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]),
)

/**
 * Decodes a Source Map v3 "mappings" string (Base64 VLQ; per segment: generated column, source,
 * original line, original column, name — each relative to the previous one; ";" starts a line).
 * Returns the segments that name a source, as
 * [generatedLine, generatedColumn, source, originalLine, originalColumn] (all 0-based).
 */
export function decodeMappings(mappings) {
  const segments = []
  const state = [0, 0, 0, 0, 0] // generated column, source, original line, original column, name
  let line = 0
  let field = 0
  let value = 0
  let shift = 0
  for (let i = 0; i <= mappings.length; i++) {
    const c = mappings[i]
    if (c === ',' || c === ';' || c === undefined) {
      if (field >= 4) segments.push([line, state[0], state[1], state[2], state[3]])
      field = 0
      if (c === ';') {
        line++
        state[0] = 0
      }
      continue
    }
    const digit = BASE64.get(c)
    if (digit === undefined) throw new Error(`source map: bad mappings character ${JSON.stringify(c)}`)
    value += (digit & 31) * 2 ** shift
    if (digit & 32) {
      shift += 5
      continue
    }
    state[field] += value % 2 === 1 ? -Math.floor(value / 2) : value / 2
    field++
    value = 0
    shift = 0
  }
  return segments
}

/**
 * The count of the innermost V8 range around each offset (ranges nest: a function's first range is
 * the function, the rest its blocks; V8 block coverage, as NODE_V8_COVERAGE records it).
 */
export function countsAt(functions, offsets) {
  const ranges = functions.flatMap((f) => f.ranges)
  // By start, outer before inner; a stable sort keeps a block after its function on equal bounds.
  ranges.sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset)
  const order = offsets.map((_, i) => i).sort((a, b) => offsets[a] - offsets[b])
  const open = []
  const counts = new Array(offsets.length)
  let next = 0
  for (const i of order) {
    const offset = offsets[i]
    while (next < ranges.length && ranges[next].startOffset <= offset) open.push(ranges[next++])
    // Once the ended ranges are off the top, the top one holds the offset, and any range that
    // started later and also holds it would lie above it: the top is the innermost.
    while (open.length > 0 && open.at(-1).endOffset <= offset) open.pop()
    counts[i] = open.at(-1)?.count ?? 0
  }
  return counts
}

/** False for a blank line and for one that only continues or opens a comment. */
function isCode(text = '') {
  const t = text.trim()
  return !(
    t === '' ||
    t.startsWith('//') ||
    t.startsWith('/*') ||
    t === '*' ||
    t.startsWith('* ') ||
    t.startsWith('*/')
  )
}

/** Per file (absolute path), per TS line (1-based): whether its code ran in some process. */
class LineTable {
  files = new Map()

  mark(path, line, covered) {
    let lines = this.files.get(path)
    if (lines === undefined) this.files.set(path, (lines = new Map()))
    if (covered || !lines.has(line)) lines.set(line, covered || lines.get(line) === true)
  }

  /**
   * Adds one process's coverage file: its scripts under `srcUrl`, through their source maps. A TS
   * line takes the count of the code mapped to its leftmost column: esbuild also maps the `__name()`
   * call it appends after a function to that function's name, which runs at load whether or not the
   * function does. Comment and blank lines never count (a class's `__name` maps to line 1).
   */
  addProcess(json, srcUrl) {
    const maps = json['source-map-cache'] ?? {}
    for (const script of json.result) {
      if (!script.url.startsWith(srcUrl)) continue
      const cached = maps[script.url]
      if (cached === undefined) throw new Error(`no source map recorded for ${script.url}`)
      const lineStarts = [0]
      for (const length of cached.lineLengths) lineStarts.push(lineStarts.at(-1) + length + 1)
      const segments = decodeMappings(cached.data.mappings)
      const counts = countsAt(
        script.functions,
        segments.map(([line, column]) => lineStarts[line] + column),
      )
      const { sources, sourcesContent = [] } = cached.data
      const leftmost = new Map() // "source:line" -> [column, count]
      segments.forEach(([, , source, line, column], i) => {
        const key = `${source}:${line}`
        const seen = leftmost.get(key)
        if (seen === undefined || column < seen[0]) leftmost.set(key, [column, counts[i]])
        else if (column === seen[0]) seen[1] = Math.max(seen[1], counts[i])
      })
      const texts = sources.map((_, i) => (sourcesContent[i] ?? '').split('\n'))
      const paths = sources.map((source) => fileURLToPath(new URL(source, script.url)))
      for (const [key, [, count]] of leftmost) {
        const [source, line] = key.split(':').map(Number)
        if (isCode(texts[source][line])) this.mark(paths[source], line + 1, count > 0)
      }
    }
  }

  /** Files no process loaded: every line TypeScript emits code for, uncovered. */
  async addUnloaded(paths) {
    const missing = paths.filter((path) => !this.files.has(path))
    if (missing.length === 0) return missing
    const { default: ts } = await import('typescript')
    for (const path of missing) {
      const { sourceMapText } = ts.transpileModule(readFileSync(path, 'utf8'), {
        compilerOptions: { sourceMap: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      })
      this.files.set(path, new Map()) // stays empty for a file of types only
      const text = readFileSync(path, 'utf8').split('\n')
      for (const [, , , line] of decodeMappings(JSON.parse(sourceMapText).mappings)) {
        if (isCode(text[line])) this.mark(path, line + 1, false)
      }
    }
    return missing
  }
}

function listSources(dir) {
  const out = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...listSources(path))
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

function tally(lines) {
  let covered = 0
  for (const c of lines.values()) if (c) covered++
  return { lines: lines.size, covered }
}

export const linePercent = ({ lines, covered }) => (lines === 0 ? 100 : (100 * covered) / lines)

const sum = (tallies) =>
  tallies.reduce((t, f) => ({ lines: t.lines + f.lines, covered: t.covered + f.covered }), {
    lines: 0,
    covered: 0,
  })

/**
 * Reads every coverage file in `dir` and tallies the TS files under `root`/src: per file (with its
 * line map), per folder (src/<dir>, or src for files directly in it) and in total.
 */
export async function collect(dir, root = projectRoot) {
  const srcDir = join(root, 'src')
  const table = new LineTable()
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.json'))
      table.addProcess(JSON.parse(readFileSync(join(dir, name), 'utf8')), `${pathToFileURL(srcDir).href}/`)
  }
  // Files of types only have no lines: that no test loads them says nothing.
  const unloaded = (await table.addUnloaded(listSources(srcDir)))
    .filter((path) => table.files.get(path).size > 0)
    .map((path) => relative(root, path))
  const files = [...table.files]
    .filter(([, map]) => map.size > 0)
    .map(([path, map]) => ({ file: relative(root, path), map, ...tally(map) }))
  files.sort((a, b) => a.file.localeCompare(b.file))
  const byFolder = new Map()
  for (const f of files) {
    const parts = f.file.split('/')
    const folder = parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), f])
  }
  const folders = new Map([...byFolder].map(([folder, list]) => [folder, sum(list)]))
  return { files, folders, total: sum(files), unloaded }
}

/** Ranges of the uncovered lines, e.g. "12-14 30". */
function uncoveredRanges(lines) {
  const missed = [...lines].filter(([, c]) => !c).map(([l]) => l)
  missed.sort((a, b) => a - b)
  const out = []
  for (let i = 0; i < missed.length; i++) {
    let j = i
    while (j + 1 < missed.length && missed[j + 1] === missed[j] + 1) j++
    out.push(i === j ? `${missed[i]}` : `${missed[i]}-${missed[j]}`)
    i = j
  }
  return out.join(' ')
}

export function format({ files, folders, total, unloaded }, { perFile = false, uncovered } = {}) {
  const rows = perFile ? files.map((f) => [f.file, f]) : [...folders].sort(([a], [b]) => a.localeCompare(b))
  const width = Math.max(5, ...rows.map(([name]) => name.length))
  const row = (name, t) =>
    `${name.padEnd(width)}  ${String(t.lines).padStart(6)}  ${String(t.covered).padStart(7)}  ${linePercent(t).toFixed(1).padStart(5)}%`
  const out = [`${'src'.padEnd(width)}   lines  covered   line%`]
  for (const [name, t] of rows) out.push(row(name, t))
  out.push(row('total', total))
  if (unloaded.length > 0) {
    const more = unloaded.length > 10 ? `, and ${unloaded.length - 10} more` : ''
    out.push(`loaded by no test: ${unloaded.slice(0, 10).join(', ')}${more}`)
  }
  if (uncovered !== undefined) {
    for (const f of files) {
      if (f.file.startsWith(uncovered) && f.covered < f.lines)
        out.push(`${f.file}: ${uncoveredRanges(f.map)}`)
    }
  }
  return out.join('\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, ...flags] = process.argv.slice(2)
  if (dir === undefined) {
    console.error(
      'usage: node scripts/coverage.mjs <NODE_V8_COVERAGE dir> [--files] [--uncovered <path prefix>]',
    )
    process.exit(2)
  }
  const at = flags.indexOf('--uncovered')
  console.log(
    format(await collect(dir), {
      perFile: flags.includes('--files'),
      uncovered: at < 0 ? undefined : flags[at + 1],
    }),
  )
}
