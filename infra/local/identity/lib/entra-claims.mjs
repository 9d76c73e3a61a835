// How Microsoft Entra ID shapes what it issues: scopes → aud/scp/roles, stable per-user ids,
// client_info, and its error bodies. Pure functions, no state.
import { createHash, randomUUID } from 'node:crypto';

export const OUTLOOK_RESOURCE = 'https://outlook.office.com';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

// What a ".default" request yields, as if an admin had consented to these for the test app.
const DEFAULT_DELEGATED = {
  [OUTLOOK_RESOURCE]: ['IMAP.AccessAsUser.All', 'POP.AccessAsUser.All', 'SMTP.Send'],
  [GRAPH_RESOURCE]: ['User.Read'],
};
const DEFAULT_APP_ROLES = {
  [OUTLOOK_RESOURCE]: ['IMAP.AccessAsApp', 'POP.AccessAsApp', 'SMTP.SendAsApp'],
  // Exchange Online answers to both identifier URIs; Microsoft documents outlook.office365.com/.default for app-only.
  'https://outlook.office365.com': ['IMAP.AccessAsApp', 'POP.AccessAsApp', 'SMTP.SendAsApp'],
  [GRAPH_RESOURCE]: ['Mail.Send'],
};

function splitScopes(scopes) {
  if (Array.isArray(scopes)) return scopes.flatMap(splitScopes);
  return String(scopes ?? '').split(/\s+/).filter(Boolean);
}

/**
 * Entra grants one resource per token: "https://outlook.office.com/SMTP.Send" gives aud
 * https://outlook.office.com and scp "SMTP.Send"; bare names belong to Microsoft Graph.
 */
export function resolveScopes(scopes, { appOnly = false, aud } = {}) {
  const requested = splitScopes(scopes);
  const oidc = requested.filter((s) => OIDC_SCOPES.has(s));
  const parsed = requested.filter((s) => !OIDC_SCOPES.has(s)).map((s) => {
    const match = /^(https?:\/\/[^/]+)\/(.+)$/.exec(s);
    return match ? { resource: match[1], name: match[2] } : { resource: GRAPH_RESOURCE, name: s };
  });
  const resource = parsed[0]?.resource ?? OUTLOOK_RESOURCE;
  const names = [];
  for (const { resource: r, name } of parsed) {
    if (r !== resource) continue;
    const expanded = name === '.default'
      ? (appOnly ? DEFAULT_APP_ROLES : DEFAULT_DELEGATED)[resource] ?? []
      : [name];
    for (const n of expanded) if (!names.includes(n)) names.push(n);
  }
  if (parsed.length === 0 && !appOnly) names.push(...DEFAULT_DELEGATED[OUTLOOK_RESOURCE]);
  return {
    aud: aud ?? (resource === GRAPH_RESOURCE ? GRAPH_APP_ID : resource),
    names,
    // What the token response's "scope" lists: the granted resource scopes, prefixed.
    granted: names.map((n) => (resource === GRAPH_RESOURCE ? n : `${resource}/${n}`)).join(' '),
    oidc,
  };
}

function guidFrom(text) {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The user's object id: stable across restarts, like a real directory object. */
export const objectIdOf = (user) => guidFrom(`user:${user.toLowerCase()}`);
export const servicePrincipalIdOf = (clientId) => guidFrom(`app:${clientId}`);
/** Entra's sub is pairwise: one value per user and application. */
export const subjectOf = (user, clientId) =>
  createHash('sha256').update(`${user.toLowerCase()}|${clientId}`).digest('base64url').slice(0, 43);

export function displayNameOf(user) {
  const local = user.split('@')[0];
  return local.charAt(0).toUpperCase() + local.slice(1);
}

export function clientInfo(user, tenantId) {
  return Buffer.from(JSON.stringify({ uid: objectIdOf(user), utid: tenantId })).toString('base64url');
}

export function delegatedClaims({ user, clientId, tenantId, scp }) {
  return {
    aud: scp.aud,
    tid: tenantId,
    oid: objectIdOf(user),
    sub: subjectOf(user, clientId),
    upn: user,
    unique_name: user,
    preferred_username: user,
    email: user,
    name: displayNameOf(user),
    scp: scp.names.join(' '),
    appid: clientId,
    appidacr: '1',
    idtyp: 'user',
    amr: ['pwd'],
    ipaddr: '127.0.0.1',
    uti: randomUUID().replaceAll('-', '').slice(0, 22),
  };
}

export function applicationClaims({ clientId, tenantId, scp }) {
  const oid = servicePrincipalIdOf(clientId);
  return {
    aud: scp.aud,
    tid: tenantId,
    oid,
    sub: oid,
    roles: scp.names,
    appid: clientId,
    appidacr: '1',
    idtyp: 'app',
    uti: randomUUID().replaceAll('-', '').slice(0, 22),
  };
}

export function idTokenClaims({ user, clientId, tenantId }) {
  return {
    aud: clientId,
    tid: tenantId,
    oid: objectIdOf(user),
    sub: subjectOf(user, clientId),
    preferred_username: user,
    email: user,
    name: displayNameOf(user),
    ver: '2.0',
  };
}

const DEFAULT_ERRORS = {
  invalid_grant: [700082, 'The refresh token has expired due to inactivity. The token was issued on 2026-01-01T00:00:00.0000000Z and was inactive for 90.00:00:00.'],
  invalid_client: [7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.'],
  interaction_required: [50076, 'Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.'],
  invalid_request: [900144, 'The request body must contain the following parameter: \'grant_type\'.'],
  temporarily_unavailable: [90033, 'A transient error has occurred. Please try again.'],
  invalid_scope: [70011, 'The provided request must include a \'scope\' input parameter.'],
  unauthorized_client: [700016, 'Application with identifier was not found in the directory.'],
};

export function defaultErrorFor(status) {
  if (status === 401) return 'invalid_client';
  if (status === 429 || status >= 500) return 'temporarily_unavailable';
  return 'invalid_grant';
}

/** An error body the way Entra's token endpoint writes it. */
export function entraError({ error, code, description, suberror, issuer }) {
  const [defaultCode, defaultDescription] = DEFAULT_ERRORS[error] ?? [90000, 'The request failed.'];
  const errorCode = Number(code ?? defaultCode);
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const now = new Date();
  const timestamp = now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const body = {
    error,
    error_description: `AADSTS${errorCode}: ${description ?? defaultDescription} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [errorCode],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${issuer.replace(/\/[^/]+\/v2\.0$/, '')}/error?code=${errorCode}`,
  };
  if (suberror) body.suberror = suberror;
  return body;
}
