// Console output for `make demo`: numbered steps, indented detail, colour only on a terminal.
const tty = process.stdout.isTTY === true;
const paint = (code: string, text: string): string => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);

let step = 0;

export function heading(text: string): void {
  step++;
  console.log(`\n${paint('1;36', `[${step}] ${text}`)}`);
}

export function detail(text: string): void {
  for (const line of text.split('\n')) console.log(`    ${line}`);
}

export function ok(text: string): void {
  console.log(`    ${paint('32', '✔')} ${text}`);
}

export function denied(text: string): void {
  console.log(`    ${paint('31', '✘')} ${text}`);
}

export function note(text: string): void {
  console.log(`    ${paint('2', text)}`);
}
