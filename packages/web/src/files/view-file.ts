/** The "View" action: opens the genome viewer page (igv) on an indexed BAM, VCF or BED. */
import type { FileInfo } from '@granary/client'
import { errorText } from '../format.ts'
import { client } from '../session.ts'
import { notify } from '../ui/notices.tsx'
import { viewableFormat, viewerHref } from '../viewer/view-link.ts'

export { viewableFormat }

/**
 * A tabix index (BED) names its contigs without their lengths: igv gets the largest position a
 * BAI/tabix index can address, enough to reach every record.
 */
const UNKNOWN_LENGTH = 2 ** 29

/**
 * Signs a Granary link (which also serves the index) and reads the contigs, then shows the viewer
 * in a new tab. The tab opens before the awaits so that browsers do not take it for a pop-up.
 */
export async function viewFile(workspaceId: string, file: FileInfo): Promise<void> {
  const format = viewableFormat(file.name)
  if (!format) return
  const tab = window.open('', '_blank')
  try {
    const [link, header] = await Promise.all([
      client.value.files.downloadUrl(file.key, { workspaceId, link: 'granary', withIndex: true }),
      client.value.files.header(file.key, { workspaceId }),
    ])
    if (!link.index_url) {
      tab?.close()
      notify(
        `${file.key} has no index beside it; upload its index (.bai, .crai, .tbi or .csi) to view it.`,
        {
          error: true,
        },
      )
      return
    }
    const contigs = header.contigs.map((c) => ({
      name: c.name,
      length: c.length || UNKNOWN_LENGTH,
    }))
    const href = viewerHref({
      name: file.name,
      format,
      url: link.url,
      indexUrl: link.index_url,
      contigs,
    })
    if (tab) {
      tab.opener = null
      tab.location.href = href
    } else window.location.href = href
  } catch (err) {
    tab?.close()
    notify(`Could not view ${file.key}: ${errorText(err)}`, { error: true })
  }
}
