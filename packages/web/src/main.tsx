/** Entry point: resume the tab's session (if any), then render. */
import { render } from 'preact'
import { App } from './app.tsx'
import { resume } from './session.ts'
import './styles.css'

const root = document.getElementById('app') as HTMLElement
resume()
  .catch(() => {})
  .finally(() => {
    root.removeAttribute('aria-busy')
    render(<App />, root)
  })
