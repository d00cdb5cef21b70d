/**
 * /openapi.json and the browsable /docs, branded Granary. Swagger UI's files are served from the
 * installed package and its online validator is off, so /docs renders with no network access.
 */
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { GRANARY_VERSION } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'

const DESCRIPTION = `Files API for scientific workspaces. Send \`Authorization: Bearer <API key>\`.

Files up to 500 MB: \`POST /v1/files/upload\` (multipart form). Larger files: \`POST /v1/files/upload-url\`,
PUT the bytes (or each part of a multipart session), then \`POST /v1/files/upload-confirm\`.`

// A sheaf of grain: the mark shown in the top bar and as the tab's icon.
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 32" width="160" height="32">
<g fill="#e8b931"><ellipse cx="16" cy="8" rx="4" ry="7"/><ellipse cx="8" cy="13" rx="3.5" ry="6" transform="rotate(-30 8 13)"/><ellipse cx="24" cy="13" rx="3.5" ry="6" transform="rotate(30 24 13)"/><rect x="15" y="14" width="2" height="16"/></g>
<text x="36" y="23" font-family="sans-serif" font-size="20" font-weight="bold" fill="#fff">Granary API</text></svg>`

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><g fill="#c8951a"><ellipse cx="16" cy="8" rx="4" ry="7"/><ellipse cx="8" cy="13" rx="3.5" ry="6" transform="rotate(-30 8 13)"/><ellipse cx="24" cy="13" rx="3.5" ry="6" transform="rotate(30 24 13)"/><rect x="15" y="14" width="2" height="16"/></g></svg>`

export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    // Name shared schemas by their $id (FileInfo, Error, ...) in /openapi.json.
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
    openapi: {
      info: { title: 'Granary', version: GRANARY_VERSION, description: DESCRIPTION },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    logo: { type: 'image/svg+xml', content: Buffer.from(LOGO), href: '/docs', target: '_self' },
    theme: {
      title: 'Granary API',
      favicon: [
        {
          filename: 'granary.svg',
          rel: 'icon',
          sizes: 'any',
          type: 'image/svg+xml',
          content: Buffer.from(ICON),
        },
      ],
    },
    // null: no request to the online validator (validator.swagger.io).
    uiConfig: { validatorUrl: null, deepLinking: true, defaultModelsExpandDepth: 0 },
  })
}
