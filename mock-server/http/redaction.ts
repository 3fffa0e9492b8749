/**
 * API keys and URL credentials never reach a log line or the request journal, wherever they
 * appear and however they were encoded: a key by its form (`chatting_live_…`), a query parameter
 * named like a secret by its name, and the `user:password@` of any URL. They are looked for in
 * the text as it arrived and again once percent-escapes (nested ones too: `%255F`) and JSON's
 * `\u005f`, `\/` and `\\` escapes (nested too: `\\u005f`) are undone and NULs dropped: text that hides one
 * behind them is shown decoded, with it redacted; any other text is shown as it arrived.
 */
/** A key's form, in any letter case: a prefix typed in capitals still carries the secret. */
const KEY_PATTERN = /chatting_live_[A-Za-z0-9]+_[A-Za-z0-9]+/gi;
/**
 * Where a URL's userinfo can begin, as browsers and Node read URLs (WHATWG): after the scheme of
 * an http(s), ws(s) or ftp URL and any run of `/` and `\\` (none too: `http:bob:pw@host`), or
 * after `://` for any other scheme (`postgres://u:p@db`). The userinfo is all of the authority
 * up to its last `@`, any character (`pa^ss`, `é`, `{`) included.
 */
const USERINFO_START = /\b(?:(?:https?|wss?|ftp):[\\/]*|[a-z][a-z0-9+.-]*:\/\/)/gi;
/**
 * Where the authority ends: at `/`, `\\`, `?` or `#`, as in a URL; and, since URLs here sit in
 * text, at a quote (the end of a JSON string), `<`, `>`, `&` (the next query parameter) or white
 * space. A password with one of those is cut there, and shown from there on.
 */
