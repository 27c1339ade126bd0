import { z } from 'zod';
import { event, invoke } from './define';

/** One open tunnel (or listener of tunnels) through an EC2 Instance Connect Endpoint. */
export const TunnelInfo = z.object({
  tunnelId: z.string(),
  /** What it serves: an SSH tab, an RDP listener, or a port forward. */
  kind: z.enum(['ssh', 'rdp', 'forward']),
  /** The host's label, as the person named it (or the instance's Name tag). */
  label: z.string(),
  hostId: z.string().optional(),
  target: z.object({
    instanceId: z.string().optional(),
    privateIp: z.string(),
    port: z.number().int(),
  }),
  endpoint: z.object({
    endpointId: z.string(),
    dnsName: z.string().optional(),
  }),
  /** Where local programs connect, for listeners (RDP, forwards); absent for SSH tabs, which use the stream directly. */
  local: z.object({ address: z.string(), port: z.number().int() }).optional(),
  /** Bytes sent to the instance and received from it, over every connection so far. */
  bytesToInstance: z.number().nonnegative(),
  bytesFromInstance: z.number().nonnegative(),
  connections: z.object({
    /** WebSocket tunnels open right now: each counts against the endpoint's 20. */
    active: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    /** The listener's cap, when it has one. */
    max: z.number().int().positive().optional(),
  }),
  openedAt: z.string(),
  /** When the earliest open connection reaches its maximum duration (one hour, or the IAM cap). */
  expiresAt: z.string().optional(),
  /**
   * Seconds each connection may last when an IAM policy (ec2-instance-connect:maxTunnelDuration)
   * allows less than the hour Bastionless asks for; absent when connections get the full hour.
   */
  durationCapSeconds: z.number().int().positive().optional(),
  /** For idle listeners: when it closes unless a client connects again. */
  idleClosesAt: z.string().optional(),
});
export type TunnelInfo = z.infer<typeof TunnelInfo>;

export const TunnelList = z.object({ tunnels: z.array(TunnelInfo) });
export type TunnelList = z.infer<typeof TunnelList>;

export const tunnels = {
  /** Resolves with every open tunnel: SSH sessions, RDP listeners, port forwards. Fails only with INVALID_INPUT. */
  list: invoke(z.strictObject({}), TunnelList),
  /**
   * Closes a tunnel and every connection on it (its local port stops listening). Resolves with
   * null, also when it had already closed. Fails with INVALID_INPUT.
   */
  stop: invoke(z.strictObject({ tunnelId: z.string().min(1).max(200) }), z.null()),
  /** The list changed: a tunnel opened or closed, or its counters moved (at most about once a second). */
  changed: event(TunnelList),
};
