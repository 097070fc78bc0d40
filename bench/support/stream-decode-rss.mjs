// Child of bench/json.bench.ts: `STREAM_FILE=f node stream-decode-rss.mjs <library>` decodes the
// top-level JSON array in file f one element at a time, reading it in 64 KiB chunks, and prints the
// process's peak RSS in MiB. Plain JavaScript, only that library loaded: covet from its built
// package (`covet/json` through package.json "exports"), the peers from node_modules.
import { createReadStream, readFileSync } from 'node:fs'

const file = process.env.STREAM_FILE
const lib = process.argv[2]
const chunks = () => createReadStream(file, { highWaterMark: 64 * 1024 })
let n = 0

if (lib === 'covet') {
  const { decodeStream } = await import('covet/json')
  for await (const _ of decodeStream(chunks(), { format: 'array' })) n++
} else if (lib === 'stream-json') {
  const { streamArray } = await import('stream-json/streamers/stream-array.js')
  await new Promise((resolve, reject) => {
    const pipeline = chunks().pipe(streamArray.withParserAsStream())
    pipeline.on('data', () => n++)
    pipeline.on('end', resolve)
    pipeline.on('error', reject)
  })
} else if (lib === '@streamparser/json') {
  const { JSONParser } = await import('@streamparser/json')
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false })
  parser.onValue = () => n++
  for await (const chunk of chunks()) parser.write(chunk)
} else if (lib === 'JSON.parse') {
  n = JSON.parse(readFileSync(file, 'utf8')).length
} else {
  throw new Error(`unknown library ${lib}`)
}
if (n !== Number(process.env.STREAM_ITEMS)) throw new Error(`${lib} decoded ${n} items`)
console.log((process.resourceUsage().maxRSS / 1024).toFixed(0))
