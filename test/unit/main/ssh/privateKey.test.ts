import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../preload/contract';
import { parsePrivateKey } from '../../../../main/ssh/privateKey';
import { ed25519KeyPair } from '../../../support/sshKeys';

const plain = ed25519KeyPair();
const locked = ed25519KeyPair({ passphrase: 'correct horse', cipher: 'aes256-ctr', rounds: 4 });

function answers(...values: (string | AppError)[]) {
  const asked: (string | undefined)[] = [];
  const ask = async (retry: string | undefined): Promise<string> => {
    asked.push(retry);
    const next = values.shift();
    if (next === undefined) throw new Error('asked too often');
    if (next instanceof AppError) throw next;
    return next;
  };
  return { ask, asked };
}

describe('parsePrivateKey', () => {
  it('parses an unencrypted key without asking', async () => {
    const { ask, asked } = answers();
    const key = await parsePrivateKey(plain.private, 'k', ask);
    expect(key.type).toBe('ssh-ed25519');
    expect(asked).toEqual([]);
  });

  it('asks for the passphrase, and again (saying so) after a wrong one', async () => {
    const { ask, asked } = answers('wrong', 'correct horse');
    const key = await parsePrivateKey(locked.private, 'k', ask);
    expect(key.isPrivateKey()).toBe(true);
    expect(asked).toEqual([undefined, 'That passphrase did not unlock the key. Try again.']);
  });

  it('stops after three wrong passphrases with SSH_KEY_INVALID', async () => {
    const { ask } = answers('a', 'b', 'c');
    await expect(parsePrivateKey(locked.private, 'prod.pem', ask)).rejects.toMatchObject({ code: 'SSH_KEY_INVALID', message: 'The passphrase for prod.pem was wrong 3 times.' });
  });

  it('passes a cancelled prompt through', async () => {
    const { ask } = answers(new AppError('CANCELLED', 'Login was cancelled.'));
    await expect(parsePrivateKey(locked.private, 'k', ask)).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('refuses a public key and text that is no key', async () => {
    await expect(parsePrivateKey(plain.public, 'id.pub', answers().ask)).rejects.toMatchObject({ code: 'SSH_KEY_INVALID', message: 'id.pub is a public key, not a private key.' });
    await expect(parsePrivateKey('hello', 'notes.txt', answers().ask)).rejects.toMatchObject({ code: 'SSH_KEY_INVALID', message: 'notes.txt is not a private key Bastionless can use.' });
  });
});
