import { WEBHOOK_EVENTS, type WebhookEvent } from '@granary/client'
import { type Command, Option } from 'commander'
import { contextFor, type RunIO } from './context.ts'
import { shortDate, table } from './format.ts'

const STATUSES = ['pending', 'delivered', 'failed'] as const

/** `webhooks create|list|delete|deliveries|retry` (need an admin key). */
export function registerWebhookCommands(program: Command, io: RunIO): void {
  const group = program
    .command('webhooks')
    .description('Notify a URL when files change in a workspace (needs an admin key)')
  group
    .command('create')
    .description('Register a webhook; its signing secret is printed once')
    .argument('<url>', 'where Granary POSTs them (a public http(s) URL)')
    .addOption(
      new Option('--event <event...>', 'events (repeatable)')
        .choices(WEBHOOK_EVENTS)
        .makeOptionMandatory(),
    )
    .addHelpText(
      'after',
      '\nExample (events of the workspace -w names):\n  granary -w ws_lab webhooks create https://ci.example.org/granary \\\n' +
        '    --event file.created --event file.replaced',
    )
    .action(async (url: string, options: { event: WebhookEvent[] }, command: Command) => {
      const ctx = contextFor(command, io)
      const hook = await ctx.client.webhooks.create({
        workspaceId: ctx.workspaceId,
        url,
        events: options.event,
      })
      if (ctx.json) return ctx.printJson(hook)
      ctx.line(`created webhook ${hook.id} (${hook.events.join(',')} -> ${hook.url})`)
      ctx.line(`secret: ${hook.secret}`)
      ctx.note(
        'granary: the secret is shown only once: store it where the receiver checks signatures.',
      )
    })
  group
    .command('list')
    .description("List the workspace's webhooks (never their secrets)")
    .option('--all', "every workspace's")
    .action(async (options: { all?: boolean }, command: Command) => {
      const ctx = contextFor(command, io)
      const workspaceId = options.all ? undefined : ctx.workspaceId
      const hooks = await ctx.client.webhooks.list({ workspaceId })
      if (ctx.json) return ctx.printJson(hooks)
      const rows = hooks.map((h) => [h.id, h.workspace_id, h.events.join(','), h.url])
      for (const line of table([['ID', 'WORKSPACE', 'EVENTS', 'URL'], ...rows])) ctx.line(line)
    })
  group
    .command('delete')
    .description('Delete a webhook and its deliveries')
    .argument('<id>', 'the webhook id (wh_...)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextFor(command, io)
      await ctx.client.webhooks.delete(id)
      if (ctx.json) ctx.printJson({ deleted: id })
      else ctx.line(`deleted webhook ${id}`)
    })
  registerDeliveryCommands(group, io)
}

function registerDeliveryCommands(group: Command, io: RunIO): void {
  group
    .command('deliveries')
    .description("A webhook's deliveries, newest first")
    .argument('<id>', 'the webhook id (wh_...)')
    .addOption(new Option('--status <status>', 'only these').choices(STATUSES))
    .action(
      async (id: string, options: { status?: (typeof STATUSES)[number] }, command: Command) => {
        const ctx = contextFor(command, io)
        const deliveries = await ctx.client.webhooks.deliveries(id, { status: options.status })
        if (ctx.json) return ctx.printJson(deliveries)
        const rows = deliveries.map((d) => [
          d.id,
          d.event,
          d.status,
          String(d.attempts),
          d.last_status === null ? '-' : String(d.last_status),
          shortDate(d.created_at),
        ])
        const head = ['ID', 'EVENT', 'STATUS', 'ATTEMPTS', 'LAST', 'CREATED']
        for (const line of table([head, ...rows])) ctx.line(line)
      },
    )
  group
    .command('retry')
    .description('Send a delivery again (also one that failed)')
    .argument('<id>', 'the webhook id (wh_...)')
    .argument('<delivery-id>', 'the delivery id (whd_...)')
    .action(async (id: string, deliveryId: string, _options: unknown, command: Command) => {
      const ctx = contextFor(command, io)
      const delivery = await ctx.client.webhooks.retry(id, deliveryId)
      if (ctx.json) ctx.printJson(delivery)
      else ctx.line(`delivery ${delivery.id} queued again`)
    })
}
