import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterState } from '../cluster/layout.js';
import { isRunning, startDetached, stopLaunched, stopProcess, waitUntilHealthy, type Launched, type Started } from '../cluster/processes.js';
import { cniConfList } from './cni-config.js';
import { containerdConfig } from './containerd-config.js';
import { controllerManagerArgs, kubeletArgs, kubeletConfig, schedulerArgs } from './kubelet-config.js';
import { PAUSE_IMAGE, nodeLayout, type NodeLayout, type NodeNetwork } from './layout.js';
import { setUpNetwork, tearDownNetwork } from './network.js';
import { writeNodePki, type NodeKubeconfigs } from './pki.js';

export interface NodeOptions {
  /** Folder for the node's state (e.g. .cache/node). */
  readonly dir: string;
  /** The running control plane the node joins, and the folder of its certificates. */
  readonly cluster: ClusterState;
  readonly clusterPkiDir: string;
  readonly apiserverPort: number;
  /** Folder with kubelet, kube-controller-manager, kube-scheduler, containerd, ctr, runc (install-node-tools.sh). */
  readonly binDir: string;
  /** Folder of OCI layout tars from `make images`, imported into containerd's k8s.io namespace. */
  readonly imagesDir: string;
  readonly cniBinDir: string;
  readonly network: NodeNetwork;
  readonly startTimeoutMs: number;
  readonly now: () => Date;
  readonly log: (line: string) => void;
}

export interface NodeState {
  readonly nodeName: string;
  readonly network: NodeNetwork;
  readonly apiserverPort: number;
  readonly binDir: string;
  readonly containerdSocket: string;
  readonly images: readonly string[];
  readonly processes: readonly Started[];
}

export function readNodeState(dir: string): NodeState | undefined {
  const { stateFile } = nodeLayout(dir);
  return existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as NodeState) : undefined;
}

