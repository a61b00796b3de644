import type { KubeConfig } from '@kubernetes/client-node';

/** Everything the CLI does outside itself; main.ts gives the real ones, tests give their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => Promise<string>;
  /** The lines of a file, or of standard input for `-`. */
  readonly lines: (path: string) => AsyncIterable<string> | Iterable<string>;
  /** The kubeconfig (KUBECONFIG or ~/.kube/config, `--context`), loaded only when pods are read. */
  readonly kubeConfig: (context: string | undefined) => KubeConfig;
}
