import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from '../harness/free-ports.js';
import { Child } from '../csm/support/processes.js';

const run = promisify(execFile);

/** The directory every slapd of these tests serves. */
export const BASE_DN = 'dc=example,dc=test';
export const ROOT_DN = `cn=admin,${BASE_DN}`;
export const ROOT_PASSWORD = 'slapd-root-password-for-tests';

export interface Slapd {
  /** ldap:// (StartTLS offered when started with TLS). */
  url: string;
  /** ldaps:// and the PEM certificate the server presents (self-signed for 127.0.0.1), when started with TLS. */
  tls?: { ldapsUrl: string; certificate: string };
  /** Applies LDIF changes (ldapmodify as the root DN): add, modify, delete records. */
  modify(ldif: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real OpenLDAP slapd on a free loopback port with a throwaway slapd.conf (mdb database under a temporary
 * directory, the core, cosine, inetorgperson and nis schemas), loaded with LDIF by slapadd before it starts.
 * With TLS: a self-signed certificate for 127.0.0.1 (openssl), StartTLS on the ldap:// port and an ldaps:// port.
 */
export async function startSlapd(ldif: string, options: { tls?: boolean } = {}): Promise<Slapd> {
  const [port, tlsPort] = await freePorts(2);
  const dir = await mkdtemp(join(tmpdir(), 'moat-slapd-'));
  await mkdir(join(dir, 'db'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (options.tls) {
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile]);
  }
  const conf = join(dir, 'slapd.conf');
  await writeFile(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'include /etc/ldap/schema/nis.schema',
      `pidfile ${join(dir, 'slapd.pid')}`,
      ...(options.tls ? [`TLSCertificateFile ${certFile}`, `TLSCertificateKeyFile ${keyFile}`] : []),
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      'database mdb',
      `suffix "${BASE_DN}"`,
      `rootdn "${ROOT_DN}"`,
      `rootpw ${ROOT_PASSWORD}`,
      `directory ${join(dir, 'db')}`,
      'maxsize 10485760',
      'access to attrs=userPassword by self read by anonymous auth by * none',
      'access to * by users read by * none',
      '',
    ].join('\n'),
  );
  const data = join(dir, 'data.ldif');
  await writeFile(data, ldif);
  await run('/usr/sbin/slapadd', ['-f', conf, '-l', data]);
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = `ldaps://127.0.0.1:${tlsPort}`;
  const listen = options.tls ? `${url}/ ${ldapsUrl}/` : `${url}/`;
  const child = new Child(spawn('/usr/sbin/slapd', ['-d', '0', '-h', listen, '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await waitForSearch(url, child);
  return {
    url,
    ...(options.tls ? { tls: { ldapsUrl, certificate: await readFile(certFile, 'utf8') } } : {}),
    modify: async (changes: string) => {
      const input = join(dir, `change-${Date.now()}.ldif`);
      await writeFile(input, changes);
      await run('ldapmodify', ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD, '-f', input]);
    },
    stop: async () => {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForSearch(url: string, child: Child): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await run('ldapsearch', ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PASSWORD, '-b', BASE_DN, '-s', 'base', 'dn']);
      return;
    } catch (err) {
      if (child.process.exitCode !== null || Date.now() > deadline) throw new Error(`slapd did not answer at ${url}: ${String(err)}\n${child.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** An inetOrgPerson under ou=people with a password, mail and alias addresses (mailAlternateAddress is not in these schemas: aliases are extra `mail` values). */
export function personLdif(uid: string, name: string, password: string, mails: string[]): string {
  return [`dn: uid=${uid},ou=people,${BASE_DN}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${name}`, `sn: ${name.split(' ').pop() ?? name}`, `userPassword: ${password}`, ...mails.map((m) => `mail: ${m}`), ''].join('\n');
}

/** A groupOfNames under ou=groups. */
export function groupLdif(cn: string, memberUids: string[]): string {
  return [`dn: cn=${cn},ou=groups,${BASE_DN}`, 'objectClass: groupOfNames', `cn: ${cn}`, ...memberUids.map((uid) => `member: uid=${uid},ou=people,${BASE_DN}`), ''].join('\n');
}

/** The base entries: the organisation, ou=people and ou=groups. */
export function baseLdif(): string {
  return [
    `dn: ${BASE_DN}`,
    'objectClass: dcObject',
    'objectClass: organization',
    'o: Example',
    'dc: example',
    '',
    `dn: ou=people,${BASE_DN}`,
    'objectClass: organizationalUnit',
    'ou: people',
    '',
    `dn: ou=groups,${BASE_DN}`,
    'objectClass: organizationalUnit',
    'ou: groups',
    '',
  ].join('\n');
}
