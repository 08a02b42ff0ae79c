/** Whether an archive member name would land outside the extraction directory (../, absolute, drive letter). */
export function leavesExtractionDir(name: string): boolean {
  const normal = name.replace(/\\/g, '/');
  return normal.startsWith('/') || /^[A-Za-z]:/.test(normal) || normal.split('/').includes('..');
}
