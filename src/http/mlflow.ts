// Serves a node:http request with the MLflow front door, reading the body under the server's byte
// limit first: MLflow parses JSON bodies on DELETE, and on GET without a query string, so every
// method gets the same limit.
import type http from 'node:http';
import type { MlflowHandler, MlflowResponse } from '../mlflow/handler.ts';

export async function serveMlflow(req: http.IncomingMessage, res: http.ServerResponse, handler: MlflowHandler, maxBodyBytes: number) {
  const response = await answer(req, handler, maxBodyBytes);
  // 'finish': the answer is with the operating system. A connection closed before that ('close'
  // without it) lost the answer, and the client's resend must find the create's key.
  if (response.delivered) res.once('finish', () => void response.delivered?.());
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(response.body);
}

async function answer(req: http.IncomingMessage, handler: MlflowHandler, maxBodyBytes: number): Promise<MlflowResponse> {
  if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) return refuse(req, handler, maxBodyBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) return refuse(req, handler, maxBodyBytes);
    chunks.push(chunk);
  }
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return handler.serve({
    method: req.method ?? 'GET',
    url: new URL(req.url ?? '/', 'http://localhost'),
    headers,
    body: Buffer.concat(chunks).toString('utf8'),
  });
}

function refuse(req: http.IncomingMessage, handler: MlflowHandler, maxBodyBytes: number): MlflowResponse {
  // The rest of the body is not read; the connection cannot be reused for another request.
  req.resume();
  const response = handler.tooLarge(maxBodyBytes);
  return { ...response, headers: { ...response.headers, connection: 'close' } };
}
