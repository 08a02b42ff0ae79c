/** What a TXT lookup found: the records (each one's character-strings joined), none, or why it failed. */
export type TxtLookup = { kind: 'found'; records: string[] } | { kind: 'none' } | { kind: 'failed'; reason: string };

/** TXT records from DNS, through the CSM's resolver (MOAT_CSM_DNS). */
export abstract class DnsTxtRepository {
  abstract txt(name: string): Promise<TxtLookup>;
}
