/**
 * What a move or copy request means, before anything is read: one file, or a whole folder (both
 * keys ending in '/'). Keys are checked by keys.ts, like every other key; the target must be a
 * key a new file may get.
 */
import { AppError } from './errors.ts'
import { nameOf, validateKey, validateNewKey } from './keys.ts'

export type MovePlan =
  | { readonly kind: 'file'; readonly from: string; readonly to: string }
  | { readonly kind: 'folder'; readonly from: string; readonly to: string }

export function planMove(from: string, to: string): MovePlan {
  if (from.endsWith('/')) return planFolder(from, to)
  validateKey(from)
  // A file moved to a folder keeps its name there, as `mv file dir/` does.
  const target = to.endsWith('/') ? `${to}${nameOf(from)}` : to
  validateNewKey(target)
  if (target === from) throw invalidMove(`'${from}' is already at '${target}'; pick another key.`)
  return { kind: 'file', from, to: target }
}

function planFolder(from: string, to: string): MovePlan {
  validateKey(from.slice(0, -1))
  if (!to.endsWith('/')) {
    throw invalidMove(
      `'${from}' is a folder: its target must be a folder too, ending in '/' (e.g. '${to}/').`,
    )
  }
  validateNewKey(to.slice(0, -1))
  if (to === from) throw invalidMove(`'${from}' is already at '${to}'; pick another folder.`)
  if (to.startsWith(from)) {
    throw invalidMove(`Cannot move or copy the folder '${from}' into itself ('${to}').`)
  }
  if (from.startsWith(to)) {
    throw invalidMove(
      `Cannot move or copy the folder '${from}' into its own parent folder '${to}': its files would land among their own sources. Move it to a new folder instead.`,
    )
  }
  return { kind: 'folder', from, to }
}

function invalidMove(message: string): AppError {
  return new AppError('invalid_move', message)
}
