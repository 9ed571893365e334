/** `path` (with its query) under `baseUrl`, keeping a path prefix the base has (`http://lb/stt` → `http://lb/stt/v1/listen`). */
export function apiUrl(baseUrl: string, path: string): URL {
  const url = new URL(baseUrl);
  const queryAt = path.indexOf('?');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${queryAt === -1 ? path : path.slice(0, queryAt)}`;
  url.search = queryAt === -1 ? '' : path.slice(queryAt);
  return url;
}
