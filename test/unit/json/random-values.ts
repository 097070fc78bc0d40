/**
 * Seeded random values for differential tests: strings over every kind of code unit (printable
 * ASCII, escapes, Latin-1, BMP, lone surrogates, astral), numbers of every kind and values that
 * coerce. mulberry32, so a failing seed can be replayed.
 */
export type Generator = ReturnType<typeof generator>

export function generator(seed: number) {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!
  const codeUnit = () =>
    pick([
      () => 0x20 + int(0x5f), // printable ASCII
      () => pick([0x22, 0x5c, 0x7f, 0x00, 0x0a, 0x1f, 0x2028]),
      () => 0x80 + int(0x80), // Latin-1: one byte in Latin-1, two in UTF-8
      () => 0x100 + int(0xd700),
      () => 0xd800 + int(0x800), // surrogates, mostly lone
      () => 0xe000 + int(0x2000),
    ])()
  const string = () => {
    const plain = next() < 0.6
    const n = pick([0, 1, 5, 24, 25, 40, 70])
    let text = ''
    for (let i = 0; i < n; i++) text += String.fromCharCode(plain ? 0x20 + int(0x5f) : codeUnit())
    return next() < 0.05 ? `${text}😀` : text
  }
  const number = () =>
    pick<() => unknown>([
      () => int(1000),
      () => int(2 ** 31) * 1000,
      () => -int(1e6),
      () => -0,
      () => next() * 10 ** (int(40) - 20),
      () => -next() * 1e21,
      () => pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324, 2 ** 53 + 2]),
      () => pick([12n, '42', '7.5', true, null]),
    ])()
  return { next, int, pick, string, number }
}
