import { createHash } from 'node:crypto'
import { AuthenticationError } from '../../errors/classes.js'

/**
 * `tls-server-end-point` channel binding data (RFC 5929 §4.1): the hash of the server's DER
 * certificate, with the hash function of the certificate's signature algorithm, except that MD5
 * and SHA-1 are replaced by SHA-256. PostgreSQL implements only this binding type (§55.3.1).
 */

/** Signature algorithm OIDs (RFC 3279, 4055, 5758) to the digest channel binding uses. */
const DIGEST_BY_SIGNATURE_OID: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSAEncryption -> SHA-256 per RFC 5929
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSAEncryption -> SHA-256 per RFC 5929
  '1.2.840.113549.1.1.14': 'sha224', // sha224WithRSAEncryption
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13': 'sha512', // sha512WithRSAEncryption
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1 -> SHA-256 per RFC 5929
  '1.2.840.10045.4.3.1': 'sha224', // ecdsa-with-SHA224
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4': 'sha512', // ecdsa-with-SHA512
  '1.2.840.10040.4.3': 'sha256', // dsa-with-sha1 -> SHA-256 per RFC 5929
  '2.16.840.1.101.3.4.3.2': 'sha256', // dsa-with-sha256
}

/** Reads one DER TLV header at `pos`: returns [tag, contentStart, contentEnd]. */
function tlv(der: Buffer, pos: number): [number, number, number] {
  if (pos + 2 > der.length) throw badCertificate()
  const tag = der[pos]!
  let len = der[pos + 1]!
  let start = pos + 2
  if (len & 0x80) {
    const octets = len & 0x7f
    if (octets === 0 || octets > 4 || start + octets > der.length) throw badCertificate()
    len = 0
    for (let i = 0; i < octets; i++) len = len * 256 + der[start + i]!
    start += octets
  }
  if (start + len > der.length) throw badCertificate()
  return [tag, start, start + len]
}

function decodeOid(bytes: Buffer): string {
  const parts: number[] = [Math.floor(bytes[0]! / 40), bytes[0]! % 40]
  let value = 0
  for (let i = 1; i < bytes.length; i++) {
    value = value * 128 + (bytes[i]! & 0x7f)
    if ((bytes[i]! & 0x80) === 0) {
      parts.push(value)
      value = 0
    }
  }
  return parts.join('.')
}

function badCertificate(): AuthenticationError {
  return new AuthenticationError('the server certificate is not valid DER; cannot compute channel binding')
}

/** The OID of `Certificate.signatureAlgorithm` (RFC 5280 §4.1.1.2). */
export function signatureAlgorithmOid(der: Buffer): string {
  const [certTag, certStart] = tlv(der, 0)
  if (certTag !== 0x30) throw badCertificate()
  const [, , tbsEnd] = tlv(der, certStart) // tbsCertificate SEQUENCE, skipped
  const [algTag, algStart] = tlv(der, tbsEnd)
  if (algTag !== 0x30) throw badCertificate()
  const [oidTag, oidStart, oidEnd] = tlv(der, algStart)
  if (oidTag !== 0x06 || oidEnd === oidStart) throw badCertificate()
  return decodeOid(der.subarray(oidStart, oidEnd))
}

/** The channel binding data for `tls-server-end-point` from the server's DER certificate. */
export function tlsServerEndPoint(certificateDer: Buffer): Buffer {
  const oid = signatureAlgorithmOid(certificateDer)
  const digest = DIGEST_BY_SIGNATURE_OID[oid]
  if (digest === undefined) {
    // RSASSA-PSS and EdDSA carry no single hash RFC 5929 can name; libpq refuses them too.
    throw new AuthenticationError(
      `channel binding is not possible with the server certificate's signature algorithm ${oid}`,
    )
  }
  return createHash(digest).update(certificateDer).digest()
}