function kubectl(cluster: ClusterState, args: readonly string[]): string {
  return execFileSync(join(cluster.binDir, 'kubectl'), ['--kubeconfig', cluster.kubeconfig, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** True when the node reports Ready to the API server. */
export function nodeReady(cluster: ClusterState, nodeName: string): boolean {
  try {
    const out = kubectl(cluster, ['get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    return out.trim() === 'True';
  } catch {
    return false;
  }
}

/** True when every recorded process is alive and the node is Ready. */
export function nodeHealthy(dir: string, cluster: ClusterState): boolean {
  const state = readNodeState(dir);
  return state !== undefined && state.processes.every((p) => isRunning(p.pid, p.name)) && nodeReady(cluster, state.nodeName);
}

function ctr(binDir: string, socket: string, args: readonly string[]): string {
  return execFileSync(join(binDir, 'ctr'), ['--address', socket, '--namespace', 'k8s.io', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function writeConfigs(layout: NodeLayout, opts: NodeOptions): NodeKubeconfigs {
  for (const d of [layout.logDir, layout.cniConfDir, layout.cniDataDir, layout.kubeletRoot, layout.podLogsDir, layout.containerdRoot, layout.containerdState]) {
    mkdirSync(d, { recursive: true });
  }
  writeFileSync(layout.containerdConfig, containerdConfig(layout, { sandboxImage: PAUSE_IMAGE, cniBinDir: opts.cniBinDir }));
  writeFileSync(join(layout.cniConfDir, '10-portcullis-e2e.conflist'), cniConfList(layout, opts.network));
  writeFileSync(layout.kubeletConfig, kubeletConfig(layout, opts.network));
  return writeNodePki(opts.clusterPkiDir, layout, opts.network, opts.cluster.server, opts.now());
}

/**
 * Starts the node on the running control plane, or reuses it when it is healthy: the pods' network,
 * containerd (own root, state and socket), the images, then kube-controller-manager, kube-scheduler and
 * the kubelet, and waits until the node is Ready. A half-dead previous node is stopped and wiped first.
 */
export async function startNode(opts: NodeOptions): Promise<{ state: NodeState; reused: boolean }> {
  const layout = nodeLayout(opts.dir);
  if (nodeHealthy(opts.dir, opts.cluster)) {
    const state = readNodeState(opts.dir);
    if (state) return { state, reused: true };
  }
  await stopNode(opts.dir);
  const images = existsSync(opts.imagesDir) ? readdirSync(opts.imagesDir).filter((f) => f.endsWith('.tar')).sort() : [];
  if (!images.includes('pause.tar')) throw new Error(`e2e node: no pause image in ${opts.imagesDir}; run make images first`);
  const kubeconfigs = writeConfigs(layout, opts);
  opts.log(`network: bridge ${opts.network.bridge} ${opts.network.gatewayIp}, kubernetes Service to 127.0.0.1:${opts.apiserverPort}`);
  setUpNetwork(opts.network, opts.apiserverPort);

  const bin = (name: string): string => join(opts.binDir, name);
  const started: Launched[] = [];
  try {
    opts.log(`starting containerd (socket ${layout.containerdSocket})`);
    const containerd = startDetached('containerd', bin('containerd'), ['--config', layout.containerdConfig], join(layout.logDir, 'containerd.log'));
    started.push(containerd);
    await waitUntilHealthy(
      containerd,
      () => {
        try {
          ctr(opts.binDir, layout.containerdSocket, ['version']);
          return Promise.resolve(true);
        } catch {
          return Promise.resolve(false);
        }
      },
      opts.startTimeoutMs,
    );
    for (const image of images) {
      opts.log(`importing image ${image}`);
      ctr(opts.binDir, layout.containerdSocket, ['images', 'import', join(opts.imagesDir, image)]);
    }

    opts.log('starting kube-controller-manager and kube-scheduler');
    started.push(startDetached('kube-controller-manager', bin('kube-controller-manager'), controllerManagerArgs(opts.clusterPkiDir, kubeconfigs.controllerManager), join(layout.logDir, 'kube-controller-manager.log')));
    started.push(startDetached('kube-scheduler', bin('kube-scheduler'), schedulerArgs(kubeconfigs.scheduler), join(layout.logDir, 'kube-scheduler.log')));

    opts.log(`starting the kubelet as node ${opts.network.nodeName} (${opts.network.nodeIp}:${opts.network.kubeletPort})`);
    const kubelet = startDetached('kubelet', bin('kubelet'), kubeletArgs(layout, opts.network, kubeconfigs.kubelet), join(layout.logDir, 'kubelet.log'));
    started.push(kubelet);
    await waitUntilHealthy(kubelet, () => Promise.resolve(nodeReady(opts.cluster, opts.network.nodeName)), opts.startTimeoutMs);
    for (const p of started) {
      const status = p.exitStatus();
      if (status !== undefined) throw new Error(`${p.name} exited (${status}); see ${p.log}`);
    }

    const state: NodeState = {
      nodeName: opts.network.nodeName,
      network: opts.network,
      apiserverPort: opts.apiserverPort,
      binDir: opts.binDir,
      containerdSocket: layout.containerdSocket,
      images,
      processes: started.map(({ name, pid, log }) => ({ name, pid, log })),
    };
    writeFileSync(layout.stateFile, JSON.stringify(state, null, 2));
    opts.log(`node ${state.nodeName} Ready`);
    return { state, reused: false };
  } catch (err) {
    for (const p of [...started].reverse()) await stopLaunched(p);
    throw err;
  }
}

/** Mount points under `dir` (the kubelet's volumes, containerd's snapshots), deepest first. */
function mountsUnder(dir: string): string[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${dir}/`));
  return [...new Set(mounts)].sort((a, b) => b.length - a.length);
}

/** Shim processes serving this containerd (found by its socket on their command line). */
function shimsOf(socket: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('containerd-shim-runc-v2') && argv.includes(socket)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * Stops the node recorded in `dir`: the kubelet first (so nothing restarts containers), every container
 * containerd runs for it, the controllers, containerd and its shims; then unmounts the kubelet's volumes
 * and removes the network. Logs stay; containerd's image store stays for the next start.
 */
export async function stopNode(dir: string): Promise<void> {
  const layout = nodeLayout(dir);
  const state = readNodeState(dir);
  const find = (name: string): Started | undefined => state?.processes.find((p) => p.name === name);
  const kubelet = find('kubelet');
  if (kubelet) await stopProcess(kubelet.pid, kubelet.name);
  const containerd = find('containerd');
  if (state && containerd && isRunning(containerd.pid, containerd.name)) {
    const ids = (() => {
      try {
        return ctr(state.binDir, state.containerdSocket, ['containers', 'ls', '-q']).split('\n').filter(Boolean);
      } catch {
        return [];
      }
    })();
    for (const id of ids) {
      for (const args of [['tasks', 'kill', '--signal', 'SIGKILL', id], ['tasks', 'delete', '--force', id], ['containers', 'delete', id]]) {
        try {
          ctr(state.binDir, state.containerdSocket, args);
        } catch {
          // already gone
        }
      }
    }
  }
  for (const name of ['kube-scheduler', 'kube-controller-manager', 'containerd']) {
    const p = find(name);
    if (p) await stopProcess(p.pid, p.name);
  }
  for (const pid of shimsOf(layout.containerdSocket)) await stopProcess(pid, 'containerd-shim-runc-v2', 2000);
  for (const mount of mountsUnder(dir)) {
    try {
      execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
    } catch {
      // already unmounted with its parent
    }
  }
  if (state) tearDownNetwork(state.network, state.apiserverPort);
  rmSync(layout.stateFile, { force: true });
  // The kubelet's pod folders hold the last run's volumes; start clean, but never delete through a mount.
  if (mountsUnder(dir).length === 0) rmSync(layout.kubeletRoot, { recursive: true, force: true });
}
