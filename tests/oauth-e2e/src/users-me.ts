/** `GET /v2/users/me` with a Bearer access token: the status, challenge and JSON body. */
export async function usersMe(
  issuer: string,
  accessToken: string,
): Promise<{ readonly status: number; readonly challenge: string | null; readonly body: unknown }> {
  const response = await fetch(`${issuer}/v2/users/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body };
}
