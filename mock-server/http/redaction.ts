/**
 * API keys never reach a log line or the request journal, wherever they appear: by their form
 * anywhere in the text (percent-encoded too, in a URL), and by name in a query string.
 */
const KEY_PATTERN = /chatting_live_[A-Za-z0-9]+_[A-Za-z0-9]+/g;
/** Query parameters whose values are secrets whatever they look like. */
const SECRET_PARAMETER = /key|token|secret|password|auth/i;

export function redact(text: string): string {
  return text.replace(KEY_PATTERN, 'chatting_live_[redacted]');
}

/** A request URL fit to log: as it arrived, unless it carries a secret. */
export function redactUrl(url: string): string {
  const [path, query] = url.split(/\?(.*)/s, 2);
  const parameters = query?.split('&').map((parameter) => {
    const equals = parameter.indexOf('=');
    const name = equals === -1 ? parameter : parameter.slice(0, equals);
    return equals !== -1 && SECRET_PARAMETER.test(safeDecode(name))
      ? `${name}=[redacted]`
      : parameter;
  });
  const cleaned = parameters === undefined ? path : `${path}?${parameters.join('&')}`;
  // A key hidden behind percent-encoding shows once decoded; only then is the decoded form kept.
  const decoded = safeDecode(cleaned);
  return redact(decoded) === decoded ? cleaned : redact(decoded);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
