import { cachedProof } from '../../driver/sharing.js'

/**
 * Which statements MySqlDriver may pipeline on a connection other callers are using, without the
 * caller's `{ shareable: true }` (issue 16; PostgresDriver's `src/postgres/driver/shareable.ts`
 * is the model).
 *
 * Sharing is only safe for a statement that leaves the session as it found it and cannot stall
 * the statements queued behind it: `SELECT GET_LOCK('x', 10)` takes a session lock (and blocks
 * the pipeline while it waits), `SELECT @n := 1` sets a user variable the other callers then
 * see, `SELECT ... INTO @v` and `SELECT NEXT VALUE FOR seq` change session state, `SELECT SLEEP(1)`
 * holds everyone behind it. A view could still call a stored function that does any of this; as
 * on PostgreSQL, the statement's text is all a client can check.
 *
 * So this is a strict allow-list over MySQL's lexical structure (MariaDB KB "Comment Syntax",
 * "String Literals", "Identifier Names"; MySQL manual 11.1-11.7): one statement; SELECT, WITH,
 * VALUES or TABLE; no INTO, locking clause (FOR UPDATE, LOCK IN SHARE MODE), FOR at all (NEXT
 * VALUE FOR, FOR SYSTEM_TIME), SQL_CALC_FOUND_ROWS, user or system variables (`@`), executable
 * (`/*! ... *\/`, `/*M! ... *\/`) or hint (`/*+ ... *\/`) comments, backslashes (whose meaning
 * depends on sql_mode's NO_BACKSLASH_ESCAPES); and no function call except built-ins that touch
 * no session state. Anything else gets a connection of its own, which is always correct.
 */
export const isProvablyShareable = cachedProof(shareable)

const FIRST_WORDS = new Set(['select', 'with', 'values', 'table'])

/** Words that mean writing, assigning, locking, sequences or session counters. */
const DENIED_WORDS = new Set([
  'insert',
  'update',
  'delete',
  'replace',
  'into',
  'for',
  'lock',
  'share',
  'procedure',
  'sql_calc_found_rows',
])

/**
 * Words that may be followed by '(' without being a call of a stored function: SQL syntax, and
 * built-ins that neither change session state nor wait. Not here, on purpose: GET_LOCK and the
 * other lock functions, SLEEP, BENCHMARK, LAST_INSERT_ID (which sets it when given an argument),
 * FOUND_ROWS, ROW_COUNT, NEXTVAL/LASTVAL/SETVAL, MASTER_POS_WAIT, LOAD_FILE, INSERT() (its name is
 * a denied word) and every stored or loadable function.
 */
const CALLABLE = new Set(
  [
    // syntax
    'all and any as between by case cast convert distinct else exists from group having in',
    'interval is join like not on or over row rlike regexp select some then union using values',
    'when where xor div lateral except intersect recursive',
    // types in CAST and CONVERT
    'binary char date datetime decimal double float integer json nchar signed time unsigned varchar',
    // aggregates and window functions
    'avg bit_and bit_or bit_xor count group_concat json_arrayagg json_objectagg max min std stddev',
    'stddev_pop stddev_samp sum var_pop var_samp variance row_number rank dense_rank percent_rank',
    'cume_dist ntile lag lead first_value last_value nth_value',
    // conditionals and maths
    'if ifnull nullif coalesce greatest least isnull abs ceil ceiling floor round truncate mod pow',
    'power sqrt exp ln log log2 log10 sign pi rand crc32 conv bin hex unhex oct degrees radians',
    'sin cos tan asin acos atan atan2 cot',
    // strings
    'concat concat_ws length char_length character_length octet_length bit_length lower upper',
    'lcase ucase left right lpad rpad ltrim rtrim trim substring substr substring_index mid locate',
    'position instr repeat reverse space strcmp format field find_in_set elt ascii ord md5 sha1',
    'sha2 to_base64 from_base64 quote soundex regexp_replace regexp_substr regexp_instr regexp_like',
    // dates and times
    'now curdate curtime current_date current_time current_timestamp localtime localtimestamp',
    'sysdate utc_date utc_time utc_timestamp year month day dayofmonth dayofweek dayofyear weekday',
    'week yearweek hour minute second microsecond quarter monthname dayname date_format time_format',
    'date_add date_sub adddate subdate addtime subtime datediff timediff timestampdiff timestampadd',
    'unix_timestamp from_unixtime str_to_date last_day makedate maketime extract to_days from_days',
    'to_seconds sec_to_time time_to_sec convert_tz period_add period_diff',
    // JSON
    'json_array json_object json_extract json_unquote json_value json_query json_contains',
    'json_contains_path json_keys json_length json_depth json_type json_valid json_search json_set',
    'json_insert json_replace json_remove json_merge_patch json_merge_preserve json_quote',
    'json_array_append json_array_insert json_exists json_compact json_overlaps',
    // identifiers and addresses
    'uuid uuid_short inet_aton inet_ntoa inet6_aton inet6_ntoa is_ipv4 is_ipv6',
    // reads of the session that change nothing
    'connection_id database schema',
  ]
    .join(' ')
    .split(' '),
)

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d)
/** Identifier characters (unquoted): letters, digits, `_`, `$` and anything beyond ASCII. */
const isWordPart = (c: number) =>
  (c >= 0x61 && c <= 0x7a) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x30 && c <= 0x39) ||
  c === 0x5f ||
  c === 0x24 ||
  c >= 0x80

