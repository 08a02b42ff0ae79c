import { selfSignedCertificate } from '@moat/tls';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { CsmConfig } from '../csm-config.js';
import { writeFileAtomically } from '../util/atomic-file.js';

export interface HttpsCertificate {
  key: string;
  cert: string;
  /** Where the certificate is, for clients that pin it (the ready line names it). */
  certFile: string;
  /** True when this start generated it. */
  created: boolean;
}

/**
 * The certificate the console and API are served with: MOAT_TLS_CERT/MOAT_TLS_KEY, else `<data>/tls/{cert,key}.pem`,
 * generated self-signed at first start (for localhost, 127.0.0.1, ::1, this host's name, MOAT_HTTP_HOST and MOAT_GRPC_HOST; key
 * 0600). Undefined when MOAT_HTTP_TLS=off. An administrator installs a real certificate by setting the two
 * variables, or by replacing the two files and restarting.
 */
export async function loadHttpsCertificate(config: CsmConfig): Promise<HttpsCertificate | undefined> {
  const tls = config.httpTls;
  if (!tls) return undefined;
  try {
    return { key: await readFile(tls.keyFile, 'utf8'), cert: await readFile(tls.certFile, 'utf8'), certFile: tls.certFile, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !tls.generate) throw new Error(`cannot read the HTTPS certificate or key (${tls.certFile}, ${tls.keyFile}): ${(err as Error).message}`, { cause: err });
  }
  const names = ['localhost', '127.0.0.1', '::1', hostname(), ...[config.httpHost, config.grpcHost].filter((host) => host !== '0.0.0.0' && host !== '::')];
  const generated = await selfSignedCertificate(hostname(), names);
  // Key first: a crash in between leaves no certificate, and the next start generates a new pair.
  await writeFileAtomically(tls.keyFile, generated.key, 0o600);
  await writeFileAtomically(tls.certFile, generated.cert, 0o644);
  return { ...generated, certFile: tls.certFile, created: true };
}
