/**
 * Hostile input the notes scenario (scenario.ts) sends after sign-up and the first notes (issue 18):
 * each used to be a 500 or a 400 that told too much.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { Api, ScenarioState } from './scenario.js'

export function hostileInputSteps(
  api: Api,
  state: ScenarioState,
  users: { alice: { username: string; password: string } },
): void {
  const { alice } = users

  it('POST /login: a password too short to exist, or a name sign-up refuses, is the same 401', async () => {
    const wrong = await api('POST', '/login', { json: { ...alice, password: 'wrong password!' } })
    assert.equal(wrong.status, 401)
    for (const json of [
      { ...alice, password: 'short' },
      { ...alice, password: '' },
      { username: 'No Such Name', password: alice.password },
      { username: `nul\u0000name`, password: alice.password },
      { username: 'x'.repeat(500), password: alice.password },
    ]) {
      const reply = await api('POST', '/login', { json })
      assert.equal(reply.status, 401, `${JSON.stringify(json)}: ${reply.text}`)
      assert.deepEqual(reply.json, wrong.json)
    }
    // The shape is still checked: a missing field or a non-string is a 400 that names no policy.
    const missing = await api('POST', '/login', { json: { username: alice.username } })
    assert.equal(missing.status, 400)
    assert.deepEqual(
      missing.json.details.map((d: { keyword: string }) => d.keyword),
      ['required'],
    )
  })

  it('GET /notes: a date not on the calendar, a NUL in q or tag, is a 400', async () => {
    const token = state.token
    for (const query of [
      'createdAfter=2024-13-45T99:99:99Z',
      'createdAfter=2024-02-30T00:00:00Z',
      'createdBefore=2023-02-29T12:00:00.000Z',
      'createdBefore=2024-04-31T00:00:00Z',
      'createdAfter=2024-06-30T24:00:00Z',
      'createdAfter=2016-12-31T23:59:60Z',
      'q=nul%00here',
      'tag=nul%00here',
      'tag=home&tag=%00',
    ]) {
      const reply = await api('GET', `/notes?${query}`, { token })
      assert.equal(reply.status, 400, `${query}: ${reply.text}`)
      assert.equal(reply.json.error, 'schema_violation', query)
    }
    // A real leap day, the year 9999 and millisecond precision still pass.
    const range = 'createdAfter=2024-02-29T00:00:00Z&createdBefore=9999-12-31T23:59:59.999Z'
    const inRange = await api('GET', `/notes?${range}`, { token })
    assert.equal(inRange.status, 200, inRange.text)
    assert.ok(inRange.json.notes.length > 0)
    const before = await api('GET', '/notes?createdBefore=0001-01-01T00:00:00Z', { token })
    assert.equal(before.status, 200, before.text)
    assert.deepEqual(before.json.notes, [])
  })

  it('POST /notes: NUL in a title or tag and lone surrogates are a 400; NUL in a body is kept', async () => {
    const token = state.token
    for (const json of [
      { title: 'nul\u0000title', body: 'x' },
      { title: 'ok', body: 'x', tags: ['nul\u0000tag'] },
      { title: 'lone \ud800 surrogate', body: 'x' },
      { title: 'ok', body: 'lone \udfff surrogate' },
    ]) {
      const reply = await api('POST', '/notes', { token, json })
      assert.equal(reply.status, 400, `${JSON.stringify(json)}: ${reply.text}`)
      assert.equal(reply.json.details[0].keyword, 'pattern')
    }
    // The body is sealed into bytea, where a NUL is just a byte; a surrogate pair is one character.
    const body = 'before\u0000after 🎉'
    const created = await api('POST', '/notes', { token, json: { title: 'nul body 🎉', body } })
    assert.equal(created.status, 201, created.text)
    const path = `/notes/${created.json.id}`
    assert.equal((await api('GET', path, { token })).json.body, body)
    assert.equal((await api('DELETE', path, { token })).status, 204)
  })
}
