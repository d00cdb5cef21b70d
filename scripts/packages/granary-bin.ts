/**
 * The installed `granary` command (scripts/build-packages.mjs bundles it): the CLI, whose
 * `granary serve` runs the server bundled beside it, loaded only for that command.
 */
import { main } from '../../packages/cli/src/main.ts'

await main({ loadServer: () => import('../../packages/server/src/server.ts') })
