/** Code-unit order: the same on every machine and locale, so suggestions and reports are reproducible. */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
