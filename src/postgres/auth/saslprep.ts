/**
 * SASLprep (RFC 4013), the stringprep profile (RFC 3454) SCRAM applies to passwords (RFC 5802 §2.2).
 *
 * The mapping (B.1, C.1.2), prohibition (C.1.2–C.9) and RandALCat (D.1) tables are RFC 3454's,
 * as code point ranges. Two tables are a documented approximation, to keep this file small:
 * - A.1 "unassigned in Unicode 3.2" is taken as "unassigned in the Unicode version Node ships"
 *   (`\p{Cn}`); a code point assigned after 3.2 is therefore accepted here.
 * - D.2 LCat (bidi class L in Unicode 3.2) is approximated by letters and spacing marks that
 *   are not RandALCat (`\p{L}`, `\p{Mc}`).
 * Both differences only matter for passwords that mix scripts added after 2002 or bidi text;
 * PostgreSQL falls back to the raw password whenever SASLprep fails, and so does the SCRAM
 * client here, so the two agree on every password SASLprep accepts.
 */

type Ranges = readonly (readonly [number, number])[]

/** B.1: commonly mapped to nothing. */
// biome-ignore format: a table of code point ranges reads best packed
const MAPPED_TO_NOTHING: Ranges = [
  [0x00ad, 0x00ad], [0x034f, 0x034f], [0x1806, 0x1806], [0x180b, 0x180d], [0x200b, 0x200d],
  [0x2060, 0x2060], [0xfe00, 0xfe0f], [0xfeff, 0xfeff],
]

/** C.1.2: non-ASCII space characters, mapped to U+0020 (RFC 4013 §2.1). */
// biome-ignore format: a table of code point ranges reads best packed
const NON_ASCII_SPACE: Ranges = [
  [0x00a0, 0x00a0], [0x1680, 0x1680], [0x2000, 0x200b], [0x202f, 0x202f], [0x205f, 0x205f],
  [0x3000, 0x3000],
]

/** C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9: prohibited output (RFC 4013 §2.3). */
// biome-ignore format: a table of code point ranges reads best packed
const PROHIBITED: Ranges = [
  // C.2.1 ASCII control characters
  [0x0000, 0x001f], [0x007f, 0x007f],
  // C.2.2 non-ASCII control characters
  [0x0080, 0x009f], [0x06dd, 0x06dd], [0x070f, 0x070f], [0x180e, 0x180e], [0x200c, 0x200d],
  [0x2028, 0x2029], [0x2060, 0x2063], [0x206a, 0x206f], [0xfeff, 0xfeff], [0xfff9, 0xfffc],
  [0x1d173, 0x1d17a],
  // C.3 private use
  [0xe000, 0xf8ff], [0xf0000, 0xffffd], [0x100000, 0x10fffd],
  // C.4 non-character code points (U+FDD0..FDEF and the last two of every plane)
  [0xfdd0, 0xfdef],
  // C.5 surrogate codes
  [0xd800, 0xdfff],
  // C.6 inappropriate for plain text
  [0xfff9, 0xfffd],
  // C.7 inappropriate for canonical representation
  [0x2ff0, 0x2ffb],
  // C.8 change display properties or are deprecated
  [0x0340, 0x0341], [0x200e, 0x200f], [0x202a, 0x202e], [0x206a, 0x206f],
  // C.9 tagging characters
  [0xe0001, 0xe0001], [0xe0020, 0xe007f],
]

/** D.1: characters with bidirectional property R or AL. */
// biome-ignore format: a table of code point ranges reads best packed
const RAND_AL_CAT: Ranges = [
  [0x05be, 0x05be], [0x05c0, 0x05c0], [0x05c3, 0x05c3], [0x05d0, 0x05ea], [0x05f0, 0x05f4],
  [0x061b, 0x061b], [0x061f, 0x061f], [0x0621, 0x063a], [0x0640, 0x064a], [0x066d, 0x066f],
  [0x0671, 0x06d5], [0x06dd, 0x06dd], [0x06e5, 0x06e6], [0x06fa, 0x06fe], [0x0700, 0x070d],
  [0x0710, 0x0710], [0x0712, 0x072c], [0x0780, 0x07a5], [0x07b1, 0x07b1], [0x200f, 0x200f],
  [0xfb1d, 0xfb1d], [0xfb1f, 0xfb28], [0xfb2a, 0xfb36], [0xfb38, 0xfb3c], [0xfb3e, 0xfb3e],
  [0xfb40, 0xfb41], [0xfb43, 0xfb44], [0xfb46, 0xfbb1], [0xfbd3, 0xfd3d], [0xfd50, 0xfd8f],
  [0xfd92, 0xfdc7], [0xfdf0, 0xfdfc], [0xfe70, 0xfe74], [0xfe76, 0xfefc],
]

const UNASSIGNED = /\p{Cn}/u
const LETTER_OR_SPACING_MARK = /[\p{L}\p{Mc}]/u

function inRanges(cp: number, ranges: Ranges): boolean {
  for (const [lo, hi] of ranges) if (cp >= lo && cp <= hi) return true
  return false
}

function isProhibited(cp: number): boolean {
  if ((cp & 0xfffe) === 0xfffe) return true // C.4: U+xxFFFE and U+xxFFFF in every plane
  return inRanges(cp, PROHIBITED) || UNASSIGNED.test(String.fromCodePoint(cp))
}

/**
 * The SASLprep'd form of `input`, or `null` when RFC 4013 prohibits it (control, private-use,
 * unassigned or non-character code points, or a bidi violation). Pure ASCII without control
 * characters is returned unchanged without further work.
 */
export function saslprep(input: string): string | null {
  if (/^[\x20-\x7e]*$/.test(input)) return input
  let mapped = ''
  for (const ch of input) {
    const cp = ch.codePointAt(0)!
    if (inRanges(cp, NON_ASCII_SPACE)) mapped += ' '
    else if (!inRanges(cp, MAPPED_TO_NOTHING)) mapped += ch
  }
  const normalized = mapped.normalize('NFKC')
  let hasRandAL = false
  let hasL = false
  for (const ch of normalized) {
    const cp = ch.codePointAt(0)!
    if (isProhibited(cp)) return null
    if (inRanges(cp, RAND_AL_CAT)) hasRandAL = true
    else if (LETTER_OR_SPACING_MARK.test(ch)) hasL = true
  }
  if (hasRandAL) {
    // RFC 3454 §6: no LCat at all, and the first and last characters must be RandALCat.
    const chars = Array.from(normalized)
    const first = chars[0]!.codePointAt(0)!
    const last = chars[chars.length - 1]!.codePointAt(0)!
    if (hasL || !inRanges(first, RAND_AL_CAT) || !inRanges(last, RAND_AL_CAT)) return null
  }
  return normalized
}
