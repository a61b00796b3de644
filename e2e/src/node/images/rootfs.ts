import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The absolute paths `ldd` resolves for `binary`: every shared library it loads, and the loader. */
export function parseLdd(output: string): string[] {
  const paths: string[] = [];
  for (const line of output.split('\n')) {
    const m = /=>\s+(\/\S+)\s+\(/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1] !== undefined) paths.push(m[1]);
  }
  return paths;
}

/** Copies one host file into `root` at the same path, with the directory's symlinks resolved. */
function copyHostFile(root: string, path: string, targetPath = path): void {
  const dir = realpathSync(dirname(path));
  const dest = join(root, targetPath === path ? join(dir, basename(path)) : targetPath);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(realpathSync(path), dest);
}

const PASSWD = 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n';
const GROUP = 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n';

/**
 * A base image's root file system assembled from this host, standing in for a registry image that cannot
 * be pulled here (distroless/cc, node:24-*): the runtime `binary` at `at` (omitted for the cc base, whose
 * images bring their own executable), the shared libraries it links (`ldd`), the merged-/usr symlinks the
 * library paths go through, CA certificates, a passwd/group with the distroless nonroot user (65532), its
 * home, and a world-writable /tmp.
 */
export function assembleBase(root: string, binary: string, at: string | undefined): void {
  mkdirSync(root, { recursive: true });
  for (const lib of parseLdd(execFileSync('ldd', [binary], { encoding: 'utf8' }))) copyHostFile(root, lib);
  for (const top of ['/lib', '/lib64', '/bin', '/sbin']) {
    if (existsSync(top) && lstatSync(top).isSymbolicLink() && !existsSync(join(root, top))) {
      symlinkSync(readlinkSync(top), join(root, top));
    }
  }
  if (at !== undefined) {
    mkdirSync(join(root, dirname(at)), { recursive: true });
    copyFileSync(realpathSync(binary), join(root, at));
    chmodSync(join(root, at), 0o755);
  }
  mkdirSync(join(root, 'etc/ssl/certs'), { recursive: true });
  if (existsSync('/etc/ssl/certs/ca-certificates.crt')) {
    copyFileSync('/etc/ssl/certs/ca-certificates.crt', join(root, 'etc/ssl/certs/ca-certificates.crt'));
  }
  writeFileSync(join(root, 'etc/passwd'), PASSWD);
  writeFileSync(join(root, 'etc/group'), GROUP);
  mkdirSync(join(root, 'home/nonroot'), { recursive: true });
  execFileSync('chown', ['65532:65532', join(root, 'home/nonroot')]);
  chmodSync(join(root, 'home/nonroot'), 0o700);
  mkdirSync(join(root, 'tmp'), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
}

/** `COPY src dest` into `root`: a directory's contents go into dest; symlinks stay symlinks. */
export function copyInto(root: string, hostSource: string, imageDest: string, filter?: (path: string) => boolean): void {
  const isDir = lstatSync(hostSource).isDirectory();
  const dest = join(root, !isDir && imageDest.endsWith('/') ? join(imageDest, basename(hostSource)) : imageDest);
  mkdirSync(isDir ? dest : dirname(dest), { recursive: true });
  cpSync(hostSource, dest, {
    recursive: true,
    verbatimSymlinks: true,
    ...(filter === undefined ? {} : { filter }),
  });
}