/** One pass over the text; any construct it does not understand makes the answer "no". */
function shareable(s: string): boolean {
  let i = 0
  let first = true
  let afterDot = false
  /** Skips whitespace and comments; false at a comment the server would execute or an open one. */
  const skipSpace = (): boolean => {
    while (i < s.length) {
      const c = s.charCodeAt(i)
      if (isSpace(c)) i++
      else if (
        c === 0x23 /* # */ ||
        (c === 0x2d && s.charCodeAt(i + 1) === 0x2d && isSpace(s.charCodeAt(i + 2)))
      ) {
        // `#` and `-- ` (the dashes followed by whitespace; `--1` is minus minus one) end at the line's end.
        const end = s.indexOf('\n', i)
        i = end === -1 ? s.length : end + 1
      } else if (c === 0x2f && s.charCodeAt(i + 1) === 0x2a) {
        const next = s.charCodeAt(i + 2)
        if (next === 0x21 /* ! */ || next === 0x2b /* + */ || s.startsWith('M!', i + 2)) return false
        const end = s.indexOf('*/', i + 2)
        if (end === -1) return false
        i = end + 2
      } else return true
    }
    return true
  }
  /** A quoted string or identifier: the quote doubled inside; a backslash is refused. */
  const skipQuoted = (quote: number): boolean => {
    for (i++; i < s.length; i++) {
      const c = s.charCodeAt(i)
      if (c === 0x5c) return false
      if (c === quote) {
        if (s.charCodeAt(i + 1) !== quote) {
          i++
          return true
        }
        i++
      }
    }
    return false
  }
  for (;;) {
    if (!skipSpace()) return false
    if (i >= s.length) return !first
    const c = s.charCodeAt(i)
    if (isWordPart(c)) {
      const start = i
      while (i < s.length && isWordPart(s.charCodeAt(i))) i++
      const word = s.slice(start, i).toLowerCase()
      if (first && !FIRST_WORDS.has(word)) return false
      if (DENIED_WORDS.has(word)) return false
      const qualified = afterDot
      if (!skipSpace()) return false
      // A call: only listed built-ins, never `db.f(...)` (a stored function).
      if (s.charCodeAt(i) === 0x28 /* ( */ && (qualified || !CALLABLE.has(word))) return false
      first = false
      afterDot = false
      continue
    }
    if (first) return false
    switch (c) {
      case 0x27 /* ' */:
        if (!skipQuoted(c)) return false
        break
      case 0x22 /* " */:
      case 0x60 /* ` */:
        // A name or (ANSI_QUOTES aside) a string: fine, but `f`(x) is a call we cannot vet.
        if (!skipQuoted(c) || !skipSpace() || s.charCodeAt(i) === 0x28) return false
        break
      case 0x3b /* ; */:
        // Only a trailing semicolon: a second statement is never shared.
        i++
        return skipSpace() && i >= s.length
      case 0x40 /* @ */:
      case 0x3a /* : */:
      case 0x5c /* \ */:
        return false
      default:
        i++
    }
    afterDot = c === 0x2e /* . */
  }
}
