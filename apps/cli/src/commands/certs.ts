import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { CliError, parseCommandArgs, UsageError, writeJson, writeLine, type Command, type Io } from '../command.js';
import { certificateViewSchema, csrResultSchema, type CertificateView } from '../csm/api.js';
import { connectCsm } from '../csm/connect.js';
import { renderTable } from '../format/table.js';

export const certsCommand: Command = {
  name: 'certs',
  usage: `moat certs list [--json]                                   certificates the nodes serve by SNI, with expiry
moat certs csr DOMAIN [--key-type rsa|ecdsa] [--out FILE]    new key (kept encrypted by the CSM) and its CSR
moat certs upload DOMAIN CERT [--chain FILE]               install the certificate issued for the CSR
moat certs import DOMAIN CERT KEY [--chain FILE]           install a certificate with a key made elsewhere
moat certs remove DOMAIN                                   stop serving DOMAIN's certificate, forget its keys

Clients that ask for DOMAIN (SNI) in STARTTLS get its certificate; others get the node's own. The CSM checks
that the certificate matches the key it keeps, names DOMAIN, is in its validity period and that the chain
issued it, and every node serves it at once, without a restart. Keys never leave the CSM except to the nodes,
over their authenticated TLS link. A certificate with less than 30 days left is flagged. During a renewal
(a new CSR for a domain that has a certificate) the current certificate is served until the new one is uploaded.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { 'key-type': { type: 'string' }, out: { type: 'string' }, chain: { type: 'string' } });
    const [sub, domain, ...files] = positionals;
    const expect = (count: number, names: string) => {
      if (!domain) throw new UsageError(`certs ${sub} needs a DOMAIN`);
      if (files.length !== count) throw new UsageError(`certs ${sub} takes DOMAIN ${names}`.trim());
    };
    const path = (name: string) => `/api/certificates/${encodeURIComponent(name)}`;

    if (sub === 'list') {
      if (domain) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
      const { data, raw } = await (await connectCsm(values, io)).get('/api/certificates', z.array(certificateViewSchema));
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, data.length === 0 ? 'no certificates: every client gets the node\'s own' : table(data));
      return 0;
    }
    if (sub === 'csr') {
      expect(0, '');
      const { data, raw } = await (await connectCsm(values, io)).post('/api/certificates/csr', csrResultSchema, { domain, keyType: values['key-type'] ?? 'rsa' });
      if (values.json) writeJson(io.out, raw);
      else if (values.out) {
        const file = resolve(io.cwd, values.out);
        await writeFile(file, data.csr);
        writeLine(io.out, `CSR for ${data.domain} (${data.keyType} key, kept by the CSM) written to ${file}`);
      } else io.out.write(data.csr);
      return 0;
    }
    if (sub === 'upload' || sub === 'import') {
      expect(sub === 'upload' ? 1 : 2, sub === 'upload' ? 'CERT' : 'CERT KEY');
      const [certFile, keyFile] = files;
      const body = {
        certificate: await readText(io, certFile),
        chain: values.chain ? await readText(io, values.chain) : '',
        ...(keyFile ? { key: await readText(io, keyFile) } : {}),
      };
      const csm = await connectCsm(values, io);
      const { data, raw } = sub === 'upload' ? await csm.put(path(domain ?? ''), certificateViewSchema, body) : await csm.post(`${path(domain ?? '')}/import`, certificateViewSchema, body);
      if (values.json) writeJson(io.out, raw);
      else writeLine(io.out, `${data.domain}: ${data.subject}, issued by ${data.issuer}, ${data.daysLeft} days left; served by every node now`);
      return 0;
    }
    if (sub === 'remove') {
      expect(0, '');
      await (await connectCsm(values, io)).delete(path(domain ?? ''), z.unknown());
      if (values.json) writeJson(io.out, { removed: domain });
      else writeLine(io.out, `${domain}: removed; clients asking for it get the node's own certificate`);
      return 0;
    }
    throw new UsageError(`expected list, csr, upload, import or remove, got "${sub ?? ''}"`);
  },
};

function table(certificates: CertificateView[]): string {
  return renderTable(
    ['DOMAIN', 'STATUS', 'KEY', 'ISSUER', 'EXPIRES', 'DAYS', 'NOTE'],
    certificates.map((c) => [
      c.domain,
      c.status,
      c.keyType,
      c.issuer || '-',
      c.notAfter ? new Date(c.notAfter).toISOString().slice(0, 10) : '-',
      c.status === 'active' ? String(c.daysLeft) : '-',
      [c.warning, c.csrPending ? 'CSR waiting for its certificate' : ''].filter(Boolean).join('; '),
    ]),
  );
}

async function readText(io: Io, file: string | undefined): Promise<string> {
  if (!file) throw new UsageError('a file name is missing');
  const path = resolve(io.cwd, file);
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
}
