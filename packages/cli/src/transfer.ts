import { ApiError, type FileInfo, type UploadFileOptions } from '@granary/client'
import type { Command } from 'commander'
import { type Context, contextFor, type RunIO } from './context.ts'
import { humanSize } from './format.ts'
import { parsePositiveInt, parseSize } from './parse.ts'
import { progressBar } from './progress.ts'
import { UploadState } from './upload-state.ts'

interface UploadCliOptions {
  path?: string
  description?: string
  overwrite: boolean
  largeThreshold?: number
  multipartThreshold?: number
  partSize?: number
  concurrency?: number
}

/** `upload` and `download`: moving bytes, with a progress bar on a terminal. */
export function registerTransferCommands(program: Command, io: RunIO): void {
  program
    .command('upload')
    .description('Upload local files (large ones through the upload-url flow)')
    .argument('<file...>', 'local files to upload')
    .option('--path <folder>', 'folder inside the workspace, e.g. raw/ (key = folder + file name)')
    .option('--description <text>', 'a description stored with each file')
    .option('--no-overwrite', 'fail with file_exists instead of replacing an existing key')
    .option(
      '--large-threshold <size>',
      'from this size use the upload-url flow (default 100MiB)',
      parseSize,
    )
    .option(
      '--multipart-threshold <size>',
      'from this size send parallel, resumable parts (env GRANARY_MULTIPART_THRESHOLD, default 5GiB)',
      parseSize,
    )
    .option(
      '--part-size <size>',
      'part size hint, clamped by the server (env GRANARY_PART_SIZE, default 64MiB)',
      parseSize,
    )
    .option('--concurrency <n>', 'parts sent at once (default 4)', parsePositiveInt)
    .addHelpText(
      'after',
      '\nExamples:\n  granary upload sample.vcf --path raw/ -w ws_abc123\n' +
        '  granary upload *.fastq.gz --path reads/ --no-overwrite\n' +
        '  granary upload large_genome.bam --path bam/ --json\n' +
        '  granary upload big.bam --multipart-threshold 1GiB --part-size 128MiB --concurrency 8\n' +
        '\nA multipart upload stopped by Ctrl-C or a crash continues when the same command runs again.',
    )
    .action(async (files: string[], options: UploadCliOptions, command: Command) => {
      const ctx = contextFor(command, io)
      const uploaded: FileInfo[] = []
      for (const file of files) {
        const info = await uploadOne(ctx, file, options)
        uploaded.push(info)
        if (!ctx.json) ctx.line(`uploaded ${info.key} (${humanSize(info.size)})`)
      }
      if (ctx.json) ctx.printJson(uploaded)
    })

  program
    .command('download')
    .description('Download a file to disk (never leaves a partial file under its name)')
    .argument('<key>', "the file's key, e.g. raw/sample.vcf")
    .argument('[dest]', 'a folder (existing, or ending in /) or a file path; default: here')
    .option('--expires-in <seconds>', 'validity of the signed URL used', parsePositiveInt)
    .addHelpText(
      'after',
      '\nExamples:\n  granary download raw/sample.vcf\n  granary download raw/sample.vcf ./output/',
    )
    .action(
      async (key: string, dest: string | undefined, options: { expiresIn?: number }, command) => {
        const ctx = contextFor(command, io)
        const bar = progressBar(io.stderr, key)
        let path: string
        try {
          path = await ctx.client.files.download(key, {
            workspaceId: ctx.workspaceId,
            dest,
            expiresIn: options.expiresIn,
            onProgress: (p) => bar.update(p),
          })
        } finally {
          bar.stop()
        }
        if (ctx.json) ctx.printJson({ key, path })
        else ctx.line(path)
      },
    )
}

/**
 * One file: resumes the session its state file names, else starts one (saving its id as soon
 * as the server opens it); the state goes once the file is stored.
 */
async function uploadOne(ctx: Context, file: string, options: UploadCliOptions): Promise<FileInfo> {
  const env = ctx.io.env ?? {}
  const state = await UploadState.for({
    path: file,
    workspaceId: ctx.workspaceId,
    folder: options.path,
    serverUrl: ctx.client.baseUrl,
    env,
  })
  const saved = await state.load()
  const bar = progressBar(ctx.io.stderr, file)
  const upload: UploadFileOptions = {
    workspaceId: ctx.workspaceId,
    path: options.path,
    description: options.description,
    overwrite: options.overwrite,
    largeThreshold: options.largeThreshold,
    multipartThreshold: options.multipartThreshold ?? envSize(env, 'GRANARY_MULTIPART_THRESHOLD'),
    partSize: options.partSize ?? envSize(env, 'GRANARY_PART_SIZE'),
    concurrency: options.concurrency,
    onProgress: (p) => bar.update(p),
    onSession: (session) => {
      if (session.presentParts > 0) {
        ctx.note(
          `granary: resuming upload ${session.uploadId}: ${session.presentParts} of ${session.partCount} parts already on the server`,
        )
      }
      return state.save(session)
    },
  }
  try {
    if (saved) {
      const resumed = await resume(ctx, file, { ...upload, resume: { uploadId: saved.upload_id } })
      if (resumed) return await finished(state, resumed)
      await state.remove()
    }
    return await finished(state, await ctx.client.files.uploadFile(file, upload))
  } finally {
    bar.stop()
  }
}

/** The resumed file, or undefined when the server no longer has the session (start over). */
async function resume(
  ctx: Context,
  file: string,
  options: UploadFileOptions & { resume: { uploadId: string } },
): Promise<FileInfo | undefined> {
  try {
    const info = await ctx.client.files.uploadFile(file, options)
    return info
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'upload_not_found') throw err
    ctx.note(`granary: upload ${options.resume.uploadId} is gone from the server; starting over.`)
    return undefined
  }
}

async function finished(state: UploadState, info: FileInfo): Promise<FileInfo> {
  await state.remove()
  return info
}

function envSize(env: Record<string, string | undefined>, name: string): number | undefined {
  const text = env[name]
  return text ? parseSize(text) : undefined
}
