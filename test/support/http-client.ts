/** A tiny JSON-over-HTTP client for e2e specs (Node's fetch), keeping the status, the envelope and cookies. */
export interface HttpAnswer<T = unknown> {
  status: number;
  body: { code: number; msg: string; data: T };
  headers: Headers;
}

export class HttpClient {
  constructor(
    readonly baseUrl: string,
    public token?: string,
  ) {}

  async post<T = unknown>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    const type: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    return this.request<T>('POST', path, body === undefined ? undefined : JSON.stringify(body), {
      ...type,
      ...headers,
    });
  }

  async request<T = unknown>(
    method: string,
    path: string,
    rawBody?: string,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...headers },
      body: rawBody,
    });
    const text = await res.text();
    let parsed: HttpAnswer<T>['body'];
    try {
      parsed = JSON.parse(text) as HttpAnswer<T>['body'];
    } catch {
      parsed = { code: -1, msg: `not JSON: ${text.slice(0, 200)}`, data: undefined as T };
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  as(token: string | undefined): HttpClient {
    return new HttpClient(this.baseUrl, token);
  }
}
