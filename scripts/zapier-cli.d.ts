// zapier-platform-cli ships no type declarations; this is the one function the build script uses.
declare module 'zapier-platform-cli/src/utils/build' {
  /** Zips `dir` (minus the CLI's blocklist and what dir/.gitignore ignores) into `zipPath`. */
  export function makeSourceZip(dir: string, zipPath: string): Promise<void>;
}
