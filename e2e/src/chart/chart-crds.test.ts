// The chart ships copies of crds/*.yaml (Helm installs CRDs only from the chart's own crds/ folder).
// crds/ is the source of truth (docs/adr/0002); these tests fail as soon as a copy drifts.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { chartCrdsDir, crdsDir } from './paths.js';

const FIX = 'cp crds/*.yaml charts/portcullis/crds/';
const yamlFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('charts/portcullis/crds', () => {
  it('holds exactly the CRD files of crds/', () => {
    expect({ files: yamlFiles(chartCrdsDir), fix: FIX }).toEqual({ files: yamlFiles(crdsDir), fix: FIX });
  });

  it.each(yamlFiles(crdsDir))('%s is byte-identical to the copy in crds/', (file) => {
    const source = readFileSync(join(crdsDir, file), 'utf8');
    const copy = readFileSync(join(chartCrdsDir, file), 'utf8');
    // Compared as text with the fix in the message: a drifted copy is fixed by copying, never by hand.
    expect({ identical: copy === source, fix: FIX }).toEqual({ identical: true, fix: FIX });
  });
});
