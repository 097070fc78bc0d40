/**
 * Peak RSS of one library doing one job, measured in a plain `node` child per run (no TypeScript
 * loader, only that library loaded) that prints its `process.resourceUsage().maxRSS` in MiB. covet is imported from its built package (`covet/...` through package.json
 * "exports"), so `buildPackage()` runs first. Runs are interleaved across libraries and the median
 * is reported: peak RSS moves a few percent from run to run with the GC's timing.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** `npm run build` (a clean dist/), so `covet/*` imports in a child resolve to the current source. */
export function buildPackage(): void {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8' })
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`)
}

/** Runs `script <library>` `runs` times per library, interleaved; prints medians against `baseline`. */
export function reportPeakRss(
  title: string,
  script: string,
  libraries: readonly string[],
  baseline: string,
  env: Record<string, string>,
  runs = 5,
): void {
  const peaks = new Map<string, number[]>(libraries.map((lib) => [lib, []]))
  for (let run = 0; run < runs; run++) {
    for (const lib of libraries) {
      const result = spawnSync(process.execPath, [script, lib], {
        env: { ...process.env, ...env },
        encoding: 'utf8',
      })
      if (result.status !== 0) throw new Error(`${lib} RSS child failed:\n${result.stderr}`)
      peaks.get(lib)!.push(Number(result.stdout.trim()))
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!
  const base = median(peaks.get(baseline)!)
  console.log(`\n## ${title}, median of ${runs} (lower is better)`)
  for (const [lib, values] of peaks) {
    const mib = median(values)
    const ratio = `${(mib / base).toFixed(2)}x ${baseline}`
    console.log(`${lib.padEnd(40)} ${String(mib).padStart(8)} MiB   ${ratio}   (runs: ${values.join(' ')})`)
  }
}
