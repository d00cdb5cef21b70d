import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { isAppError } from '../../domain/errors.ts'
import { assertNoLinks, openNoFollow } from './no-follow.ts'

let base: string
let root: string

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'granary-no-follow-'))
  root = join(base, 'store')
  await mkdir(join(root, 'ws', 'v1'), { recursive: true })
  await writeFile(join(root, 'ws', 'v1', 'a.txt'), 'inside')
  await mkdir(join(base, 'outside'))
  await writeFile(join(base, 'outside', 'a.txt'), 'outside')
  await symlink(join(base, 'outside'), join(root, 'ws', 'v2')) // a folder link
  await symlink(join(base, 'outside', 'a.txt'), join(root, 'ws', 'v1', 'b.txt')) // a file link
  await symlink(join(base, 'nowhere'), join(root, 'ws', 'v3')) // a dangling folder link
  await symlink(root, join(base, 'via-link')) // a link above the root is the operator's choice
})

after(() => rm(base, { recursive: true, force: true }))

const refused = (error: unknown) => isAppError(error, 'storage_link_refused')

test('a path with no link below the root passes, existing or not', async () => {
  await assertNoLinks(root, join(root, 'ws', 'v1', 'a.txt'))
  await assertNoLinks(root, join(root, 'ws', 'v1', 'missing.txt'))
  await assertNoLinks(root, join(root, 'ws', 'new', 'deeper', 'x'))
  const viaLink = join(base, 'via-link')
  await assertNoLinks(viaLink, join(viaLink, 'ws', 'v1', 'a.txt'))
  const file = await openNoFollow(viaLink, join(viaLink, 'ws', 'v1', 'a.txt'))
  assert.equal(await file.readFile('utf8'), 'inside')
  await file.close()
})

test('a link anywhere below the root is refused: folder, file or dangling', async () => {
  await assert.rejects(assertNoLinks(root, join(root, 'ws', 'v2', 'a.txt')), refused)
  await assert.rejects(assertNoLinks(root, join(root, 'ws', 'v1', 'b.txt')), refused)
  await assert.rejects(assertNoLinks(root, join(root, 'ws', 'v3', 'a.txt')), refused)
  await assert.rejects(openNoFollow(root, join(root, 'ws', 'v2', 'a.txt')), refused)
  await assert.rejects(openNoFollow(root, join(root, 'ws', 'v1', 'b.txt')), refused)
})