const AUTHORITY_END = /[\\/?#"'<>&\s]/g;
const AT_SIGN = 0x40;

/**
 * `text` without the userinfo of each URL in it. In one pass: a regular expression for the
 * userinfo would scan the rest of the authority again from every scheme in it
 * (`http:http:http:…`), in time quadratic in its length.
 */
function hideUserinfo(text: string): string {
  if (!text.includes('@')) return text;
  let shown = '';
  let copied = 0;
  // The authority the last scheme starts, [from, end), and its last `@` (-1: none).
  let end = -1;
  let lastAt = -1;
  for (const start of text.matchAll(USERINFO_START)) {
    if (start.index < copied) continue; // within a userinfo already left out
    const from = start.index + start[0].length;
    if (from > end) {
      AUTHORITY_END.lastIndex = from;
      end = AUTHORITY_END.exec(text)?.index ?? text.length;
      lastAt = -1;
      for (let i = from; i < end; i++) if (text.charCodeAt(i) === AT_SIGN) lastAt = i;
    }
    if (lastAt < from) continue;
    shown += text.slice(copied, from);
    copied = lastAt + 1;
  }
  return copied === 0 ? text : shown + text.slice(copied);
}

/**
 * Query (or fragment) parameters whose values are secrets whatever they look like: by a word in
 * their name (`api_key`, `access_token`, `client_secret`, `passwd`, `x_hmac`, `api_sig`).
 */
const SECRET_PARAMETER =
  /key|token|secret|pass|pwd|auth|credential|signature|hmac|jwt|session|(?:^|[_.-])sig$/i;

export function redact(text: string): string {
  // Decoded before anything is hidden: hiding the raw text first would take a key's visible
  // start and leave the rest of a secret that has one escaped letter (`acme%2561cme…`). NULs
  // are dropped as well: UTF-16 read as UTF-8 puts one beside every ASCII letter of a key.
  const decoded = decodeEscapes(text).replaceAll('\u0000', '');
  if (decoded === text) return hideSecrets(text);
  const hidden = hideSecrets(decoded);
  if (hidden === decoded) return hideSecrets(text);
  // Shown decoded, but a key the text shows as it arrived may be one that decoding broke (an
  // escape before it took its first letter: `%2chatting_live_…`): its secret is hidden too.
  let shown = hidden;
  for (const key of text.match(KEY_PATTERN) ?? []) {
    shown = shown.replaceAll(key.slice(key.lastIndexOf('_') + 1), '[redacted]');
  }
  return shown;
}

function hideSecrets(text: string): string {
  return hideUserinfo(text.replace(KEY_PATTERN, 'chatting_live_[redacted]'));
}

/**
 * A URL fit to log (a request's target, a webhook's): as it arrived, but for its secrets; the
 * parameters of its fragment too (`#access_token=…`), and the userinfo of a target that starts
 * with its authority (`//user:pw@host/…`).
 */
export function redactUrl(url: string): string {
  const [beforeFragment, fragment] = url.split(/#(.*)/s, 2);
  const [path, query] = beforeFragment.split(/\?(.*)/s, 2);
  let shown = path.replace(/^\/\/[^/\\?#]*@/, '//');
  if (query !== undefined) shown += `?${redactParameters(query)}`;
  if (fragment !== undefined) shown += `#${redactParameters(fragment)}`;
  return redact(shown);
}

/** `a=1&token=…` (or `;token=…`), with the value of each parameter named like a secret hidden. */
function redactParameters(text: string): string {
  // `;` separates parameters too (HTML 4's form encoding, and what many servers still take).
  return text
    .split(/(?=[&;])/)
    .map((part) => {
      const separator = /^[&;]/.test(part) ? part[0] : '';
      return separator + redactParameter(part.slice(separator.length));
    })
    .join('');
}

function redactParameter(parameter: string): string {
  const equals = parameter.indexOf('=');
  if (equals === -1 || !SECRET_PARAMETER.test(decodeEscapes(parameter.slice(0, equals)))) {
    return parameter;
  }
  return `${parameter.slice(0, equals)}=[redacted]`;
}

const PERCENT = 0x25;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const LETTER_U = 0x75;

/**
 * `text` with the escapes of ASCII characters undone, `%XX`, `\uXXXX`, `\/` and `\\`, to the
 * end: a character an escape gives can complete another escape with what came before it
 * (`%255F` → `%5F` → `_`), which is then undone too. One pass over a stack of the characters so
 * far, so it stays linear however deep the escapes nest: each character is pushed once, and each
 * undoing takes at least one off.
 */
export function decodeEscapes(text: string): string {
  if (!text.includes('%') && !text.includes('\\')) return text;
  // Undoing an escape only ever shortens the text.
  const out = new Uint16Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    out[n++] = text.charCodeAt(i);
    for (;;) {
      // `\/` is `/`, and `\\` one backslash: a key escaped twice (`\\u005f` in a JSON body,
      // the value `\u005f`) is undone to the end like a percent-escape inside another.
      if (
        n >= 2 &&
        out[n - 2] === BACKSLASH &&
        (out[n - 1] === SLASH || out[n - 1] === BACKSLASH)
      ) {
        out[n - 2] = out[n - 1];
        n -= 1;
        continue;
      }
      const percent = n >= 3 && out[n - 3] === PERCENT ? asciiOf(out, n - 2, n) : -1;
      if (percent !== -1) {
        out[n - 3] = percent;
        n -= 2;
        continue;
      }
      const unicode =
        n >= 6 && out[n - 6] === BACKSLASH && out[n - 5] === LETTER_U ? asciiOf(out, n - 4, n) : -1;
      if (unicode !== -1) {
        out[n - 6] = unicode;
        n -= 5;
        continue;
      }
      break;
    }
  }
  return Buffer.from(out.buffer, 0, n * 2).toString('utf16le');
}

/** The ASCII code `digits[from..to)` stand for in hexadecimal, or -1 (not hex, or not ASCII). */
function asciiOf(digits: Uint16Array, from: number, to: number): number {
  let code = 0;
  for (let i = from; i < to; i++) {
    const lower = digits[i] | 0x20;
    const value =
      digits[i] >= 0x30 && digits[i] <= 0x39
        ? digits[i] - 0x30
        : lower >= 0x61 && lower <= 0x66
          ? lower - 0x57
          : -1;
    if (value === -1) return -1;
    code = code * 16 + value;
  }
  return code < 0x80 ? code : -1;
}
