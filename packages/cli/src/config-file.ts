import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import { CliError } from './errors.ts'

/** What `granary login` remembers; flags and GRANARY_* variables win over it. */
export interface SavedLogin {
  url: string
  api_key: string
  /** Set when the key may use exactly one workspace. */
  workspace?: string
}

type Env = Record<string, string | undefined>

/**
 * `$XDG_CONFIG_HOME/granary/config.json`, else `~/.config/granary/config.json`; undefined when
 * the environment names no home (tests), so nothing outside it is ever read.
 */
export function configPath(env: Env): string | undefined {
  const xdg = env.XDG_CONFIG_HOME?.trim()
  // The XDG spec ignores a relative XDG_CONFIG_HOME.
  if (xdg && isAbsolute(xdg)) return join(xdg, 'granary', 'config.json')
  return env.HOME ? join(env.HOME, '.config', 'granary', 'config.json') : undefined
}

/** The saved login, or undefined when there is none. A broken file is an error that names it. */
export function readSavedLogin(env: Env): SavedLogin | undefined {
  const path = configPath(env)
  if (!path) return undefined
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  try {
    const saved = JSON.parse(text) as Partial<SavedLogin>
    if (typeof saved.url === 'string' && typeof saved.api_key === 'string') {
      return saved as SavedLogin
    }
  } catch {}
  throw new CliError(`${path} is not a granary login; run \`granary login\` again`, {
    code: 'bad_config',
  })
}

/** Writes the login readable by its owner only (mode 0600, folder 0700), replacing any. */
export function saveLogin(env: Env, login: SavedLogin): string {
  const path = configPath(env)
  if (!path) throw new CliError('set HOME or XDG_CONFIG_HOME to save a login', { code: 'no_home' })
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 })
  // The mode of a new file is masked by the umask; say it explicitly.
  chmodSync(temp, 0o600)
  renameSync(temp, path)
  return path
}
