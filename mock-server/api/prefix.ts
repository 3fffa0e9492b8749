/** Where the API lives on the server; endpoint urls and fault rule paths are relative to it. */
export const API_PREFIX = '/api/zapier';
