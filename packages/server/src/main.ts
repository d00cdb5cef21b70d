/** The only place that reads process.env and listens: `npm start`. */
import { runServer } from './server.ts'

runServer(process.env).catch((error: unknown) => {
  process.stderr.write(
    `granary: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
