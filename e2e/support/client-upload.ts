/**
 * Uploads one file with the TypeScript client in its own process, so a test can kill it:
 *   node --import tsx client-upload.ts <url> <api key> <file> <folder> [upload id to resume]
 * Prints one JSON line when the session is known and one with the file when done.
 */
import { Granary } from '@granary/client'

const [url, apiKey, file, folder, resumeId] = process.argv.slice(2)
const client = new Granary({ baseUrl: url, apiKey, workspaceId: 'ws_default' })
const uploaded = await client.files.uploadFile(file as string, {
  path: folder,
  ...(resumeId ? { resume: { uploadId: resumeId } } : {}),
  onSession: (session) => {
    process.stdout.write(`${JSON.stringify({ session })}\n`)
  },
})
process.stdout.write(`${JSON.stringify({ file: uploaded })}\n`)
