// zapier-platform-cli ships no type declarations; these are the functions the project uses.
declare module 'zapier-platform-cli/src/utils/build' {
  /** Zips `dir` (minus the CLI's blocklist and what dir/.gitignore ignores) into `zipPath`. */
  export function makeSourceZip(dir: string, zipPath: string): Promise<void>;
}

declare module 'zapier-platform-cli/src/utils/changelog' {
  /** The CHANGELOG.md section of `version` in `appDir`, as `promote` reads it ('' if none). */
  export function getVersionChangelog(
    version: string,
    appDir?: string,
  ): Promise<{ changelog: string }>;
}

declare module 'zapier-platform-cli/src/constants' {
  /** Where `build` writes, and `upload` reads, the app's zip: `build/build.zip`. */
  export const BUILD_PATH: string;
  /** Where `build` writes, and `upload` reads, the sources' zip: `build/source.zip`. */
  export const SOURCE_PATH: string;
}
