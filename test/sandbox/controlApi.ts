/**
 * The sandbox's control API: how tests that run the app in another process steer the
 * sandbox. HTTP on 127.0.0.1; every path starts with a random token (the `controlUrl` is
 * `http://127.0.0.1:<port>/<token>`), so no other local process can drive it. Bodies and
 * answers are JSON; a bad body gets 400 `{error}`, an unknown id 404 `{error}`.
 *
 *   GET  {controlUrl}/state                           instances, endpoints, tunnels, faults, zones
 *   GET  {controlUrl}/events?since=N                  recorded API calls and tunnels (CloudTrail-like)
 *   GET  {controlUrl}/instances/{id}/pushed-keys      keys pushed with SendSSHPublicKey, still valid
 *   POST {controlUrl}/faults                          {apiDelayMs?, throttle?, regionErrors?, refuseUpgrades?,
 *                                                      dropTunnelAfterBytes?, unreachableTargetDelayMs?,
 *                                                      failNextEndpointCreate?, maxTunnelDurationSeconds?} -> all knobs
 *   POST {controlUrl}/faults/reset                    every knob off
 *   POST {controlUrl}/tunnels/drop                    {instanceId?, endpointId?, mode?: 'reset'|'close'} -> {dropped}
 *   POST {controlUrl}/instances/{id}/regenerate-host-key  -> {hostKeyFingerprint}
 *   POST {controlUrl}/instances/{id}/state            {state: 'running'|'stopped'} -> instance
 *   POST {controlUrl}/passwords                       {instanceId?, availableInSeconds: 0} -> {instances}
 *   POST {controlUrl}/endpoints/{id}/state            {state, message?}
 *   POST {controlUrl}/transitions/complete            finish pending endpoint/instance transitions now
 *   POST {controlUrl}/zones/{region}/{zone}/state     {state: 'available'|'impaired'|..., message?}
 *   POST {controlUrl}/sessions/expire                 expire temporary credentials and SSO tokens
 *   POST {controlUrl}/sso/approve                     {userCode?} -> {approved: [...]}
 *
 * `{id}` is an instance id or its Name tag.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';
import type { SandboxWorld } from './sandboxWorld';

const Faults = z.strictObject({
  apiDelayMs: z.number().int().min(0).max(120_000).optional(),
  throttle: z.strictObject({ actions: z.array(z.string()).min(1), remaining: z.number().int().min(1).nullable().default(null) }).nullable().optional(),
  regionErrors: z.record(z.string(), z.strictObject({ code: z.string(), message: z.string(), status: z.number().int().min(400).max(599) })).optional(),
  refuseUpgrades: z.strictObject({ status: z.number().int().min(400).max(599), errorCode: z.string(), message: z.string() }).nullable().optional(),
  dropTunnelAfterBytes: z.number().int().min(0).nullable().optional(),
  unreachableTargetDelayMs: z.number().int().min(0).max(120_000).optional(),
  failNextEndpointCreate: z.string().nullable().optional(),
  maxTunnelDurationSeconds: z.number().int().min(1).max(3600).nullable().optional(),
});
const EndpointStateName = z.enum(['create-in-progress', 'create-complete', 'create-failed', 'delete-in-progress', 'delete-complete', 'delete-failed', 'update-in-progress', 'update-complete', 'update-failed']);

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new HttpError(413, 'Body too large.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The body is not valid JSON.');
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return result.data;
}

function notFound(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (error) {
    throw new HttpError(404, error instanceof Error ? error.message : String(error));
  }
}

/** Starts the control API for `world`; see the file header for the routes. */
export async function startControlApi(world: SandboxWorld): Promise<{ url: string; close(): Promise<void> }> {
  const token = randomBytes(18).toString('base64url');
  const sockets = new Set<Socket>();
  const route = async (method: string, parts: string[], query: URLSearchParams, req: IncomingMessage): Promise<unknown> => {
    const path = parts.join('/');
    if (method === 'GET' && path === 'state') {
      return { instances: world.instances(), endpoints: world.endpoints(), tunnels: world.tunnels(), faults: world.faults, zones: [...world.model.regions.values()].map((r) => ({ region: r.name, optInStatus: r.optInStatus, zones: r.zones })) };
    }
    if (method === 'GET' && path === 'events') return world.events(Number(query.get('since') ?? 0) || 0);
    if (method === 'GET' && parts[0] === 'instances' && parts[2] === 'pushed-keys' && parts.length === 3) return notFound(() => world.pushedKeys(parts[1]!));
    if (method !== 'POST') throw new HttpError(404, `No route ${method} /${path}`);
    const body = await readJson(req);
    if (path === 'faults') return world.setFaults(parse(Faults, body) as Parameters<SandboxWorld['setFaults']>[0]);
    if (path === 'faults/reset') return world.resetFaults();
    if (path === 'tunnels/drop') {
      const input = parse(z.strictObject({ instanceId: z.string().optional(), endpointId: z.string().optional(), mode: z.enum(['reset', 'close']).default('reset') }), body);
      return { dropped: world.dropTunnels({ ...(input.instanceId ? { instanceId: input.instanceId } : {}), ...(input.endpointId ? { endpointId: input.endpointId } : {}) }, input.mode) };
    }
    if (parts[0] === 'instances' && parts.length === 3 && parts[2] === 'regenerate-host-key') {
      try {
        return { hostKeyFingerprint: await world.regenerateHostKey(parts[1]!) };
      } catch (error) {
        throw new HttpError(/No instance/.test(String(error)) ? 404 : 409, error instanceof Error ? error.message : String(error));
      }
    }
    if (parts[0] === 'instances' && parts.length === 3 && parts[2] === 'state') {
      const input = parse(z.strictObject({ state: z.enum(['running', 'stopped']) }), body);
      notFound(() => world.instance(parts[1]!));
      return world.setInstanceState(parts[1]!, input.state);
    }
    if (path === 'passwords') {
      const input = parse(z.strictObject({ instanceId: z.string().optional(), availableInSeconds: z.number().min(0).max(86_400).default(0) }), body);
      return { instances: notFound(() => world.setPasswordAvailableIn(input.availableInSeconds, input.instanceId)) };
    }
    if (parts[0] === 'endpoints' && parts.length === 3 && parts[2] === 'state') {
      const input = parse(z.strictObject({ state: EndpointStateName, message: z.string().default('') }), body);
      notFound(() => world.setEndpointState(parts[1]!, input.state, input.message));
      return { ok: true };
    }
    if (path === 'transitions/complete') {
      world.completeTransitions();
      return { ok: true };
    }
    if (parts[0] === 'zones' && parts.length === 4 && parts[3] === 'state') {
      const input = parse(z.strictObject({ state: z.enum(['available', 'information', 'impaired', 'unavailable']), message: z.string().optional() }), body);
      notFound(() => world.setZoneState(parts[1]!, parts[2]!, input.state, input.message));
      return { ok: true };
    }
    if (path === 'sessions/expire') return world.expireSessions();
    if (path === 'sso/approve') {
      const input = parse(z.strictObject({ userCode: z.string().optional() }), body);
      return { approved: world.approveSsoDevices(input.userCode) };
    }
    throw new HttpError(404, `No route POST /${path}`);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      let status = 200;
      let payload: unknown;
      try {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
        const given = Buffer.from(parts.shift() ?? '');
        const expected = Buffer.from(token);
        // The token guards every route; compare in constant time.
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new HttpError(404, 'Not found.');
        payload = await route(req.method ?? 'GET', parts, url.searchParams, req);
      } catch (error) {
        status = error instanceof HttpError ? error.status : 500;
        payload = { error: error instanceof Error ? error.message : String(error) };
      }
      const body = JSON.stringify(payload ?? null);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
