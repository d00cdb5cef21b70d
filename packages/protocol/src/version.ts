/**
 * The one version of every Granary package (npm packages, the Python client, the server's
 * /healthz and /openapi.json). version.test.ts keeps the manifests equal to it.
 */
export const GRANARY_VERSION = '0.2.0'
