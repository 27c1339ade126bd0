const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';
// Both markers, with or without the ESC: a clipboard that carries them could end the bracket early
// and have the rest run as typed commands.
// eslint-disable-next-line no-control-regex -- ESC is exactly what this looks for.
const MARKERS = /\x1b?\[20[01]~/g;

/**
 * Makes clipboard text ready to send to a shell, as a terminal does when you paste: line breaks
 * become carriage returns (what the Enter key sends), and in bracketed-paste mode the text is
 * wrapped so the shell treats it as one paste rather than typed commands.
 */
export function preparePaste(text: string, bracketed: boolean): string {
  const lines = text.replace(/\r?\n/g, '\r');
  return bracketed ? `${PASTE_START}${lines.replace(MARKERS, '')}${PASTE_END}` : lines;
}
