import { filesHref } from '../route.ts'
import { me } from '../session.ts'

/** Workspace / raw / run1: each step a link, the last one the current page. */
export function Breadcrumbs({ workspaceId, folder }: { workspaceId: string; folder: string }) {
  const parts = folder.split('/').filter(Boolean)
  const name = me.value?.workspaces.find((ws) => ws.id === workspaceId)?.name ?? workspaceId
  const steps = [{ label: name, href: filesHref(workspaceId) }]
  parts.forEach((part, i) => {
    steps.push({ label: part, href: filesHref(workspaceId, `${parts.slice(0, i + 1).join('/')}/`) })
  })
  return (
    <nav aria-label="Breadcrumbs" class="crumbs">
      <ol>
        {steps.map((step, i) => (
          <li key={step.href}>
            <a href={step.href} aria-current={i === steps.length - 1 ? 'page' : undefined}>
              {step.label}
            </a>
          </li>
        ))}
      </ol>
    </nav>
  )
}
