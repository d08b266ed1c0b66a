import "server-only";

/** ILIKE pattern matching `q` anywhere, with LIKE's wildcards in the user's text taken literally. */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
