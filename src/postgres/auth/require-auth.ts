import { AuthenticationError, InvalidArgumentError } from '../../errors/classes.js'

/**
 * libpq's `require_auth` (libpq docs §34.1.2, PostgreSQL 16): which authentication methods the
 * client accepts from the server. A list (`scram-sha-256`, `md5,scram-sha-256`): the server must
 * use one of them and complete it. A negated list (`!password,!md5`): the server must use none
 * of them, and may skip authentication. `none` stands for "no authentication request" (trust);
 * `!none` therefore demands some authentication. Negated and plain entries cannot be mixed.
 * There is no negotiation: a server that asks for anything else fails the connection (ERR_AUTH).
 */
export type AuthMethod = 'password' | 'md5' | 'gss' | 'sspi' | 'scram-sha-256' | 'none'

const METHODS: readonly AuthMethod[] = ['password', 'md5', 'gss', 'sspi', 'scram-sha-256', 'none']

export interface RequireAuth {
  /** The setting as written, for error messages. */
  readonly text: string
  readonly negated: boolean
  readonly methods: ReadonlySet<AuthMethod>
}

/** Parses the setting; an empty one means "not set", as in libpq. Bad values fail at construction. */
export function parseRequireAuth(value: string | undefined): RequireAuth | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new InvalidArgumentError('requireAuth must be a string')
  if (value.trim() === '') return undefined
  const methods = new Set<AuthMethod>()
  let negated: boolean | undefined
  for (const raw of value.split(',')) {
    const entry = raw.trim()
    const not = entry.startsWith('!')
    const name = (not ? entry.slice(1) : entry) as AuthMethod
    if (!METHODS.includes(name)) {
      throw new InvalidArgumentError(
        `requireAuth: "${entry}" is not one of ${METHODS.join(', ')} (each may be negated with !)`,
      )
    }
    if (negated !== undefined && negated !== not) {
      throw new InvalidArgumentError('requireAuth: negated and non-negated methods cannot be mixed')
    }
    if (methods.has(name)) throw new InvalidArgumentError(`requireAuth: "${name}" is given more than once`)
    negated = not
    methods.add(name)
  }
  return { text: value, negated: negated === true, methods }
}

/** Whether the server may use `method` (a request it sent, or 'none' for AuthenticationOk unasked). */
function allows(rule: RequireAuth, method: AuthMethod): boolean {
  return rule.negated ? !rule.methods.has(method) : rule.methods.has(method)
}

/** Checks an authentication request before anything is sent in answer to it. */
export function checkAuthRequest(rule: RequireAuth | undefined, method: AuthMethod): void {
  if (rule === undefined || allows(rule, method)) return
  throw new AuthenticationError(`require_auth=${rule.text} but the server asks for ${method} authentication`)
}

/**
 * Checks AuthenticationOk. `completed` is the method the client finished ('none' if the server
 * asked for nothing): a server that skips authentication must be allowed to (`none`, or a
 * negated list without `!none`).
 */
export function checkAuthOk(rule: RequireAuth | undefined, completed: AuthMethod): void {
  if (rule === undefined || allows(rule, completed)) return
  throw new AuthenticationError(
    completed === 'none'
      ? `require_auth=${rule.text} but the server did not ask the client to authenticate`
      : `require_auth=${rule.text} but the server authenticated with ${completed}`,
  )
}
