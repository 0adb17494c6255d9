/*
 * Where a test runs.
 *
 * The test command starts the server three times: session mode, JWT mode
 * signed with HS256, and JWT mode signed with EdDSA (published keys). Each
 * run has a browser project with JavaScript on (`js`) and, except the EdDSA
 * run, one with it off (`nojs`). A test's tags say what its behaviour depends
 * on, and each run keeps the tests whose behaviour can differ there:
 *
 *   (no tag)   does not depend on the mode: the session run only
 *   @mode      depends on how the sign-in is remembered (issuing, checking,
 *              renewing, ending it): the session run and the HS256 run
 *   @jwt       exists in JWT mode only (tokens, renewal, refresh reuse):
 *              the HS256 run
 *   @signing   depends on the signing key too: also the EdDSA run
 *   @eddsa     needs published keys: the EdDSA run only
 *   @js-only   needs JavaScript, or reads what a browser gets the same
 *              without it (a request, server-rendered markup): never in
 *              the `nojs` project
 *
 * The EdDSA run changes only the key that signs and checks access tokens;
 * how a browser without JavaScript posts its forms is the HS256 run's, so
 * the EdDSA run has no `nojs` project.
 */

/** Every tag a test may carry; `tagsKnown` refuses any other. */
export const TAGS: readonly string[] = ['@mode', '@jwt', '@signing', '@eddsa', '@js-only'];

/** The three runs of the test command. */
export type Run = 'session' | 'jwt' | 'eddsa';

/** The run a server started with these settings belongs to. */
export function runOf(authMode: string, jwtAlg: string): Run {
  if (authMode !== 'jwt') return 'session';
  return jwtAlg === 'EdDSA' ? 'eddsa' : 'jwt';
}

export interface Selection {
  grep?: RegExp;
  grepInvert?: RegExp;
}

/**
 * The tests of `run` in the project with JavaScript on or off, as
 * Playwright's `grep`/`grepInvert` (which match a test's tags), or `null`
 * when the run has no such project.
 */
export function selection(run: Run, javaScript: boolean): Selection | null {
  const noJs = javaScript ? [] : ['@js-only'];
  const invert = (tags: string[]) => (tags.length ? { grepInvert: tagPattern(tags) } : {});
  switch (run) {
    case 'session':
      return invert(['@jwt', '@eddsa', ...noJs]);
    case 'jwt':
      return { grep: tagPattern(['@mode', '@jwt']), ...invert(noJs) };
    case 'eddsa':
      return javaScript ? { grep: tagPattern(['@signing', '@eddsa']) } : null;
  }
}

/** Matches any of `tags` as a whole tag (`@jwt`, not `@jwtx`). */
function tagPattern(tags: string[]): RegExp {
  return new RegExp(`(${tags.join('|')})(?![\\w-])`);
}

/** The tags of a test that are not in `TAGS`: a typo would put it in the wrong runs. */
export function unknownTags(tags: readonly string[]): string[] {
  return tags.filter((t) => !TAGS.includes(t));
}
