/**
 * `.rdp` connection files for mstsc and Windows App / Microsoft Remote Desktop. The settings
 * are those documented for Remote Desktop Services' supported RDP file properties; the file
 * never carries a password (mstsc's `password 51:b:` is DPAPI-bound and unsupported on macOS).
 */
export interface RdpFileOptions {
  address: string;
  port: number;
  username: string;
  /**
   * True when the client already holds the credential (mstsc with cmdkey): no prompt.
   * False: the client asks for the password (macOS clients, or no password retrieved).
   */
  credentialStaged: boolean;
}

export function buildRdpFile(options: RdpFileOptions): string {
  for (const [name, value] of [
    ['address', options.address],
    ['username', options.username],
  ] as const) {
    // One property per line: a line break in a value would inject settings.
    if (/[\r\n\0]/.test(value)) throw new Error(`the ${name} for a .rdp file has a line break`);
  }
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new Error('the .rdp port is out of range');
  const lines = [
    `full address:s:${options.address}:${options.port}`,
    `username:s:${options.username}`,
    // Windowed, resizable: the client follows the window size.
    'screen mode id:i:1',
    'smart sizing:i:1',
    'dynamic resolution:i:1',
    `prompt for credentials:i:${options.credentialStaged ? 0 : 1}`,
    'promptcredentialonce:i:1',
    // NLA (CredSSP) like the Windows default; the server certificate is self-signed and cannot
    // name 127.0.0.1, so the client warns and lets the person decide (level 2) rather than refuse.
    'enablecredsspsupport:i:1',
    'authentication level:i:2',
    'negotiate security layer:i:1',
    // A dropped TCP connection reconnects through the listener, which opens a fresh tunnel.
    'autoreconnection enabled:i:1',
    'redirectclipboard:i:1',
    'audiomode:i:0',
    'gatewayusagemethod:i:0',
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** mstsc reads UTF-16LE with a byte-order mark reliably for any user name; macOS clients read UTF-8. */
export function encodeRdpFile(text: string, encoding: 'utf16le' | 'utf8'): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** A file name from a host label: letters, digits, dot, dash and underscore only. */
export function rdpFileName(label: string): string {
  const safe = label.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 60);
  return `${safe || 'windows-host'}.rdp`;
}
