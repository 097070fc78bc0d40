import { cachedProof } from '../../driver/sharing.js'

/**
 * Which statements the driver may pipeline on a connection other callers are using (issue 14).
 *
 * Sharing is only safe for a statement that leaves the session as it found it and cannot stall
 * the statements queued behind it. A prefix regex was not enough: `select pg_advisory_lock(1)`
 * takes a session lock (and blocks everyone behind it while it waits), `select set_config(...)`
 * changes a setting for the other callers, and `select 1; begin` opens a transaction that the
 * other callers' statements then run in (and lose at the reset's ROLLBACK).
 *
 * Whether a statement is session-neutral cannot be proved client-side in general (a view or an
 * operator may call any function), so this is a strict allow-list over PostgreSQL's lexical
 * structure (docs §4.1): one statement; SELECT, VALUES, TABLE or WITH; no data-modifying CTE,
 * SELECT INTO or locking clause (FOR UPDATE/SHARE); and no function call except a short list of
 * built-ins that touch no session state. Anything else gets a connection of its own, which is
 * always correct. Callers can say more than the scanner can prove with `{ shareable: true }`.
 */
export const isProvablyShareable = cachedProof((sql) => new Scanner(sql).shareable())

const FIRST_WORDS = new Set(['select', 'values', 'table', 'with'])

/** Words that mean writing, creating a table, or taking row locks. */
const DENIED_WORDS = new Set(['insert', 'update', 'delete', 'merge', 'into', 'share'])

/**
 * Words that may be followed by '(' without being a function call: SQL syntax (`in (`, `exists (`,
 * `over (`, `as (`...), and built-ins that neither read nor change session state. Volatile ones
 * (random, gen_random_uuid, now's transaction clock) are fine: what matters is that running next
 * to another caller's statement changes nothing for it. Not here, on purpose: nextval/currval/
 * setval (session sequence state), set_config/current_setting, pg_advisory_*, pg_sleep (blocks
 * the pipeline), lo_*, dblink*, pg_notify and every user-defined function.
 */
const CALLABLE = new Set(
  [
    // syntax
    'all and any array as between by case cast cube distinct else except exists filter from',
    'group having ilike in intersect is join lateral like limit not offset on or over',
    'rollup row select sets some then union using values when where',
    // types with modifiers, and casts written as calls
    'bit char character decimal float int int2 int4 int8 integer interval numeric text time',
    'timestamp timestamptz timetz varbit varchar varying',
    // aggregates and window functions
    'array_agg avg bool_and bool_or count cume_dist dense_rank every first_value grouping',
    'json_agg json_object_agg jsonb_agg jsonb_object_agg lag last_value lead max min',
    'nth_value ntile percent_rank rank row_number stddev string_agg sum variance',
    // conditionals, maths, strings
    'abs btrim ceil ceiling char_length character_length coalesce concat concat_ws exp',
    'floor format greatest initcap least left length ln log lower lpad ltrim md5 mod nullif',
    'octet_length overlay position power random regexp_match regexp_matches regexp_replace',
    'regexp_split_to_array repeat replace reverse right round rpad rtrim sign split_part',
    'sqrt starts_with strpos substr substring to_char to_number translate trim trunc upper',
    'encode decode gen_random_uuid',
    // dates and times
    'age current_time current_timestamp date_bin date_part date_trunc extract isfinite',
    'localtime localtimestamp make_date make_interval make_time make_timestamp',
    'make_timestamptz now to_date to_timestamp',
    // arrays and JSON
    'array_append array_cat array_length array_position array_positions array_prepend',
    'array_remove array_replace array_to_string cardinality generate_series string_to_array',
    'unnest json_array_elements json_array_length json_build_array json_build_object',
    'json_each json_extract_path json_extract_path_text json_object_keys json_typeof',
    'jsonb_array_elements jsonb_array_elements_text jsonb_array_length jsonb_build_array',
    'jsonb_build_object jsonb_each jsonb_each_text jsonb_extract_path',
    'jsonb_extract_path_text jsonb_insert jsonb_object_keys jsonb_path_exists',
    'jsonb_path_query jsonb_path_query_array jsonb_path_query_first jsonb_pretty jsonb_set',
    'jsonb_strip_nulls jsonb_typeof row_to_json to_json to_jsonb',
  ]
    .join(' ')
    .split(' '),
)

const SPACE = 0x20
const isSpace = (c: number) => c === SPACE || (c >= 0x09 && c <= 0x0d)
const isIdentStart = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24 /* $ */

/** One pass over the text; any construct it does not understand makes the answer "no". */
class Scanner {
  readonly #s: string
  /** Whether the text has a backslash at all: most have none, and their strings need no check. */
  readonly #backslash: boolean
  #i = 0

  constructor(sql: string) {
    this.#s = sql
    this.#backslash = sql.includes('\\')
  }

