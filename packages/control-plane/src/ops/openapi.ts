import type Router from '@koa/router';
import { z } from 'zod';
import { createApiKeyBody } from '../apikeys/routes.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const errors = {
  '400': { description: 'Invalid input; the message names every offending field', ...json(ref('Error')) },
  '401': { description: 'Missing, malformed, unknown, revoked or expired credential', ...json(ref('Error')) },
  '403': { description: "The credential's scope does not allow this route", ...json(ref('Error')) },
  '429': { description: 'Rate limited; see Retry-After', ...json(ref('Error')) },
};
const keyId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

function schema(zodSchema: z.ZodType): object {
  const { $schema: _drop, ...rest } = z.toJSONSchema(zodSchema) as Record<string, unknown>;
  return rest;
}

/** The OpenAPI 3.1 document served at `/openapi.json`; each subsystem adds its paths here. */
export function openApiDocument(publicUrl: string): object {
  return {
    openapi: '3.1.0',
    info: { title: 'Lobster control plane', version: '0.1.0' },
    servers: [{ url: publicUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'lh_… API key or a JWT' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
        ApiKey: {
          type: 'object',
          required: ['id', 'name', 'scope', 'prefix', 'createdAt', 'expiresAt', 'lastUsedAt'],
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            scope: { enum: ['read-only', 'read-write', 'admin', 'ingest'] },
            prefix: { type: 'string', description: 'The first 8 characters of the key' },
            createdAt: { type: 'string', format: 'date-time' },
            expiresAt: { type: ['string', 'null'], format: 'date-time' },
            lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
        CreateApiKey: schema(createApiKeyBody),
      },
    },
    paths: {
      '/v1/whoami': {
        get: {
          summary: 'The org and scope of the calling credential',
          responses: { '200': { description: 'OK' }, ...errors },
        },
      },
      '/v1/apikeys': {
        get: {
          summary: 'List live API keys, newest first',
          parameters: [
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
          ],
          responses: { '200': { description: '{data, hasMore, nextCursor}' }, ...errors },
        },
        post: {
          summary: 'Create an API key; the response holds the key, shown this once',
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 255 } }],
          requestBody: { required: true, ...json(ref('CreateApiKey')) },
          responses: { '201': { description: 'Created', ...json(ref('ApiKey')) }, ...errors },
        },
      },
      '/v1/apikeys/{id}': {
        get: {
          summary: 'One API key',
          parameters: [keyId],
          responses: { '200': json(ref('ApiKey')), ...errors },
        },
        delete: {
          summary: 'Revoke an API key at once',
          parameters: [keyId],
          responses: { '200': { description: 'Revoked' }, ...errors },
        },
      },
    },
  };
}

export function openApiRoute(router: Router, publicUrl: string): void {
  const document = openApiDocument(publicUrl);
  router.get('/openapi.json', (ctx) => {
    ctx.body = document;
  });
}
