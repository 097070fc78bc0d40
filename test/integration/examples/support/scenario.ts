/**
 * Drives every endpoint of the notes service over HTTP, including the bad cases issue 9 lists:
 * malformed JSON, schema violations, a wrong password, expired and forged tokens, a failed patch that
 * changes nothing, an import with bad lines, and an export that round-trips the import.
 * `describeScenario` registers the steps as tests of the enclosing describe(); they run in order.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { call, type RequestOptions } from './notes-service.js'
import { hostileInputSteps } from './scenario-input.js'
import { transferSteps } from './scenario-transfer.js'

export interface ScenarioState {
  token: string
  otherToken: string
  noteId: string
}

export function describeScenario(baseUrl: () => string, prefix: string): ScenarioState {
  const state: ScenarioState = { token: '', otherToken: '', noteId: '' }
  const api = (method: string, path: string, options: RequestOptions = {}) =>
    call(baseUrl(), method, path, options)
  const alice = { username: `${prefix}-alice`, password: 'correct horse battery' }
  const bob = { username: `${prefix}-bob`, password: 'another long secret' }

  it('GET /health answers from the database and tells nothing of where it is; HEAD works too', async () => {
    const reply = await api('GET', '/health')
    assert.equal(reply.status, 200)
    assert.equal(reply.json.status, 'ok')
    // Issue 18: no host, port, socket or data path (it used to carry the banner's database line).
    assert.deepEqual(Object.keys(reply.json).sort(), ['latencyMs', 'status'])
    const head = await api('HEAD', '/health')
    assert.equal(head.status, 200)
    assert.equal(head.text, '')
    assert.equal(head.headers.get('content-type'), reply.headers.get('content-type'))
    assert.ok(Number(head.headers.get('content-length')) > 0)
  })

  it('POST /users: malformed JSON is a 400 that says where', async () => {
    const reply = await api('POST', '/users', { body: '{"username": "x",', contentType: 'application/json' })
    assert.equal(reply.status, 400)
    assert.equal(reply.json.error, 'malformed_json')
    assert.match(reply.json.message, /line 1, column \d+/)
  })

  it('POST /users: schema violations list every failing field', async () => {
    const reply = await api('POST', '/users', {
      json: { username: 'No Spaces!', password: 'short', admin: true },
    })
    assert.equal(reply.status, 400)
    assert.equal(reply.json.error, 'schema_violation')
    const paths = reply.json.details
      .map((d: { path: string; keyword: string }) => `${d.path}:${d.keyword}`)
      .sort()
    assert.deepEqual(paths, ['/password:minLength', '/username:pattern', ':additionalProperties'])
  })

  it('POST /users signs up; the same name again is a 409', async () => {
    const created = await api('POST', '/users', { json: alice })
    assert.equal(created.status, 201)
    assert.equal(created.json.username, alice.username)
    assert.equal((await api('POST', '/users', { json: alice })).status, 409)
    assert.equal((await api('POST', '/users', { json: bob })).status, 201)
  })

  it('POST /login: a wrong password and an unknown user are the same 401', async () => {
    const wrong = await api('POST', '/login', { json: { ...alice, password: 'wrong password!' } })
    const unknown = await api('POST', '/login', { json: { ...alice, username: `${prefix}-nobody` } })
    assert.equal(wrong.status, 401)
    assert.equal(unknown.status, 401)
    assert.equal(wrong.json.message, unknown.json.message)
    const ok = await api('POST', '/login', { json: alice })
    assert.equal(ok.status, 200)
    assert.match(ok.json.token, /^[A-Za-z0-9_-]{43}$/)
    state.token = ok.json.token
    state.otherToken = (await api('POST', '/login', { json: bob })).json.token
  })

  it('note routes refuse a missing, malformed, forged, expired or logged-out token', async () => {
    const missing = await api('GET', '/notes')
    assert.equal(missing.status, 401)
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer')
    assert.equal((await api('GET', '/notes', { token: 'not-a-token' })).status, 401)
    const forged = `${state.token.slice(0, -4)}${state.token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`
    assert.equal((await api('GET', '/notes', { token: forged })).status, 401)
    const short = await api('POST', '/login', { json: { ...alice, ttlSeconds: 1 } })
    assert.equal((await api('GET', '/notes', { token: short.json.token })).status, 200)
    // The 1 s lifetime must really pass (the service runs on the real clock in its own process);
    // what is asserted is the token's state afterwards.
    await new Promise((resolve) => setTimeout(resolve, 1200))
    const expired = await api('GET', '/notes', { token: short.json.token })
    assert.equal(expired.status, 401)
    assert.match(expired.json.message, /expired/)
    const ended = (await api('POST', '/login', { json: alice })).json.token
    assert.equal((await api('POST', '/logout', { token: ended })).status, 204)
    assert.equal((await api('GET', '/notes', { token: ended })).status, 401)
  })

  it('POST /notes validates the body against the schema', async () => {
    const token = state.token
    const bad = await api('POST', '/notes', { token, json: { title: '', tags: ['a', 'a'], extra: 1 } })
    assert.equal(bad.status, 400)
    const keywords = bad.json.details.map((d: { keyword: string }) => d.keyword).sort()
    assert.deepEqual(keywords, ['additionalProperties', 'minLength', 'required', 'uniqueItems'])
    const wrongType = await api('POST', '/notes', { token, body: 'title=x', contentType: 'text/plain' })
    assert.equal(wrongType.status, 415)
    const created = await api('POST', '/notes', {
      token,
      json: { title: 'Groceries', body: 'milk, eggs', tags: ['home'] },
    })
    assert.equal(created.status, 201)
    assert.equal(created.headers.get('location'), `/notes/${created.json.id}`)
    assert.deepEqual(created.json.tags, ['home'])
    state.noteId = created.json.id
  })

  it("GET /notes/:id returns the owner's note, 404 for anyone else or a bad id", async () => {
    const mine = await api('GET', `/notes/${state.noteId}`, { token: state.token })
    assert.equal(mine.status, 200)
    assert.equal(mine.json.body, 'milk, eggs')
    assert.equal((await api('GET', `/notes/${state.noteId}`, { token: state.otherToken })).status, 404)
    assert.equal((await api('GET', '/notes/not-a-uuid', { token: state.token })).status, 404)
    const put = await api('PUT', `/notes/${state.noteId}`, { token: state.token })
    assert.equal(put.status, 405)
    assert.equal(put.headers.get('allow'), 'GET, HEAD, PATCH, DELETE')
  })

  it('GET /notes filters by tag and title and pages with a cursor', async () => {
    const token = state.token
    for (const [title, tags] of [
      ['Work plan', ['work']],
      ['Work notes', ['work', 'todo']],
      ['Trip', ['todo']],
    ] as const) {
      assert.equal(
        (await api('POST', '/notes', { token, json: { title, body: `${title} body`, tags } })).status,
        201,
      )
    }
    const titles = async (query: string) =>
      (await api('GET', `/notes?${query}`, { token })).json.notes.map((n: { title: string }) => n.title)
    assert.deepEqual(await titles('tag=work'), ['Work notes', 'Work plan'])
    assert.deepEqual(await titles('tag=work&tag=todo'), ['Work notes'])
    assert.deepEqual(await titles('q=WORK&order=asc'), ['Work plan', 'Work notes'])
    assert.deepEqual(await titles('q=100%25'), [])
    const first = await api('GET', '/notes?limit=2', { token })
    assert.equal(first.json.notes.length, 2)
    const second = await api('GET', `/notes?limit=2&after=${first.json.next}`, { token })
    assert.deepEqual(
      second.json.notes.map((n: { title: string }) => n.title),
      ['Work plan', 'Groceries'],
    )
    assert.equal(second.json.next, null)
    assert.deepEqual(await titles('tag=work&order=asc'), ['Work plan', 'Work notes'])
    assert.equal((await api('GET', '/notes', { token: state.otherToken })).json.notes.length, 0)
    const bad = await api('GET', '/notes?limit=1000&order=sideways', { token })
    assert.equal(bad.status, 400)
    assert.equal(bad.json.details.length, 2)
  })

  hostileInputSteps(api, state, { alice })
  patchSteps(api, state)
  transferSteps(api, state, baseUrl)

  it('GET /metrics exposes HTTP and driver metrics in Prometheus text format, typed', async () => {
    const reply = await api('GET', '/metrics')
    assert.equal(reply.status, 200)
    assert.match(reply.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
    assert.match(reply.text, /^notes_http_requests_total\{method="POST",route="\/notes",status="201"\} \d+$/m)
    assert.match(
      reply.text,
      /^notes_http_request_duration_seconds_count\{method="GET",route="\/notes"\} \d+$/m,
    )
    assert.match(reply.text, /^covet_driver_queries_total [1-9]\d*$/m)
    assert.match(reply.text, /^covet_driver_size [1-9]\d*$/m)
    assert.match(
      reply.text,
      /^covet_driver_queries_by_sql_state_class_total\{sql_state_class="23"\} [1-9]\d*$/m,
    )
    assert.match(reply.text, /^covet_driver_latency_held_ms\{quantile="0\.99"\} [\d.e+-]+$/m)
    // Issue 18: what only grows is a counter named *_total; every sample has its TYPE line first.
    const types = metricTypes(reply.text)
    for (const name of [
      'notes_http_requests_total',
      'covet_driver_queries_total',
      'covet_driver_created_total',
      'covet_driver_destroyed_lifetime_total',
      'covet_driver_queries_by_sql_state_class_total',
      'covet_driver_statement_cache_l1_hits_total',
      'covet_driver_bytes_out_total',
      'covet_driver_transactions_committed_total',
    ]) {
      assert.equal(types.get(name), 'counter', name)
    }
    assert.equal(types.get('covet_driver_size'), 'gauge')
    assert.equal(types.get('covet_driver_statement_cache_l1_hit_ratio'), 'gauge')
    assert.equal(types.get('covet_driver_latency_held_ms'), 'summary')
    assert.equal(types.get('notes_http_request_duration_seconds'), 'histogram')
    for (const [name, type] of types) {
      if (type === 'counter') assert.match(name, /_total$/, name)
    }
  })
  return state
}

export type Api = (method: string, path: string, options?: RequestOptions) => ReturnType<typeof call>

function patchSteps(api: Api, state: ScenarioState): void {
  const patch = (ops: unknown, type = 'application/json-patch+json') =>
    api('PATCH', `/notes/${state.noteId}`, {
      token: state.token,
      body: JSON.stringify(ops),
      contentType: type,
    })

  it('PATCH with a failing test op is a 409 and changes nothing', async () => {
    const before = await api('GET', `/notes/${state.noteId}`, { token: state.token })
    const reply = await patch([
      { op: 'replace', path: '/title', value: 'changed' },
      { op: 'test', path: '/body', value: 'not the body' },
    ])
    assert.equal(reply.status, 409)
    assert.equal(reply.json.error, 'patch_test_failed')
    assert.deepEqual((await api('GET', `/notes/${state.noteId}`, { token: state.token })).json, before.json)
  })

  it('PATCH that would break the schema or misses a path is a 422 and changes nothing', async () => {
    const before = await api('GET', `/notes/${state.noteId}`, { token: state.token })
    assert.equal((await patch([{ op: 'remove', path: '/title' }])).status, 422)
    assert.equal((await patch([{ op: 'remove', path: '/nothing/here' }])).status, 422)
    assert.equal((await patch({ tags: null }, 'application/merge-patch+json')).status, 422)
    assert.equal((await patch([{ op: 'jump', path: '/title' }])).status, 400)
    const wrongType = await patch([{ op: 'add' }], 'application/json')
    assert.equal(wrongType.status, 415)
    // RFC 5789 §2.2: a 415 to a PATCH names the patch formats it takes (issue 18).
    assert.equal(
      wrongType.headers.get('accept-patch'),
      'application/json-patch+json, application/merge-patch+json',
    )
    assert.equal((await patch({ title: 'nul\u0000here' }, 'application/merge-patch+json')).status, 422)
    assert.deepEqual((await api('GET', `/notes/${state.noteId}`, { token: state.token })).json, before.json)
  })

  it('PATCH applies JSON Patch and merge patch atomically', async () => {
    const jsonPatch = await patch([
      { op: 'test', path: '/title', value: 'Groceries' },
      { op: 'replace', path: '/title', value: 'Shopping' },
      { op: 'add', path: '/tags/-', value: 'weekly' },
    ])
    assert.equal(jsonPatch.status, 200)
    assert.equal(jsonPatch.json.title, 'Shopping')
    assert.deepEqual(jsonPatch.json.tags, ['home', 'weekly'])
    const merge = await patch({ body: 'milk, eggs, bread' }, 'application/merge-patch+json')
    assert.equal(merge.status, 200)
    assert.equal(merge.json.body, 'milk, eggs, bread')
    assert.equal(merge.json.title, 'Shopping')
    assert.ok(merge.json.updatedAt >= merge.json.createdAt)
  })

  it('DELETE removes the note; a second DELETE is a 404', async () => {
    const extra = await api('POST', '/notes', { token: state.token, json: { title: 'temp', body: 'x' } })
    const path = `/notes/${extra.json.id}`
    assert.equal((await api('DELETE', path, { token: state.otherToken })).status, 404)
    assert.equal((await api('DELETE', path, { token: state.token })).status, 204)
    assert.equal((await api('GET', path, { token: state.token })).status, 404)
    assert.equal((await api('DELETE', path, { token: state.token })).status, 404)
  })
}

/**
 * The TYPE of every metric family in a text exposition, checking on the way that each sample comes
 * after its family's TYPE line (a histogram's or summary's samples carry _bucket/_sum/_count).
 */
function metricTypes(text: string): Map<string, string> {
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (type !== null) {
      assert.equal(types.has(type[1]!), false, `two TYPE lines for ${type[1]}`)
      types.set(type[1]!, type[2]!)
    } else if (line !== '' && !line.startsWith('#')) {
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0]
      const family = [name, name.replace(/_(bucket|sum|count)$/, '')].find((n) => types.has(n))
      assert.ok(family !== undefined, `no TYPE line before ${line}`)
    }
  }
  return types
}
