import type { FileInfo } from '@granary/client'
import type { Command } from 'commander'
import { contextFor, type RunIO } from './context.ts'
import { humanSize } from './format.ts'
import { parsePositiveInt, parseSize } from './parse.ts'
import { progressBar } from './progress.ts'

interface UploadCliOptions {
  path?: string
  description?: string
  overwrite: boolean
  largeThreshold?: number
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
    .addHelpText(
      'after',
      '\nExamples:\n  granary upload sample.vcf --path raw/ -w ws_abc123\n' +
        '  granary upload *.fastq.gz --path reads/ --no-overwrite\n' +
        '  granary upload large_genome.bam --path bam/ --json',
    )
    .action(async (files: string[], options: UploadCliOptions, command: Command) => {
      const ctx = contextFor(command, io)
      const uploaded: FileInfo[] = []
      for (const file of files) {
        const bar = progressBar(io.stderr, file)
        try {
          uploaded.push(
            await ctx.client.files.uploadFile(file, {
              workspaceId: ctx.workspaceId,
              path: options.path,
              description: options.description,
              overwrite: options.overwrite,
              largeThreshold: options.largeThreshold,
              onProgress: (p) => bar.update(p),
            }),
          )
        } finally {
          bar.stop()
        }
        const info = uploaded.at(-1)
        if (!ctx.json && info) ctx.line(`uploaded ${info.key} (${humanSize(info.size)})`)
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
