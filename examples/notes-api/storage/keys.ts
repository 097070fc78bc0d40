/**
 * The key that encrypts note bodies at rest: from NOTES_KEY (base64url, 32 bytes) when set, else read
 * from `<dataDir>/notes.key`, which is generated on first start with owner-only permissions. A key
 * file that is a symlink, another user's, or open to others is refused (storage/data-dir.ts): a
 * planted key would encrypt new notes for whoever planted it. An in-memory database gets a key that
 * lives as long as the process (its data does too).
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AeadCipher } from '../../../src/crypto/index.js'
import { openPrivateFile } from './data-dir.js'

export interface KeySource {
  /** NOTES_KEY's value, if set. */
  envKey: string | undefined
  /** Where to keep a generated key; null for a key that is never written. */
  dataDir: string | null
}

export async function loadCipher(source: KeySource): Promise<{ cipher: AeadCipher; origin: string }> {
  if (source.envKey !== undefined && source.envKey !== '') {
    return { cipher: new AeadCipher('aes256gcm', decodeKey(source.envKey, 'NOTES_KEY')), origin: 'NOTES_KEY' }
  }
  if (source.dataDir === null)
    return { cipher: new AeadCipher('aes256gcm'), origin: 'this run only (generated, never written)' }
  const file = join(source.dataDir, 'notes.key')
  const handle = await openPrivateFile(file)
  if (handle !== null) {
    const text = await handle.readFile('utf8').finally(() => handle.close())
    return { cipher: new AeadCipher('aes256gcm', decodeKey(text.trim(), file)), origin: file }
  }
  const key = AeadCipher.generateKey()
  // 'wx' (O_CREAT | O_EXCL) fails if a file or a symlink appeared meanwhile: never overwrite a key
  // data depends on, never write one through a link.
  await writeFile(file, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' })
  return { cipher: new AeadCipher('aes256gcm', key), origin: `${file} (generated)` }
}

function decodeKey(text: string, where: string): Buffer {
  const key = Buffer.from(text, 'base64url')
  if (key.length !== 32 || key.toString('base64url') !== text.replace(/=+$/, '')) {
    throw new RangeError(`${where} must hold a 32-byte key in base64url`)
  }
  return key
}
