/**
 * The import/export steps of the notes scenario (scenario.ts): bad lines reported, all-or-nothing
 * on a database error, byte-for-byte round trip, and an abandoned export that must not keep its
 * connection (the embedded database has only one).
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { FastJsonEncoder } from '../../../../src/json/index.js'
import type { Api, ScenarioState } from './scenario.js'

const canonical = new FastJsonEncoder({ canonical: true })

export function transferSteps(api: Api, state: ScenarioState, baseUrl: () => string): void {
  const records = Array.from({ length: 5 }, (_, i) => ({
    id: `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    title: `Imported ${i}`,
    body: `body ${i} — ünïcödé ✓ "quoted"\nsecond line`,
    tags: i % 2 === 0 ? ['imported', `n${i}`] : [],
    createdAt: `2024-01-0${i + 1}T08:00:00.${String(i * 111).padStart(3, '0')}Z`,
    updatedAt: `2024-02-0${i + 1}T09:30:00.000Z`,
  }))

  it('POST /notes/import imports the good lines and reports the bad ones', async () => {
    const lines = records.map((r) => JSON.stringify(r))
    lines.splice(2, 0, '{"title": "cut off"')
    lines.splice(4, 0, JSON.stringify({ title: 42, body: 'wrong type' }))
    // Issue 18: the right shape, but no such day; it used to reach the database as an Invalid Date (500).
    lines.push(JSON.stringify({ title: 'no such day', body: 'x', createdAt: '2024-02-30T08:00:00Z' }))
    const reply = await api('POST', '/notes/import', {
      token: state.token,
      body: `${lines.join('\n')}\n`,
      contentType: 'application/x-ndjson',
    })
    assert.equal(reply.status, 200, reply.text)
    assert.equal(reply.json.imported, 5)
    assert.equal(reply.json.rejected, 3)
    assert.deepEqual(
      reply.json.errors.map((e: { record: number; error: string }) => [e.record, e.error]),
      [
        [3, 'malformed_json'],
        [5, 'schema_violation'],
        [8, 'schema_violation'],
      ],
    )
    assert.deepEqual(
      reply.json.errors[2].details.map((d: { path: string; keyword: string }) => `${d.path}:${d.keyword}`),
      ['/createdAt:format'],
    )
    assert.equal(reply.json.errors[0].line, 3)
  })

  it('POST /notes/import is all or nothing when the database refuses a row', async () => {
    const fresh = { ...records[0]!, id: '0190a000-0000-7000-8000-0000000000ff' }
    const body = `${JSON.stringify(fresh)}\n${JSON.stringify(records[1])}\n`
    const reply = await api('POST', '/notes/import', {
      token: state.token,
      body,
      contentType: 'application/x-ndjson',
    })
    assert.equal(reply.status, 409)
    assert.equal((await api('GET', `/notes/${fresh.id}`, { token: state.token })).status, 404)
  })

  it('GET /notes/export round-trips the import byte for byte after canonical encoding', async () => {
    const reply = await api('GET', '/notes/export', { token: state.token })
    assert.equal(reply.status, 200)
    assert.match(reply.headers.get('content-type') ?? '', /^application\/x-ndjson/)
    assert.ok(reply.text.endsWith('\n'))
    const exported = reply.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string })
    const ids = exported.map((n) => n.id)
    assert.deepEqual(ids, [...ids].sort(), 'export is in id order')
    const imported = exported.filter((n) => n.id.startsWith('0190a000-'))
    assert.deepEqual(
      imported.map((n) => canonical.encode(n)),
      records.map((r) => canonical.encode(r)),
    )
    assert.equal(exported.length, 4 + 5, 'the four notes made earlier plus the five imported')
  })

  it('an export the client abandons gives its connection back to the pool', async () => {
    const body = 'x'.repeat(2000)
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ title: `bulk ${i}`, body }))
    const imported = await api('POST', '/notes/import', {
      token: state.token,
      body: lines.join('\n'),
      contentType: 'application/x-ndjson',
    })
    assert.equal(imported.json.imported, 3000)
    // 6 MB: more than the socket buffers hold, so the export is mid-stream when the client leaves.
    const abort = new AbortController()
    const reply = await fetch(`${baseUrl()}/notes/export`, {
      headers: { authorization: `Bearer ${state.token}` },
      signal: abort.signal,
    })
    await reply.body!.getReader().read()
    abort.abort()
    const deadline = Date.now() + 10_000
    let inUse = ''
    while (Date.now() < deadline) {
      inUse = /^covet_driver_in_use (\d+)$/m.exec((await api('GET', '/metrics')).text)?.[1] ?? ''
      if (inUse === '0') break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.equal(inUse, '0', 'the export still holds a connection')
    assert.equal((await api('GET', '/notes?limit=1', { token: state.token })).status, 200)
  })
}
