/**
 * LOAD run at most once at a time, its promise shared by every caller; a failed load does not stick (the key
 * file was unreadable, NATS was down): the next call runs it again.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (loading) return loading;
    const attempt = load();
    attempt.catch(() => {
      if (loading === attempt) loading = undefined;
    });
    loading = attempt;
    return attempt;
  };
}
