import ssh2 from 'ssh2';

type KeyPairOptions = NonNullable<Parameters<typeof ssh2.utils.generateKeyPairSync<'ed25519'>>[1]>;
type KeyPairReturn = ReturnType<typeof ssh2.utils.generateKeyPairSync>;

/**
 * `ssh2.utils.generateKeyPairSync('ed25519', options)`, minus its one-in-256 broken keys: ssh2
 * drops a leading zero byte of the public key (mscdex/ssh2#1390), and its own parser then
 * refuses the key. Tests that used it directly failed at random; this keeps generating until
 * the public key has its 32 bytes (the public blob: 4 + 11 "ssh-ed25519" + 4 + 32 = 51 bytes).
 * The app writes its keys itself (main/ssh/ephemeralKey.ts).
 */
export function ed25519KeyPair(options: KeyPairOptions = {}): KeyPairReturn {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', options);
    if (Buffer.from(pair.public.split(' ')[1] ?? '', 'base64').length === 51) return pair;
  }
}
