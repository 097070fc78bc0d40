import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** Loads a second, independent copy of a source folder, as two installed copies of covet would be. */
export const vm = {
  /**
   * Copies the folder holding `entry` (resolved against `base`) to a temp dir and imports the copy,
   * so every module in it is a new instance with its own classes.
   */
  async importFresh<T>(entry: string, base: string): Promise<T> {
    const source = fileURLToPath(new URL(entry, base))
    const folder = join(source, '..')
    const copy = mkdtempSync(join(tmpdir(), 'covet-copy-'))
    try {
      cpSync(folder, copy, { recursive: true })
      return (await import(pathToFileURL(join(copy, source.slice(folder.length))).href)) as T
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
  },
}
