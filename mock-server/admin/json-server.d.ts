// json-server 0.17 ships no types; this is the part the db browser uses.
declare module 'json-server' {
  import type { Request, Response, Router } from 'express';

  interface JsonServerRouter extends Router {
    render: (request: Request, response: Response) => void;
  }

  export function router(db: object, options?: { foreignKeySuffix?: string }): JsonServerRouter;
}
