/**
 * Where a credential value will be put: `header` (Bearer, a named header, AWS keys and tokens) needs
 * visible ASCII; `text` (Basic, which is base64-encoded, or a query parameter, which is percent-encoded)
 * takes any Unicode text. Neither takes control characters: no real credential has one, and a CR or LF
 * in a header value would end the header.
 */
export type CredentialCharset = 'header' | 'text';

const NAMES: Readonly<Record<number, string>> = { 0: 'NUL', 9: 'TAB', 10: 'LF (a line break)', 13: 'CR (a line break)', 127: 'DEL' };

function controlName(code: number): string {
  return NAMES[code] ?? `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `value` cannot be sent as a credential, or undefined when it can. The reason names the kind of
 * character and its position, never the value.
 */
export function credentialValueProblem(value: string, charset: CredentialCharset): string | undefined {
  if (value === '') return 'it is empty';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
      return `it contains a control character (${controlName(code)}) at position ${i + 1} of ${value.length}`;
    }
    if (charset === 'header' && code > 0x7e) {
      return `it contains a non-ASCII character at position ${i + 1} of ${value.length}, which cannot be sent in an HTTP header`;
    }
  }
  return undefined;
}

/**
 * The value of a credential file as it is used: one trailing newline (LF or CRLF, what
 * `kubectl create secret --from-file` and editors leave) removed, nothing else changed.
 */
export function credentialFromFile(text: string): string {
  return text.replace(/\r?\n$/, '');
}
