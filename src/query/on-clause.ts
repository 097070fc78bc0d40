import { InvalidArgumentError } from '../errors/classes.js'
import type { ComparisonOperator, ConditionItem } from './nodes.js'

/**
 * A join's ON string, `u.id = p.user_id AND (p.kind = u.kind OR p.owner_id = u.id)`, parsed into
 * condition nodes. It may hold column paths, the comparison operators, AND, OR and parentheses
 * only: no values, no functions (issue 6: values go through the structured form and are bound).
 * The paths themselves are checked when compiled, like every other identifier.
 */

const TOKEN = /(?:([A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)*)|(<>|!=|<=|>=|=|<|>)|([()]))/y

type Token = { type: 'path' | 'op' | 'paren'; text: string }

const OPERATORS: Record<string, ComparisonOperator> = {
  '=': '=',
  '<>': '<>',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
}

function reject(on: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `join condition ${JSON.stringify(on.length > 80 ? `${on.slice(0, 80)}…` : on)} ${why}; ` +
      'an ON string may hold column comparisons joined by AND/OR only (use a callback for values)',
  )
}

function tokenize(on: string): Token[] {
  const tokens: Token[] = []
  let at = 0
  for (;;) {
    while (at < on.length && /\s/.test(on[at]!)) at++
    if (at === on.length) return tokens
    TOKEN.lastIndex = at
    const m = TOKEN.exec(on)
    if (m === null) throw reject(on, `has an unexpected character at ${at}`)
    at = TOKEN.lastIndex
    if (m[1] !== undefined) tokens.push({ type: 'path', text: m[1] })
    else if (m[2] !== undefined) tokens.push({ type: 'op', text: m[2] })
    else tokens.push({ type: 'paren', text: m[3]! })
  }
}

class OnParser {
  #at = 0
  readonly #tokens: Token[]
  readonly #on: string
  constructor(on: string) {
    this.#on = on
    this.#tokens = tokenize(on)
  }

  parse(): ConditionItem[] {
    const items = this.#list()
    if (this.#at !== this.#tokens.length) throw reject(this.#on, 'has unexpected text after a comparison')
    return items
  }

  #keyword(): 'and' | 'or' | null {
    const t = this.#tokens[this.#at]
    if (t?.type !== 'path') return null
    const word = t.text.toLowerCase()
    return word === 'and' || word === 'or' ? word : null
  }

  #list(): ConditionItem[] {
    const items: ConditionItem[] = [{ or: false, condition: this.#term() }]
    for (let k = this.#keyword(); k !== null; k = this.#keyword()) {
      this.#at++
      items.push({ or: k === 'or', condition: this.#term() })
    }
    return items
  }

  #term(): ConditionItem['condition'] {
    const t = this.#tokens[this.#at++]
    if (t?.type === 'paren' && t.text === '(') {
      const items = this.#list()
      const close = this.#tokens[this.#at++]
      if (close?.type !== 'paren' || close.text !== ')')
        throw reject(this.#on, 'has an unbalanced parenthesis')
      return { kind: 'group', items }
    }
    const op = this.#tokens[this.#at++]
    const right = this.#tokens[this.#at++]
    if (t?.type !== 'path' || op?.type !== 'op' || right?.type !== 'path' || this.#isKeyword(t, right)) {
      throw reject(this.#on, 'is not a column comparison')
    }
    return {
      kind: 'compare',
      left: { kind: 'path', path: t.text },
      op: OPERATORS[op.text]!,
      right: { kind: 'path', path: right.text },
    }
  }

  #isKeyword(...tokens: Token[]): boolean {
    return tokens.some((t) => /^(and|or)$/i.test(t.text))
  }
}

const cache = new Map<string, readonly ConditionItem[]>()
const CACHE_LIMIT = 1000

/** Parses (once per distinct string) an ON string; the result is shared and never mutated. */
export function parseOnClause(on: string): readonly ConditionItem[] {
  let items = cache.get(on)
  if (items === undefined) {
    items = new OnParser(on).parse()
    if (cache.size >= CACHE_LIMIT) cache.clear()
    cache.set(on, items)
  }
  return items
}
