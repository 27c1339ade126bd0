import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A TCP target for throughput runs. Each connection starts with a 9-byte header: a mode byte
 * and a 64-bit big-endian byte count N.
 *   U (upload):   the target reads N bytes, then answers one byte 'K'.
 *   D (download): the target writes N bytes.
 *   E (echo):     the target writes back every byte it reads, N in all.
 * The header makes one target serve every mode, direct or through a tunnel.
 */
export type Mode = 'U' | 'D' | 'E';

const CHUNK = randomBytes(1024 * 1024);

export interface ThroughputTarget {
  port: number;
  stop(): Promise<void>;
}

export async function startThroughputTarget(): Promise<ThroughputTarget> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
    let header = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      header = Buffer.concat([header, chunk]);
      if (header.length < 9) return;
      socket.removeListener('data', onData);
      socket.pause();
      const mode = String.fromCharCode(header[0]!) as Mode;
      const total = Number(header.readBigUInt64BE(1));
      const rest = header.subarray(9);
      if (mode === 'U') {
        let got = rest.length;
        const done = (): void => {
          socket.write('K');
        };
        if (got >= total) done();
        else {
          socket.on('data', (c: Buffer) => {
            got += c.length;
            if (got >= total) done();
          });
          socket.resume();
        }
      } else if (mode === 'D') {
        void writeN(socket, total);
      } else {
        if (rest.length) socket.write(rest);
        socket.pipe(socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes N bytes from the shared chunk, honouring backpressure. */
async function writeN(stream: Duplex | Socket, total: number): Promise<void> {
  let left = total;
  while (left > 0) {
    const piece = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
    left -= piece.length;
    if (!stream.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stream.removeListener('drain', done);
          stream.removeListener('close', done);
          resolve();
        };
        stream.once('drain', done);
        stream.once('close', done);
      });
    }
  }
}

function header(mode: Mode, total: number): Buffer {
  const h = Buffer.alloc(9);
  h[0] = mode.charCodeAt(0);
  h.writeBigUInt64BE(BigInt(total), 1);
  return h;
}

/** Resolves once `count` bytes have been read from the stream. */
function readN(stream: Duplex | Socket, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const onData = (c: Buffer): void => {
      got += c.length;
      if (got >= count) {
        stream.removeListener('data', onData);
        stream.removeListener('close', onClose);
        resolve();
      }
    };
    const onClose = (): void => reject(new Error(`the stream closed after ${got} of ${count} bytes`));
    stream.on('data', onData);
    stream.once('close', onClose);
  });
}

/** Runs one transfer over an open stream to the target; resolves with the seconds it took. */
export async function transfer(stream: Duplex | Socket, mode: Mode, total: number): Promise<number> {
  const started = process.hrtime.bigint();
  stream.write(header(mode, total));
  if (mode === 'U') await Promise.all([writeN(stream, total), readN(stream, 1)]);
  else if (mode === 'D') await readN(stream, total);
  else await Promise.all([writeN(stream, total), readN(stream, total)]);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** MB/s with MB = 10^6 bytes. */
export function mbPerSecond(bytes: number, seconds: number): number {
  return bytes / 1e6 / seconds;
}
