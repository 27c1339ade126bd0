import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTunnel, type TunnelTarget } from '../../main/eice/tunnel';
import { median, numberOption } from './support/options';
import { mbPerSecond, transfer, type Mode } from './support/throughput';

export const description = 'upload, download and echo through an EICE tunnel (client -> sandbox TLS tunnel server -> TCP target) vs direct TCP; prints MB/s and ratios';

interface RemoteSide {
  env: Record<string, string>;
  directPort: number;
  target: TunnelTarget;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Starts the sandbox and the target in a child process and reads its one JSON line. */
async function startRemoteSide(): Promise<{ info: RemoteSide; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'support', 'remoteSide.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const info = await new Promise<RemoteSide>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(text.slice(0, nl)) as RemoteSide);
    });
    child.once('close', (code) => reject(new Error(`the sandbox process exited (${code}) before it was ready`)));
  });
  return {
    info,
    stop: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function direct(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/** `npm run bench -- tunnel [--mb 200] [--runs 3]` */
export async function run(args: string[]): Promise<void> {
  const megabytes = numberOption(args, '--mb', 200);
  const runs = Math.round(numberOption(args, '--runs', 3));
  const total = Math.round(megabytes * 1e6);
  const remote = await startRemoteSide();
  try {
    const { env, directPort, target } = remote.info;
    const credentials = async (): Promise<{ accessKeyId: string; secretAccessKey: string }> => ({ accessKeyId: env['AWS_ACCESS_KEY_ID']!, secretAccessKey: env['AWS_SECRET_ACCESS_KEY']! });
    // Streams (SSH, the command line's stdio) send with a zero masking key; listeners (RDP,
    // port forwards) carry any local program's bytes and keep random keys (tunnel.ts ZERO_MASK).
    const viaTunnel = async (mode: Mode, bytes: number, zeroMask = true): Promise<number> => {
      const tunnel = await openTunnel(target, { credentials, env, zeroMask });
      try {
        return await transfer(tunnel, mode, bytes);
      } finally {
        tunnel.destroy();
        await tunnel.whenClosed;
      }
    };
    const viaTcp = async (mode: Mode, bytes: number): Promise<number> => {
      const socket = await direct(directPort);
      try {
        return await transfer(socket, mode, bytes);
      } finally {
        socket.destroy();
      }
    };
    // Warm both paths up (JIT, TLS session, buffers) before measuring.
    for (const mode of ['U', 'D', 'E'] as const) {
      await viaTcp(mode, 20e6);
      await viaTunnel(mode, 20e6);
    }
    await viaTunnel('U', 20e6, false);
    console.log(`Tunnel benchmark: ${megabytes} MB per transfer, median of ${runs} runs; MB = 10^6 bytes.`);
    console.log('Path: this process -> TLS WebSocket (sandbox openTunnel server, its own process) -> TCP target; direct = TCP to the same target.');
    console.log('');
    console.log(`${'transfer'.padEnd(10)}${'direct MB/s'.padStart(14)}${'tunnel MB/s'.padStart(14)}${'tunnel/direct'.padStart(16)}`);
    const rows: { name: string; mode: Mode; zeroMask: boolean }[] = [
      { name: 'upload', mode: 'U', zeroMask: true },
      { name: 'download', mode: 'D', zeroMask: true },
      { name: 'echo', mode: 'E', zeroMask: true },
      { name: 'upload*', mode: 'U', zeroMask: false },
    ];
    for (const { name, mode, zeroMask } of rows) {
      const d: number[] = [];
      const t: number[] = [];
      for (let i = 0; i < runs; i++) {
        d.push(await viaTcp(mode, total));
        t.push(await viaTunnel(mode, total, zeroMask));
      }
      const directRate = mbPerSecond(total, median(d));
      const tunnelRate = mbPerSecond(total, median(t));
      console.log(`${name.padEnd(10)}${directRate.toFixed(0).padStart(14)}${tunnelRate.toFixed(0).padStart(14)}${(tunnelRate / directRate).toFixed(3).padStart(16)}`);
    }
    console.log('');
    console.log('Echo moves the bytes both ways at once: its rate counts each byte once.');
    console.log('upload* is a listener\'s tunnel (RDP, port forwards): random masking keys, as its bytes may come from any local program.');
  } finally {
    await remote.stop();
  }
}
