import type { Plugin } from 'graphql-yoga';

/**
 * Refuses request bodies over `maxBytes` with 413 before anything parses them: by the declared
 * Content-Length, or by reading a body that declares none (up to the limit plus one byte).
 */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    async onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== 'POST') return;
      const declared = Number(request.headers.get('content-length') ?? NaN);
      const size = Number.isFinite(declared) ? declared : (await request.clone().arrayBuffer()).byteLength;
      if (size <= maxBytes) return;
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({ errors: [{ message: `Request body over ${maxBytes} bytes.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }),
          { status: 413, headers: { 'content-type': 'application/json' } },
        ),
      );
    },
  };
}
