import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  type AuthMethod,
  checkAuthOk,
  checkAuthRequest,
  parseRequireAuth,
} from '../../../../src/postgres/auth/require-auth.js'

/** Whether a server that asks for `asked` (or nothing: 'none') is accepted under `setting`. */
function accepted(setting: string, asked: AuthMethod): boolean {
  const rule = parseRequireAuth(setting)
  try {
    if (asked !== 'none') checkAuthRequest(rule, asked)
    checkAuthOk(rule, asked)
    return true
  } catch (error) {
    assert.equal((error as { code: string }).code, 'ERR_AUTH')
    return false
  }
}

// libpq's require_auth (libpq docs, "Parameter Key Words"), issue 14.
describe('require_auth', () => {
  it('a list: the server must use one of the methods', () => {
    assert.equal(accepted('scram-sha-256', 'scram-sha-256'), true)
    assert.equal(accepted('scram-sha-256', 'md5'), false)
    assert.equal(accepted('scram-sha-256', 'password'), false)
    assert.equal(accepted('scram-sha-256', 'none'), false, 'skipping authentication is not using SCRAM')
    assert.equal(accepted('md5, scram-sha-256', 'md5'), true)
    assert.equal(accepted('md5,scram-sha-256', 'password'), false)
    assert.equal(accepted('password', 'password'), true)
    assert.equal(accepted('none', 'none'), true)
    assert.equal(accepted('none', 'scram-sha-256'), false)
    assert.equal(accepted('none,scram-sha-256', 'none'), true)
    assert.equal(accepted('gss', 'sspi'), false)
  })

  it('a negated list: the server must use none of them, and may skip authentication', () => {
    assert.equal(accepted('!password', 'password'), false)
    assert.equal(accepted('!password', 'md5'), true)
    assert.equal(accepted('!password,!md5', 'md5'), false)
    assert.equal(accepted('!password,!md5', 'scram-sha-256'), true)
    assert.equal(accepted('!password,!md5', 'none'), true)
    assert.equal(accepted('!none', 'none'), false, '!none demands some authentication')
    assert.equal(accepted('!none', 'md5'), true)
  })

  it('an empty setting is unset; bad ones fail at construction, naming the entry', () => {
    assert.equal(parseRequireAuth(undefined), undefined)
    assert.equal(parseRequireAuth(''), undefined)
    assert.equal(accepted('', 'password'), true)
    for (const [setting, message] of [
      ['scram', /"scram" is not one of/],
      ['md5,', /"" is not one of/],
      ['md5,!password', /cannot be mixed/],
      ['!md5,password', /cannot be mixed/],
      ['md5,md5', /more than once/],
      ['!!md5', /is not one of/],
      ['SCRAM-SHA-256', /is not one of/],
    ] as const) {
      assert.throws(() => parseRequireAuth(setting), { code: 'ERR_INVALID_ARGUMENT', message }, setting)
    }
    assert.throws(() => parseRequireAuth(5 as never), { code: 'ERR_INVALID_ARGUMENT' })
  })

  it('says what the server asked for and what was required', () => {
    assert.throws(() => checkAuthRequest(parseRequireAuth('scram-sha-256'), 'password'), {
      code: 'ERR_AUTH',
      message: 'require_auth=scram-sha-256 but the server asks for password authentication',
    })
    assert.throws(() => checkAuthOk(parseRequireAuth('!none'), 'none'), {
      message: /did not ask the client to authenticate/,
    })
  })
})
