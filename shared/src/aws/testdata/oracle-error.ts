/** Test oracle: the error the oracle expects, carrying the code the re-signer must fail with. */
export function oracleError(code: string, message: string): Error & { readonly code: string } {
  return Object.assign(new Error(message), { code });
}
