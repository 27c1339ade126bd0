/**
 * Password, keyboard-interactive and two-factor logins answered in the tab. The test sshd is
 * configured for keys only (as AMIs are), so these run against ssh2's own SSH server on a
 * loopback port: a real SSH peer that can ask for exactly what each case needs.
 */
import { connect, type AddressInfo } from 'node:net';
import { Server, utils, type AuthContext, type Connection } from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../preload/contract';
import { algorithmsFor } from '../../../main/ssh/algorithms';
import { SshConnection, type AuthPrompts, type ConnectionAuth } from '../../../main/ssh/sshConnection';
import { memoryLogger } from '../../support/fakes';
import { ed25519KeyPair } from '../../support/sshKeys';

const hostKey = ed25519KeyPair().private;

type Authorize = (ctx: AuthContext, connection: Connection) => void;

/** An ssh2 server on 127.0.0.1:0 that authenticates with `authorize` and then accepts shells. */
async function startServer(authorize: Authorize): Promise<{ port: number; stop: () => Promise<void>; methods: string[] }> {
  const methods: string[] = [];
  const connections = new Set<Connection>();
  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    connections.add(client);
    client.on('authentication', (ctx) => {
      methods.push(ctx.method);
      authorize(ctx, client);
    });
    client.on('session', (accept) => {
      const session = accept();
      session.on('pty', (ok) => ok?.());
      session.on('shell', (ok) => {
        const channel = ok();
        channel.write('welcome\r\n');
      });
    });
    client.on('error', () => undefined);
    client.on('close', () => connections.delete(client));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    methods,
    stop: async () => {
      for (const c of connections) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Prompts answered from lists, recording what was asked. */
class ScriptedPrompts implements AuthPrompts {
  readonly asked: string[] = [];
  constructor(
    private readonly passwords: (string | AppError)[] = [],
    private readonly answers: (string[] | AppError)[] = [],
  ) {}
  async password(username: string, attempt: number): Promise<string> {
    this.asked.push(`password ${username} #${attempt}`);
    const next = this.passwords.shift();
    if (next === undefined) throw new Error('no more passwords');
    if (next instanceof AppError) throw next;
    return next;
  }
  async keyboardInteractive(request: { name: string; instructions: string; prompts: { prompt: string; echo: boolean }[] }): Promise<string[]> {
    this.asked.push(`kbd ${request.prompts.map((p) => `${p.prompt}${p.echo ? '(echo)' : ''}`).join(',')}`);
    const next = this.answers.shift();
    if (next === undefined) throw new Error('no more answers');
    if (next instanceof AppError) throw next;
    return next;
  }
}

async function login(port: number, auth: ConnectionAuth, prompts: AuthPrompts, sock = connect(port, '127.0.0.1')): Promise<SshConnection> {
  await new Promise((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  return SshConnection.connect({
    sock,
    username: 'alice',
    auth,
    prompts,
    algorithms: algorithmsFor(),
    log: memoryLogger().log,
    verifyHostKey: async () => true,
  });
}

let stopServer: (() => Promise<void>) | undefined;
const opened: SshConnection[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) c.dispose();
  await stopServer?.();
  stopServer = undefined;
});

describe('interactive SSH logins', () => {
  it('asks for the password, again after a wrong one, and logs in', async () => {
    const server = await startServer((ctx) => {
      if (ctx.method === 'password' && ctx.password === 'right') return ctx.accept();
      ctx.reject(['password']);
    });
    stopServer = server.stop;
    const prompts = new ScriptedPrompts(['wrong', 'right']);
    const connection = await login(server.port, { kind: 'interactive' }, prompts);
    opened.push(connection);
    expect(connection.isReady).toBe(true);
    expect(prompts.asked).toEqual(['password alice #1', 'password alice #2']);
    // A `none` probe first, to learn what the server offers.
    expect(server.methods).toEqual(['none', 'password', 'password']);
  });

  it('uses a password kept in the keychain without asking, then asks if it is refused', async () => {
    const server = await startServer((ctx) => {
      if (ctx.method === 'password' && ctx.password === 'typed') return ctx.accept();
      ctx.reject(['password']);
    });
    stopServer = server.stop;
    const prompts = new ScriptedPrompts(['typed']);
    const connection = await login(server.port, { kind: 'interactive', savedPassword: 'stale' }, prompts);
    opened.push(connection);
    expect(prompts.asked).toEqual(['password alice #2']);
  });

  it('gives up after three wrong passwords with the login error, not a hang', async () => {
    const server = await startServer((ctx) => ctx.reject(['password']));
    stopServer = server.stop;
    const prompts = new ScriptedPrompts(['a', 'b', 'c', 'd']);
    await expect(login(server.port, { kind: 'interactive' }, prompts)).rejects.toMatchObject({ name: 'SshConnectError', level: 'client-authentication' });
    expect(prompts.asked).toHaveLength(3);
  });

  it('answers keyboard-interactive questions (echo flags kept) and prefers it over password', async () => {
    const server = await startServer((ctx) => {
      if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive', 'password']);
      ctx.prompt(
        [
          { prompt: 'Password: ', echo: false },
          { prompt: 'Favourite colour: ', echo: true },
        ],
        'Corp login',
        'Answer both',
        (answers) => (answers[0] === 'pw' && answers[1] === 'blue' ? ctx.accept() : ctx.reject()),
      );
    });
    stopServer = server.stop;
    const prompts = new ScriptedPrompts([], [['pw', 'blue']]);
    const connection = await login(server.port, { kind: 'interactive' }, prompts);
    opened.push(connection);
    expect(prompts.asked).toEqual(['kbd Password: ,Favourite colour: (echo)']);
  });

  it('asks for a second factor after the key when the server wants both', async () => {
    const key = ed25519KeyPair();
    const parsed = utils.parseKey(key.private);
    if (parsed instanceof Error || Array.isArray(parsed)) throw new Error('key');
    let keyOk = false;
    const server = await startServer((ctx) => {
      if (ctx.method === 'publickey') {
        keyOk = true;
        // Partial success: the key is right, now the code.
        return ctx.reject(['keyboard-interactive'], true);
      }
      if (ctx.method === 'keyboard-interactive' && keyOk) {
        return ctx.prompt([{ prompt: 'Verification code: ', echo: true }], (answers) => (answers[0] === '123456' ? ctx.accept() : ctx.reject()));
      }
      ctx.reject(['publickey']);
    });
    stopServer = server.stop;
    const prompts = new ScriptedPrompts([], [['123456']]);
    const connection = await login(server.port, { kind: 'publickey', key: parsed }, prompts);
    opened.push(connection);
    expect(server.methods).toEqual(['publickey', 'keyboard-interactive']);
    expect(prompts.asked).toEqual(['kbd Verification code: (echo)']);
  });

  it('stops with CANCELLED when the person cancels a question', async () => {
    const server = await startServer((ctx) => {
      if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
      ctx.prompt([{ prompt: 'Password: ', echo: false }], () => ctx.reject());
    });
    stopServer = server.stop;
    const prompts = new ScriptedPrompts([], [new AppError('CANCELLED', 'Login was cancelled.')]);
    await expect(login(server.port, { kind: 'interactive' }, prompts)).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('opens a PTY shell on the logged-in connection and ends the connection with its last shell', async () => {
    const server = await startServer((ctx) => (ctx.method === 'password' ? ctx.accept() : ctx.reject(['password'])));
    stopServer = server.stop;
    const connection = await login(server.port, { kind: 'interactive' }, new ScriptedPrompts(['x']));
    const chunks: Buffer[] = [];
    let sawWelcome!: () => void;
    const welcome = new Promise<void>((resolve) => (sawWelcome = resolve));
    const shell = await connection.openShell({ cols: 80, rows: 24 }, (frame) => {
      chunks.push(Buffer.from(frame));
      if (Buffer.concat(chunks).toString().includes('welcome')) sawWelcome();
    });
    await welcome;
    const ended = new Promise((resolve) => connection.onEnd(resolve));
    shell.close();
    expect(await ended).toMatchObject({ byUs: true });
    expect(connection.isReady).toBe(false);
  });

  it('says the connection was lost (not an internal error) when the stream ended just before the shell was asked for', async () => {
    const server = await startServer((ctx) => (ctx.method === 'password' ? ctx.accept() : ctx.reject(['password'])));
    stopServer = server.stop;
    const sock = connect(server.port, '127.0.0.1');
    const connection = await login(server.port, { kind: 'interactive' }, new ScriptedPrompts(['x']), sock);
    opened.push(connection);
    // The server's EOF has arrived but nobody has seen it yet: ssh2 refuses at once.
    sock.push(null);
    await expect(connection.openShell({ cols: 80, rows: 24 }, () => undefined)).rejects.toMatchObject({ code: 'SSH_CONNECTION_LOST', retryable: true });
  });
});
