import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** Reads a body without a declared length only until it passes `maxBytes`. */
async function longerThan(request: Request, maxBytes: number): Promise<boolean> {
  const reader = request.body?.getReader();
  if (!reader) return false;
  let size = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return true;
    }
  }
  return false;
}

/**
 * Refuses request bodies over `maxBytes` with 413 PAYLOAD_TOO_LARGE before anything parses
 * them: by the declared Content-Length, or by reading a body that declares none (up to the
 * limit plus one byte). Thrown from onRequestParse, where yoga renders a coded error with its
 * `extensions.http` status (an error thrown from onRequest would be a bare 500).
 */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    async onRequestParse({ request }) {
      if (request.method !== 'POST') return;
      const declared = Number(request.headers.get('content-length') ?? NaN);
      const tooLarge = Number.isFinite(declared) ? declared > maxBytes : await longerThan(request.clone(), maxBytes);
      if (tooLarge) {
        throw createGraphQLError(`Request body over ${maxBytes} bytes.`, { extensions: { code: 'PAYLOAD_TOO_LARGE', http: { status: 413 } } });
      }
    },
  };
}
