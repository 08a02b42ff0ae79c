import { readFile, rm, writeFile } from 'node:fs/promises';
import { z } from 'zod';

/** `<var>/cluster.json`: how `moat down`, `moat status` and others find a running cluster. */
export const clusterFileSchema = z.object({
  supervisorPid: z.number().int(),
  startedAtMs: z.number(),
  varDir: z.string(),
  csmUrl: z.string(),
  consoleUrl: z.string(),
  csmDataDir: z.string(),
  /** The certificate the CSM serves HTTPS with (clients trust this one); absent when it serves plain HTTP. */
  csmCertFile: z.string().optional(),
  ports: z.object({
    http: z.number().int(),
    grpc: z.number().int(),
    // Absent in files written before nodes enrolled on a port of their own.
    enrol: z.number().int().optional(),
    nats: z.number().int(),
    clamd: z.number().int(),
    downstream: z.number().int(),
    smtp: z.array(z.number().int()),
    // Absent in files written before nodes had a metrics listener.
    metrics: z.array(z.number().int()).default([]),
    // Absent in files written before nodes took submission and the demo internet server existed.
    submission: z.array(z.number().int()).default([]),
    submissions: z.array(z.number().int()).default([]),
    internet: z.number().int().optional(),
  }),
  processes: z.array(z.object({ name: z.string(), pid: z.number().int().nullable() })),
  mailboxDir: z.string(),
});

export type ClusterFile = z.infer<typeof clusterFileSchema>;

export async function writeClusterFile(path: string, content: ClusterFile): Promise<void> {
  await writeFile(path, `${JSON.stringify(content, null, 2)}\n`);
}

/** Reads cluster.json; undefined when there is none. A corrupt file is an error worth reporting. */
export async function readClusterFile(path: string): Promise<ClusterFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON; remove it if no cluster is running`);
  }
  const parsed = clusterFileSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${path} is not a valid cluster file: ${parsed.error.message}`);
  return parsed.data;
}

export async function removeClusterFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
