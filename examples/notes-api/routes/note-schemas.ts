/** The JSON Schemas (draft 2020-12) of note documents, shared by create, patch and import. */

/**
 * Text stored as given. No lone surrogate: UTF-8 has no encoding for one, so it would be stored as
 * U+FFFD, silently not what was sent (with the `u` flag a surrogate pair is one code point and never
 * matches the range). Titles, tags and searches also have no NUL: PostgreSQL text cannot hold
 * U+0000 and jsonb refuses `\u0000` (a 500 otherwise). A body is sealed into bytea: NUL is fine there.
 */
const UNICODE = '^[^\\uD800-\\uDFFF]*$'
const TEXT = '^[^\\u0000\\uD800-\\uDFFF]*$'
const tag = { type: 'string', minLength: 1, maxLength: 40, pattern: '^[^\\s,\\u0000\\uD800-\\uDFFF]+$' }

const content = {
  title: { type: 'string', minLength: 1, maxLength: 200, pattern: TEXT },
  body: { type: 'string', maxLength: 100_000, pattern: UNICODE },
  tags: { type: 'array', items: tag, maxItems: 20, uniqueItems: true },
}

/** `POST /notes`: tags are optional there. */
export const createNoteSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['title', 'body'],
  additionalProperties: false,
  properties: content,
}

/** A note's content after a patch: every field present, nothing else. */
export const noteContentSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['title', 'body', 'tags'],
  additionalProperties: false,
  properties: content,
}

const uuid = { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' }
/** A UTC timestamp that exists on the calendar (server/formats.ts). */
const timestamp = { type: 'string', format: 'utc-timestamp' }

/** One NDJSON line of `POST /notes/import`: what `GET /notes/export` writes, id and times optional. */
export const importNoteSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['title', 'body'],
  additionalProperties: false,
  properties: { ...content, id: uuid, createdAt: timestamp, updatedAt: timestamp },
}

/** RFC 6902 §4: an array of operations, each with a known `op` and a `path`. */
export const jsonPatchSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'array',
  maxItems: 100,
  items: {
    type: 'object',
    required: ['op', 'path'],
    properties: {
      op: { enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] },
      path: { type: 'string' },
      from: { type: 'string' },
    },
  },
}

/** Query parameters of `GET /notes`, after they are gathered into an object (routes/notes.ts). */
export const listQuerySchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    tag: { type: 'array', items: tag, maxItems: 10 },
    q: { type: 'string', minLength: 1, maxLength: 200, pattern: TEXT },
    createdAfter: timestamp,
    createdBefore: timestamp,
    after: uuid,
    order: { enum: ['asc', 'desc'] },
    limit: { type: 'integer', minimum: 1, maximum: 100 },
  },
}

export const UUID_PATTERN = new RegExp(uuid.pattern)