  shareable(): boolean {
    const s = this.#s
    let first = true
    // The previous word (lower case) and whether a '.' followed it (a schema qualifier).
    let qualifier: string | undefined
    let afterDot = false
    for (;;) {
      if (!this.#skipSpaceAndComments()) return false
      if (this.#i >= s.length) return !first
      const c = s.charCodeAt(this.#i)
      if (isIdentStart(c)) {
        const start = this.#i
        while (this.#i < s.length && isIdentPart(s.charCodeAt(this.#i))) this.#i++
        const word = s.slice(start, this.#i).toLowerCase()
        if (first && !FIRST_WORDS.has(word)) return false
        const quote = s.charCodeAt(this.#i) === 0x27 /* ' */
        if (quote && word === 'e') {
          if (!this.#skipEscapeString()) return false
        } else if (quote && (word === 'b' || word === 'x' || word === 'n')) {
          if (!this.#skipString()) return false
        } else {
          if (DENIED_WORDS.has(word)) return false
          const schema = afterDot ? qualifier : undefined
          if (!this.#skipSpaceAndComments()) return false
          if (s.charCodeAt(this.#i) === 0x28 /* ( */) {
            // A call: only listed built-ins, unqualified or from pg_catalog.
            if (!CALLABLE.has(word) || (afterDot && schema !== 'pg_catalog')) return false
          }
          qualifier = word
        }
        first = false
        afterDot = false
        continue
      }
      if (first) return false
      switch (c) {
        case 0x27 /* ' */:
          if (!this.#skipString()) return false
          afterDot = false
          continue
        case 0x22 /* " */:
          // A quoted identifier: fine as a name, but "f"(x) is a call we cannot vet.
          if (!this.#skipQuoted()) return false
          if (!this.#skipSpaceAndComments()) return false
          if (s.charCodeAt(this.#i) === 0x28) return false
          qualifier = undefined
          afterDot = false
          continue
        case 0x24 /* $ */:
          if (!this.#skipDollar()) return false
          afterDot = false
          continue
        case 0x3b /* ; */:
          // Only a trailing semicolon: a second statement (`select 1; begin`) is never shared.
          this.#i++
          if (!this.#skipSpaceAndComments()) return false
          return this.#i >= s.length
        case 0x2e /* . */:
          this.#i++
          afterDot = qualifier !== undefined
          continue
        default:
          this.#i++
          afterDot = false
          qualifier = undefined
      }
    }
  }

  /** Skips whitespace, `--` and (nested) block comments; false on an unterminated comment. */
  #skipSpaceAndComments(): boolean {
    const s = this.#s
    while (this.#i < s.length) {
      const c = s.charCodeAt(this.#i)
      if (isSpace(c)) this.#i++
      else if (c === 0x2d && s.charCodeAt(this.#i + 1) === 0x2d) {
        const end = s.indexOf('\n', this.#i)
        this.#i = end === -1 ? s.length : end + 1
      } else if (c === 0x2f && s.charCodeAt(this.#i + 1) === 0x2a) {
        let depth = 0
        do {
          if (this.#i >= s.length) return false
          if (s.startsWith('/*', this.#i)) {
            depth++
            this.#i += 2
          } else if (s.startsWith('*/', this.#i)) {
            depth--
            this.#i += 2
          } else this.#i++
        } while (depth > 0)
      } else return true
    }
    return true
  }

  /**
   * A standard string ('' doubles a quote). A backslash is refused: with
   * standard_conforming_strings off the server would read it as an escape and end the string
   * elsewhere than this scanner does.
   */
  #skipString(): boolean {
    const s = this.#s
    this.#i++
    for (;;) {
      const end = s.indexOf("'", this.#i)
      if (end === -1) return false
      if (this.#backslash && s.slice(this.#i, end).includes('\\')) return false
      this.#i = end + 1
      if (s.charCodeAt(this.#i) !== 0x27) return true
      this.#i++
    }
  }

  /** E'...': backslash escapes as well as ''. */
  #skipEscapeString(): boolean {
    const s = this.#s
    for (this.#i++; this.#i < s.length; this.#i++) {
      const c = s.charCodeAt(this.#i)
      if (c === 0x5c /* \ */) this.#i++
      else if (c === 0x27) {
        if (s.charCodeAt(this.#i + 1) !== 0x27) {
          this.#i++
          return true
        }
        this.#i++
      }
    }
    return false
  }

  #skipQuoted(): boolean {
    const s = this.#s
    this.#i++
    for (;;) {
      const end = s.indexOf('"', this.#i)
      if (end === -1) return false
      this.#i = end + 1
      if (s.charCodeAt(this.#i) !== 0x22) return true
      this.#i++
    }
  }

  /** `$1` (a parameter) or a dollar-quoted string `$tag$...$tag$`. */
  #skipDollar(): boolean {
    const s = this.#s
    let j = this.#i + 1
    const c = s.charCodeAt(j)
    if (c >= 0x30 && c <= 0x39) {
      while (j < s.length && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x39) j++
      this.#i = j
      return true
    }
    while (j < s.length && isIdentPart(s.charCodeAt(j)) && s.charCodeAt(j) !== 0x24) j++
    if (s.charCodeAt(j) !== 0x24) return false
    const tag = s.slice(this.#i, j + 1)
    const end = s.indexOf(tag, j + 1)
    if (end === -1) return false
    this.#i = end + tag.length
    return true
  }
}
