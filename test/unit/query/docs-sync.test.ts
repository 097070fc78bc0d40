import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { MARKER, renderCatalogue } from './cases/render-docs.js'

it('docs/query.md shows exactly the SQL the case table asserts (regenerate with cases/render-docs.ts)', () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '')
  const text = readFileSync(`${root}/docs/query.md`, 'utf8')
  const cut = text.indexOf(MARKER)
  assert.ok(cut !== -1, 'docs/query.md lost its generated-section marker')
  assert.equal(text.slice(cut + MARKER.length), `\n\n${renderCatalogue(root)}`)
})
