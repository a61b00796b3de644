// Stops the control plane the global setup started; one that was already running (or PORTCULLIS_KEEP_CLUSTER=1) stays.
import { stopControlPlane } from '../cluster/control-plane.js';

export default async function globalTeardown(): Promise<void> {
  const dir = process.env.PORTCULLIS_E2E_CLUSTER_DIR;
  if (dir && process.env.PORTCULLIS_E2E_STOP_CLUSTER === '1') await stopControlPlane(dir);
}
