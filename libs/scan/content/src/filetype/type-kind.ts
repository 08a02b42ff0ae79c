/** What a file is, in the classes the per-type policy speaks of. */
export type TypeKind =
  | 'executable'
  | 'script'
  | 'word'
  | 'excel'
  | 'powerpoint'
  | 'hwp'
  | 'pdf'
  | 'rtf'
  | 'html'
  | 'text'
  | 'archive'
  | 'image'
  | 'media'
  | 'message'
  | 'shortcut'
  | 'other';

/** Container formats the archive readers open. */
export type ContainerFormat = 'zip' | 'tar' | 'gzip' | 'rar' | 'sevenzip' | 'unopenable' | 'message';

/** The true type of a file from its content. */
export interface TrueType {
  mime: string;
  /** Canonical extension of the detected type, e.g. `docm`, `exe`, `hwp`. */
  ext: string;
  kind: TypeKind;
  /** Set when the archive readers should open it. */
  container?: ContainerFormat;
}
