import type { Command } from 'commander'
import { type Context, contextFor, type Output, type RunIO } from './context.ts'
import { parsePositiveInt } from './parse.ts'

interface QueryCommandOptions {
  header?: boolean
  limit?: number
  reference?: string
}

/** `query` and `header`: regions of indexed genomic files, read where they are stored. */
export function registerQueryCommands(program: Command, io: RunIO): void {
  program
    .command('query')
    .description(
      'Print the records of regions of an indexed VCF, BAM, CRAM or tabix file, as bcftools, samtools or tabix would',
    )
    .argument('<key>', "the file's key, e.g. calls/trio.vcf.gz")
    .argument('<region...>', 'chr1, chr1:1000 or chr1:1000-2000 (1-based, inclusive)')
    .option('--header', 'print the header first (so the output pipes into bcftools or samtools)')
    .option('--limit <n>', 'at most this many records', parsePositiveInt)
    .option('--reference <key>', "CRAM: the reference FASTA's key (with its .fai)")
    .addHelpText(
      'after',
      '\nExamples:\n  granary query calls/trio.vcf.gz chr1:1000-2000 --header | bcftools view -i "QUAL>30"\n  granary query bam/s1.bam chr2:5000-6000 chr2:9000-9100\n  granary query calls/trio.vcf.gz chr1:1000-2000 --json   # one JSON record per line',
    )
    .action((key: string, regions: string[], options: QueryCommandOptions, command: Command) =>
      printQuery(contextFor(command, io), key, regions, options),
    )

  program
    .command('header')
    .description(
      'Print the header of a VCF, BAM, CRAM or tabix file (--json: with contigs and samples)',
    )
    .argument('<key>', "the file's key")
    .action(async (key: string, _options: unknown, command: Command) => {
      const ctx = contextFor(command, io)
      const header = await ctx.client.files.header(key, { workspaceId: ctx.workspaceId })
      if (ctx.json) ctx.printJson(header)
      else await write(ctx.io.stdout, header.header)
    })
}

/** Streams the answer to stdout as it arrives, waiting for the pipe to drain. */
async function printQuery(
  ctx: Context,
  key: string,
  regions: string[],
  options: QueryCommandOptions,
) {
  const body = await ctx.client.files.queryStream(key, {
    workspaceId: ctx.workspaceId,
    region: regions,
    format: ctx.json ? 'json' : 'text',
    ...(options.header ? { header: true } : {}),
    ...(options.limit ? { limit: options.limit } : {}),
    ...(options.reference ? { referenceKey: options.reference } : {}),
  })
  const decoder = new TextDecoder()
  const reader = body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    await write(ctx.io.stdout, decoder.decode(value, { stream: true }))
  }
  await write(ctx.io.stdout, decoder.decode())
}

async function write(out: Output, text: string): Promise<void> {
  if (!text) return
  const flushed = out.write(text)
  if (flushed === false && isEmitter(out))
    await new Promise<void>((resolve) => out.once('drain', () => resolve()))
}

function isEmitter(
  out: Output,
): out is Output & { once(event: 'drain', listener: () => void): unknown } {
  return typeof (out as { once?: unknown }).once === 'function'
}
