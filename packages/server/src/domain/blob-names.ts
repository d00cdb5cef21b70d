/** Names of staged blobs: where a client's direct PUT lands until confirm adopts it. */

const STAGED_SUFFIX = '.staged'

/**
 * Where a client's direct PUT (S3) lands before confirm adopts it into `blobName`:
 * `<workspace>/<version>.staged/<key>`, beside the blob it will become.
 */
export function stagedNameFor(blobName: string): string {
  const [workspace, version, ...key] = blobName.split('/')
  return [workspace, `${version}${STAGED_SUFFIX}`, ...key].join('/')
}

/** The blob a staged name belongs to, or undefined when `name` is not a staged name. */
export function blobOfStaged(name: string): string | undefined {
  const [workspace, version, ...key] = name.split('/')
  if (!version?.endsWith(STAGED_SUFFIX) || key.length === 0) return undefined
  return [workspace, version.slice(0, -STAGED_SUFFIX.length), ...key].join('/')
}
