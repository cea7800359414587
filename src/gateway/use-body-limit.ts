import type { Plugin } from 'graphql-yoga';

/**
 * Refuses request bodies over `maxBytes` with 413 before anything parses them: by the declared
 * Content-Length, or by reading a body that declares none (up to the limit plus one byte).
 */
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

export function useBodyLimit(maxBytes: number): Plugin {
  return {
    async onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== 'POST') return;
      const declared = Number(request.headers.get('content-length') ?? NaN);
      const tooLarge = Number.isFinite(declared) ? declared > maxBytes : await longerThan(request.clone(), maxBytes);
      if (!tooLarge) return;
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({ errors: [{ message: `Request body over ${maxBytes} bytes.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }),
          { status: 413, headers: { 'content-type': 'application/json' } },
        ),
      );
    },
  };
}
