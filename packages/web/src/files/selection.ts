/** The file whose details are open, if any. */
import type { FileInfo } from '@granary/client'
import { signal } from '@preact/signals'

export const selected = signal<FileInfo | undefined>(undefined)
