// Where the chart and the files it must agree with live (no cluster needed to import this).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const chartDir = join(repoRoot, 'charts/portcullis');
export const crdsDir = join(repoRoot, 'crds');
export const chartCrdsDir = join(chartDir, 'crds');
