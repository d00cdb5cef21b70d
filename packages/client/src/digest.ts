/** An incremental hash; hex digest. */
export interface Digest {
  update(bytes: Uint8Array): void
  digest(): string
}

/**
 * Incremental hashes from node:crypto, or undefined in browsers (Web Crypto cannot hash a stream
 * incrementally, and buffering a 64 MiB part to hash it is not worth it).
 *
 * @example
 * const [sha256, md5] = (await nodeDigests(['sha256', 'md5'])) ?? []
 */
export async function nodeDigests(
  algorithms: readonly ('sha256' | 'md5')[],
): Promise<Digest[] | undefined> {
  if (!globalThis.process?.versions?.node) return undefined
  const { createHash } = await import('node:crypto')
  return algorithms.map((algorithm) => {
    const hash = createHash(algorithm)
    return { update: (bytes) => hash.update(bytes), digest: () => hash.digest('hex') }
  })
}
