import assert from 'node:assert/strict'
import { createHash, X509Certificate } from 'node:crypto'
import { describe, it } from 'node:test'
import { signatureAlgorithmOid, tlsServerEndPoint } from '../../../../src/postgres/auth/channel-binding.js'
import { md5PasswordResponse } from '../../../../src/postgres/auth/md5.js'
import { ScramClient } from '../../../../src/postgres/auth/scram.js'
import { ECDSA_SHA256_PEM, ED25519_PEM, RSA_SHA384_PEM } from './certificates.js'

// RFC 7677 §3: the SCRAM-SHA-256 example exchange, user "user", password "pencil".
const RFC7677 = {
  clientNonce: 'rOprNGfwEbeRWgbNEkqO',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
}

function rfcClient(overrides: Partial<ConstructorParameters<typeof ScramClient>[0]> = {}): ScramClient {
  return new ScramClient({
    password: 'pencil',
    username: 'user',
    mechanisms: ['SCRAM-SHA-256'],
    clientNonce: RFC7677.clientNonce,
    ...overrides,
  })
}

const der = (pem: string) => new X509Certificate(pem).raw

describe('SCRAM-SHA-256 (RFC 7677 §3 example)', () => {
  it('produces the RFC client messages and accepts the RFC server signature', async () => {
    const client = rfcClient()
    assert.equal(client.mechanism, 'SCRAM-SHA-256')
    assert.equal(client.initialResponse().toString(), RFC7677.clientFirst)
    const final = await client.continue(Buffer.from(RFC7677.serverFirst))
    assert.equal(final.toString(), RFC7677.clientFinal)
    client.finish(Buffer.from(RFC7677.serverFinal))
  })

  it('rejects a wrong server signature', async () => {
    const client = rfcClient()
    await client.continue(Buffer.from(RFC7677.serverFirst))
    assert.throws(() => client.finish(Buffer.from('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')), {
      code: 'ERR_AUTH',
    })
  })

  it('reports a server error attribute', async () => {
    const client = rfcClient()
    await client.continue(Buffer.from(RFC7677.serverFirst))
    assert.throws(() => client.finish(Buffer.from('e=invalid-proof')), /invalid-proof/)
  })

  it('refuses a server nonce that does not extend the client nonce', async () => {
    const forged = RFC7677.serverFirst.replace('r=rOpr', 'r=XXpr')
    await assert.rejects(rfcClient().continue(Buffer.from(forged)), { code: 'ERR_AUTH' })
    const same = `r=${RFC7677.clientNonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`
    await assert.rejects(rfcClient().continue(Buffer.from(same)), { code: 'ERR_AUTH' })
  })

  it('caps the iteration count', async () => {
    const client = rfcClient({ maxIterations: 4095 })
    await assert.rejects(client.continue(Buffer.from(RFC7677.serverFirst)), /maxIterations/)
  })

  it('refuses malformed server-first messages and finish() before continue()', async () => {
    for (const bad of [
      '',
      'garbage',
      'm=ext,r=x,s=y,i=1',
      `r=${RFC7677.clientNonce}x,s=!!,i=1`,
      'r=a,s=b,i=0',
    ]) {
      await assert.rejects(rfcClient().continue(Buffer.from(bad)), { code: 'ERR_AUTH' }, bad)
    }
    assert.throws(() => rfcClient().finish(Buffer.from(RFC7677.serverFinal)), { code: 'ERR_AUTH' })
  })

  it('escapes , and = in the user name (RFC 5802 §5.1)', () => {
    const client = rfcClient({ username: 'a=b,c' })
    assert.equal(client.initialResponse().toString(), `n,,n=a=3Db=2Cc,r=${RFC7677.clientNonce}`)
  })

  it('never puts the password in an error message', async () => {
    const client = rfcClient({ password: 'hunter2-secret' })
    await client.continue(Buffer.from(RFC7677.serverFirst))
    assert.throws(
      () => client.finish(Buffer.from(RFC7677.serverFinal)),
      (err: Error) => !err.message.includes('hunter2'),
    )
  })
})

describe('SCRAM channel binding (RFC 5929 tls-server-end-point)', () => {
  const both = ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']
  const cert = der(ECDSA_SHA256_PEM)

  it('uses -PLUS with p=tls-server-end-point when TLS and offered', async () => {
    const client = rfcClient({ mechanisms: both, serverCertificate: cert })
    assert.equal(client.mechanism, 'SCRAM-SHA-256-PLUS')
    assert.match(client.initialResponse().toString(), /^p=tls-server-end-point,,n=user,r=/)
    const final = (await client.continue(Buffer.from(RFC7677.serverFirst))).toString()
    const c = Buffer.from(/^c=([^,]+)/.exec(final)![1]!, 'base64')
    const expected = Buffer.concat([
      Buffer.from('p=tls-server-end-point,,'),
      createHash('sha256').update(cert).digest(),
    ])
    assert.deepEqual(c, expected)
  })

  it("sends 'y' on TLS when the server does not offer -PLUS, 'n' without TLS or when disabled", () => {
    assert.match(rfcClient({ serverCertificate: cert }).initialResponse().toString(), /^y,,/)
    assert.match(rfcClient({ mechanisms: both }).initialResponse().toString(), /^n,,/)
    const disabled = rfcClient({ mechanisms: both, serverCertificate: cert, channelBinding: 'disable' })
    assert.equal(disabled.mechanism, 'SCRAM-SHA-256')
    assert.match(disabled.initialResponse().toString(), /^n,,/)
  })

  it('channel_binding=require fails without TLS or without -PLUS', () => {
    assert.throws(() => rfcClient({ mechanisms: both, channelBinding: 'require' }), { code: 'ERR_AUTH' })
    assert.throws(() => rfcClient({ serverCertificate: cert, channelBinding: 'require' }), {
      code: 'ERR_AUTH',
    })
  })

  it('refuses a server with no supported mechanism', () => {
    assert.throws(() => rfcClient({ mechanisms: ['SCRAM-SHA-1'] }), /no supported SASL mechanism/)
  })

  it('hashes with the certificate signature hash', () => {
    assert.equal(signatureAlgorithmOid(cert), '1.2.840.10045.4.3.2')
    assert.deepEqual(tlsServerEndPoint(cert), createHash('sha256').update(cert).digest())
    const rsa = der(RSA_SHA384_PEM)
    assert.equal(signatureAlgorithmOid(rsa), '1.2.840.113549.1.1.12')
    assert.deepEqual(tlsServerEndPoint(rsa), createHash('sha384').update(rsa).digest())
  })

  it('refuses certificates with no usable hash and malformed DER', () => {
    assert.throws(() => tlsServerEndPoint(der(ED25519_PEM)), { code: 'ERR_AUTH' })
    assert.throws(() => tlsServerEndPoint(Buffer.from([0x30, 0x82, 0xff])), { code: 'ERR_AUTH' })
    assert.throws(() => tlsServerEndPoint(cert.subarray(0, 40)), { code: 'ERR_AUTH' })
  })
})

describe('MD5 password response', () => {
  it("is 'md5' + md5hex(md5hex(password + user) + salt)", () => {
    // Computed independently with Python's hashlib for user 'user', password 'pencil'.
    const salt = Buffer.from([1, 2, 3, 4])
    assert.equal(md5PasswordResponse('user', 'pencil', salt), 'md54376eb6913b38f9aaff38dc7cf19ca76')
  })
})
