/**
 * The note routes: create (schema-checked), list (filters and paging through QueryBuilder), get,
 * update by JSON Patch or JSON Merge Patch (atomic: in one transaction, nothing written on failure),
 * delete. Every route acts on the caller's own notes only; another user's note is a 404.
 */
import type { IncomingMessage } from 'node:http'
import { SecureRandom } from '../../../src/crypto/index.js'
import { applyMergePatch, applyPatch, type PatchOperation } from '../../../src/json/index.js'
import { HttpError, readBody, requireMediaType, sendJson } from '../server/http.js'
import { assertSchema, decodeJson, JSON_BODY_LIMIT, readJson } from '../server/json-body.js'
import type { RequestContext, Router } from '../server/router.js'
import type { ListFilter, NoteContent, NoteStore } from '../storage/notes.js'
import {
  createNoteSchema,
  jsonPatchSchema,
  listQuerySchema,
  noteContentSchema,
  UUID_PATTERN,
} from './note-schemas.js'
import type { Auth } from './users.js'

const JSON_PATCH = 'application/json-patch+json'
const MERGE_PATCH = 'application/merge-patch+json'
/** RFC 5789 §2.2 and §3.1: a 415 to a PATCH names the patch formats the resource takes. */
const ACCEPT_PATCH = { 'accept-patch': `${JSON_PATCH}, ${MERGE_PATCH}` }
const DEFAULT_PAGE = 20

export function noteRoutes(router: Router, auth: Auth, store: NoteStore): void {
  const random = new SecureRandom()

  router.add('POST', '/notes', async ({ req, res }) => {
    const { userId } = await auth.authenticate(req)
    const input = await readJson<{ title: string; body: string; tags?: string[] }>(req, createNoteSchema)
    const now = new Date().toISOString()
    const note = await store.create(userId, {
      id: random.generateUuidV7(),
      title: input.title,
      body: input.body,
      tags: input.tags ?? [],
      createdAt: now,
      updatedAt: now,
    })
    res.setHeader('location', `/notes/${note.id}`)
    sendJson(res, 201, note)
  })

  router.add('GET', '/notes', async ({ req, res, url }) => {
    const { userId } = await auth.authenticate(req)
    const filter = listFilter(url.searchParams)
    const notes = await store.list(userId, { ...filter, limit: filter.limit + 1 })
    const more = notes.length > filter.limit
    const page = more ? notes.slice(0, filter.limit) : notes
    sendJson(res, 200, { notes: page, next: more ? page[page.length - 1]!.id : null })
  })

  router.add('GET', '/notes/:id', async (ctx) => {
    const { userId } = await auth.authenticate(ctx.req)
    const note = await store.get(userId, noteId(ctx))
    if (note === null) throw notFound()
    sendJson(ctx.res, 200, note)
  })

  router.add('PATCH', '/notes/:id', async (ctx) => {
    const { userId } = await auth.authenticate(ctx.req)
    const id = noteId(ctx)
    const change = await readChange(ctx.req)
    const note = await store.update(userId, id, (current) =>
      // RFC 5789 §2.2: a patch that would leave the resource invalid is 422, and nothing changes.
      assertValid(change(current)),
    )
    if (note === null) throw notFound()
    sendJson(ctx.res, 200, note)
  })

  router.add('DELETE', '/notes/:id', async (ctx) => {
    const { userId } = await auth.authenticate(ctx.req)
    if (!(await store.delete(userId, noteId(ctx)))) throw notFound()
    ctx.res.writeHead(204).end()
  })
}

/** The patch in the request as a function from the current content to the new one. */
async function readChange(req: IncomingMessage): Promise<(current: NoteContent) => unknown> {
  const type = requireMediaType(req, [JSON_PATCH, MERGE_PATCH], ACCEPT_PATCH)
  const patch = decodeJson(await readBody(req, JSON_BODY_LIMIT))
  if (type === MERGE_PATCH) return (current) => applyMergePatch(current, patch)
  const operations = assertSchema<PatchOperation[]>(patch, jsonPatchSchema, 'the JSON Patch')
  return (current) => applyPatch(current, operations)
}

function assertValid(content: unknown): NoteContent {
  try {
    return assertSchema<NoteContent>(content, noteContentSchema, 'the patched note')
  } catch (error) {
    if (error instanceof HttpError) throw new HttpError(422, 'invalid_result', error.message, error.details)
    throw error
  }
}

function listFilter(params: URLSearchParams): ListFilter {
  const query: Record<string, unknown> = {}
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key)
    if (key === 'tag') query.tag = values
    else if (key === 'limit') query.limit = /^\d{1,4}$/.test(values[0]!) ? Number(values[0]) : values[0]
    else query[key] = values.length === 1 ? values[0] : values
  }
  const q = assertSchema<{
    tag?: string[]
    q?: string
    createdAfter?: string
    createdBefore?: string
    after?: string
    order?: 'asc' | 'desc'
    limit?: number
  }>(query, listQuerySchema, 'the query string')
  const filter: ListFilter = { tags: q.tag ?? [], order: q.order ?? 'desc', limit: q.limit ?? DEFAULT_PAGE }
  if (q.q !== undefined) filter.titleContains = q.q
  if (q.createdAfter !== undefined) filter.createdAfter = q.createdAfter
  if (q.createdBefore !== undefined) filter.createdBefore = q.createdBefore
  if (q.after !== undefined) filter.after = q.after
  return filter
}

/** A malformed id can name no note: 404 without asking the database (which would fail the uuid cast). */
function noteId(ctx: RequestContext): string {
  const id = ctx.params.id!
  if (!UUID_PATTERN.test(id)) throw notFound()
  return id
}

function notFound(): HttpError {
  return new HttpError(404, 'not_found', 'no such note')
}
