// The public HTTP/JSON API of osh-gateway, and nothing else.
import { currentToken, signOut } from './auth';

// An API error as the gateway answers it: {"code", "message", "details"}, a
// bad field named by a google.rpc.BadRequest detail.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field: string | null,
    readonly code: number | null,
  ) {
    super(message);
  }
}

interface ErrorBody {
  code?: number;
  message?: string;
  details?: Array<{ '@type'?: string; fieldViolations?: Array<{ field?: string; description?: string }> }>;
}

export function errorFrom(status: number, body: ErrorBody | null): ApiError {
  let field: string | null = null;
  for (const detail of body?.details ?? []) {
    const violation = detail.fieldViolations?.[0];
    if (violation?.field) {
      field = violation.field;
      break;
    }
  }
  return new ApiError(status, body?.message || `HTTP ${status}`, field, body?.code ?? null);
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

// `body` goes as JSON; a `file` instead as the raw request body with its
// content type (google.api.HttpBody request routes: an import's CSV).
async function call<T>(method: string, path: string, body?: unknown, file?: { data: Blob; contentType: string }): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = currentToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (file) headers['content-type'] = file.contentType;
  else if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: file ? file.data : body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, (e as Error).message || 'network error', null, null);
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    // An expired or revoked token: back to the sign-in screen.
    if (response.status === 401 && token) signOut();
    throw errorFrom(response.status, json as ErrorBody | null);
  }
  return json as T;
}

// A file the API answers (google.api.HttpBody routes), as a Blob; errors as JSON.
export async function fetchFile(path: string, query?: Query): Promise<Blob> {
  const token = currentToken();
  const response = await fetch(withQuery(path, query), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as ErrorBody | null;
    throw errorFrom(response.status, body);
  }
  return response.blob();
}

export const api = {
  get: <T>(path: string, query?: Query) => call<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body: unknown) => call<T>('POST', path, body),
  upload: <T>(path: string, query: Query, file: Blob, contentType: string) =>
    call<T>('POST', withQuery(path, query), undefined, { data: file, contentType }),
};

// A client-chosen id that makes a retried write idempotent.
export function requestId(): string {
  return crypto.randomUUID();
}
