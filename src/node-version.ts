// The oldest Node.js that Spate runs on, checked before any module that needs a newer one is loaded (zstd in
// node:zlib arrived in 22.15). This file imports nothing, so it loads on any Node that can parse it.

/** Keep in step with `engines.node` in package.json (a test checks they agree). */
export const MINIMUM_NODE_VERSION = '22.15.0';

function parts(version: string): number[] {
  return version.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10) || 0);
}

/** Why `version` (e.g. process.versions.node) is too old, or null when it is new enough. */
export function nodeVersionProblem(version: string): string | null {
  const have = parts(version);
  const need = parts(MINIMUM_NODE_VERSION);
  for (let i = 0; i < need.length; i++) {
    const h = have[i] ?? 0;
    const n = need[i]!;
    if (h > n) return null;
    if (h < n) {
      return (
        `Spate needs Node.js ${MINIMUM_NODE_VERSION} or later; this is Node.js ${version.replace(/^v/, '')}. ` +
        'Install a newer Node.js; in a clone of Spate, `npm install` brings Node.js 24 for `npm start` and `npx spate`.'
      );
    }
  }
  return null;
}
