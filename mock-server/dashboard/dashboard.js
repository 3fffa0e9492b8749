// The QA dashboard: it reads and changes the mock only through the admin API (/__admin), with
// the admin token when the server has one, and polls it for live updates. A poll is one request
// per list (workspaces with their counts, deliveries, journal, subscriptions, fault rules),
// each one page long, whatever the data holds. Everything shown is built as DOM text, never as
// HTML: the journal holds whatever clients sent.

const POLL_MS = 1500;
const TOKEN_KEY = 'chatting-mock-admin-token';
/** Each poll is measured under this name (performance.measure), for the tests and the bench. */
const POLL_MEASURE = 'dashboard-poll';
const $ = (id) => document.getElementById(id);

/** An admin call that did not answer 2xx, with its envelope. */
class AdminError extends Error {
  constructor(status, body) {
    super(`${status} ${body.error ?? 'error'}${body.message ? `: ${body.message}` : ''}`);
    this.status = status;
    this.body = body;
  }
}

async function admin(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers['x-admin-token'] = token;
  const response = await fetch(`/__admin${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({ ok: false, error: 'not-json' }));
  if (!response.ok) {
    if (response.status === 401 && String(answer.error).startsWith('admin-token')) {
      askForToken(answer.error);
    }
    throw new AdminError(response.status, answer);
  }
  return { answer, response };
}

/** An element with attributes (`on…` are listeners) and children (text stays text). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) element.append(child);
  }
  return element;
}

// ---- how things read ----

const number = (n) => n.toLocaleString();
const plural = (count, word, words = `${word}s`) =>
  `${number(count)} ${count === 1 ? word : words}`;
const json = (value) => JSON.stringify(value, null, 2);
const badge = (text, kind = text) => h('span', { class: `badge ${kind}` }, text);
const button = (text, onclick, attributes = {}) =>
  h('button', { type: 'button', onclick, ...attributes }, text);

const clock = (date) => date.toLocaleTimeString([], { hour12: false });
const sameDay = (a, b) => a.toDateString() === b.toDateString();

/**
 * A time as a <time>: the time of day when it is today, with the date when it is not (and the
 * year when it is not this year); the full date and the ISO text in its title.
 */
function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  const today = new Date();
  const day = { day: 'numeric', month: 'short' };
  if (date.getFullYear() !== today.getFullYear()) day.year = 'numeric';
  const text = sameDay(date, today)
    ? clock(date)
    : `${date.toLocaleDateString([], day)}, ${date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false })}`;
  const full = date.toLocaleString([], { dateStyle: 'full', timeStyle: 'medium' });
  return h('time', { datetime: iso, title: `${full} (${iso})` }, text);
}

/** A duration for people: 340 ms, 1.2 s, 3 min 5 s. */
function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** An id on one line; a very long one ends in an ellipsis, whole in its title. */
const id = (text) => h('code', { class: 'id', title: text }, text);

/**
 * A URL in the column that takes the remaining width: one line, the host in full colour, the
 * rest muted, an ellipsis where it is cut and the whole URL in the title.
 */
function urlCell(url) {
  let host = url;
  let rest = '';
  try {
    const parsed = new URL(url);
    host = `${parsed.protocol}//${parsed.host}`;
    rest = url.slice(host.length);
  } catch {
    // Not a URL after all: shown as it is.
  }
  return h(
    'td',
    { class: 'fill' },
    h(
      'span',
      { class: 'clip url', title: url },
      h('span', { class: 'host' }, host),
      h('span', { class: 'rest' }, rest),
    ),
  );
}

function notify(text, kind = 'info') {
  const notice = $('notice');
  notice.replaceChildren(
    h('span', {}, text),
    button('Dismiss', () => (notice.hidden = true), { class: 'small' }),
  );
  notice.className = `notice ${kind}`;
  notice.hidden = false;
}

// ---- the contract, read from the bundled OpenAPI document ----

/** Follows local `$ref`s of the bundled document. */
function deref(document, node) {
  let current = node;
  while (current && typeof current.$ref === 'string' && current.$ref.startsWith('#/')) {
    current = current.$ref
      .slice(2)
      .split('/')
      // A URI fragment: percent-encoded (`%24defs`), then JSON-pointer escaped.
      .map((part) => decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce((at, part) => at?.[part], document);
  }
  return current;
}

function requestSchema(document, path, method) {
  const operation = document.paths?.[path]?.[method];
  return deref(document, operation?.requestBody?.content?.['application/json']?.schema);
}

const contract = { events: [], examples: new Map(), faultMethods: ['*'], errorCodes: [] };

async function loadContract() {
  const document = await (await fetch('/openapi.json')).json();
  const simulate = requestSchema(document, '/__admin/events', 'post');
  contract.events = deref(document, simulate.properties.event).enum;
  for (const example of simulate.examples ?? []) contract.examples.set(example.event, example.data);
  const fault = requestSchema(document, '/__admin/faults', 'post');
  contract.faultMethods = deref(document, fault.properties.method).enum;
  contract.errorCodes = deref(document, fault.properties.error).enum;
}

// ---- the lists: one page of each per poll ----

/**
 * A list the poll reads: `path(list)` is its one request, `row` draws an item, `empty` says
 * why there is none. A paged list (`limit`) keeps its offset and draws a pager; its answer's
 * `total` is the count shown beside the title.
 */
const lists = {
  workspaces: {
    limit: 10,
    path: (list) => `/workspaces?${pageQuery(list)}`,
    row: workspaceRow,
    empty: () => 'No workspaces: POST /__admin/workspaces makes one.',
    noun: ['workspace', 'workspaces'],
    shown: (answer) => {
      fillWorkspaceIds(answer.items);
      return { items: answer.items, revealed: [...revealedKeys] };
    },
  },
  deliveries: {
    limit: 25,
    path: (list) => `/deliveries?${pageQuery(list)}`,
    row: deliveryRow,
    empty: () => 'No deliveries yet: subscribe a target URL, then fire an event.',
    noun: ['delivery', 'deliveries'],
  },
  journal: {
    limit: 25,
    path: (list) => {
      const query = new URLSearchParams({ limit: String(list.limit) });
      if ($('journal-status').value) query.set('status', $('journal-status').value);
      if ($('journal-path').value.trim()) query.set('path', $('journal-path').value.trim());
      return `/journal?${query}`;
    },
    row: journalRow,
    empty: () =>
      $('journal-status').value || $('journal-path').value.trim()
        ? 'No request matches these filters.'
        : 'No API request yet: call /api/zapier with a key.',
    shown: (answer) => {
      journal = new Map(answer.items.map((e) => [e.id, e]));
      return answer;
    },
    count: (answer) => (answer.items.length ? `newest ${number(answer.items.length)}` : ''),
  },
  subscriptions: {
    limit: 25,
    path: (list) => {
      const query = new URLSearchParams(pageQuery(list));
      const workspace = $('subscription-workspace').value.trim();
      if (workspace) query.set('workspace_id', workspace);
      if ($('subscription-active').value) query.set('active', $('subscription-active').value);
      return `/subscriptions?${query}`;
    },
    row: subscriptionRow,
    empty: () =>
      $('subscription-workspace').value.trim() || $('subscription-active').value
        ? 'No subscription matches these filters.'
        : 'No subscriptions: a Zap turned on (POST /api/zapier/webhooks/subscribe) makes one.',
    noun: ['subscription', 'subscriptions'],
  },
  faults: {
    path: () => '/faults',
    body: 'fault-rows',
    row: faultRow,
    empty: () => 'No fault rules: every request is answered normally.',
    count: (answer) => (answer.items.length ? number(answer.items.length) : ''),
  },
};
const BODIES = {
  workspaces: 'workspace-rows',
  deliveries: 'delivery-rows',
  journal: 'journal-rows',
  subscriptions: 'subscription-rows',
};
for (const [name, list] of Object.entries(lists)) {
  list.name = name;
  list.offset = 0;
  list.body ??= BODIES[name];
}

const pageQuery = (list) =>
  new URLSearchParams({ limit: String(list.limit), offset: String(list.offset) }).toString();

/** What each list last drew, as text: a list is redrawn only when its data changed. */
const drawn = new Map();

/** Draws `key`'s content only when `data` differs from what it last drew, so focus survives. */
function changed(key, data) {
  const text = JSON.stringify(data);
  if (drawn.get(key) === text) return false;
  drawn.set(key, text);
  return true;
}

/** An empty list's one line, in the list's own element. */
function emptyLine(body, text) {
  const tbody = body.tagName === 'TBODY';
  const columns = body.closest('table')?.querySelectorAll('thead th').length ?? 1;
  return tbody
    ? h('tr', {}, h('td', { colspan: columns, class: 'empty' }, text))
    : h('li', { class: 'empty' }, text);
}

/** Reads one list and draws it, its count and its pager; a refusal is shown in its card. */
async function readList(list) {
  const { answer } = await admin('GET', list.path(list));
  if (list.limit && answer.total !== undefined && list.offset > 0 && list.offset >= answer.total) {
    // The page went away (a reset, a filter): back to the last page there is.
    list.offset = Math.max(0, Math.floor((answer.total - 1) / list.limit) * list.limit);
    return readList(list);
  }
  const data = list.shown ? list.shown(answer) : answer;
  if (changed(list.body, data)) {
    const body = $(list.body);
    const rows = answer.items.map(list.row);
    body.replaceChildren(...(rows.length ? rows : [emptyLine(body, list.empty())]));
  }
  $(`${list.name}-count`).textContent = list.count
    ? list.count(answer)
    : plural(answer.total, ...list.noun);
  if (list.limit && answer.total !== undefined) drawPager(list, answer.total);
  $(`${list.name}-error`).hidden = true;
}

function drawPager(list, total) {
  const nav = $(`${list.name}-pager`);
  if (!nav || !changed(nav.id, [list.offset, total])) return;
  if (total <= list.limit && list.offset === 0) {
    nav.replaceChildren();
    return;
  }
  const to = Math.min(list.offset + list.limit, total);
  const go = (offset) => {
    list.offset = offset;
    void refresh();
  };
  nav.replaceChildren(
    button('‹', () => go(Math.max(0, list.offset - list.limit)), {
      class: 'small',
      'aria-label': 'Previous page',
      disabled: list.offset === 0,
    }),
    h('span', {}, `${number(list.offset + 1)}–${number(to)} of ${number(total)}`),
    button('›', () => go(list.offset + list.limit), {
      class: 'small',
      'aria-label': 'Next page',
      disabled: to >= total,
    }),
  );
}

/**
 * A list the server refused, said in its card. A missing token is asked for by the token form,
 * and no answer at all (the mock stopped) is said once, in the bar: the cards need not say it.
 */
function showListError(list, error) {
  if (!(error instanceof AdminError) || String(error.body.error).startsWith('admin-token')) return;
  const line = $(`${list.name}-error`);
  line.textContent = `Could not load this list: ${error.message}`;
  line.hidden = false;
}

// ---- workspaces ----

/** Keys made here, shown once on this page: key id → token. */
const revealedKeys = new Map();

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    notify(`${what} copied.`);
  } catch {
    notify(`Copy it by hand: ${text}`);
  }
}

/** The workspace ids of the page shown, offered by the inputs that take a workspace. */
function fillWorkspaceIds(workspaces) {
  const ids = workspaces.map((w) => w.id);
  if (!changed('workspace-ids', ids)) return;
  $('workspace-ids').replaceChildren(
    ...workspaces.map((w) => h('option', { value: w.id }, w.team_name)),
  );
  if (!$('fire-workspace').value && ids.length) $('fire-workspace').value = ids[0];
}

function workspaceRow(w) {
  const keys = w.keys.map((key) =>
    h(
      'li',
      {},
      h(
        'div',
        { class: 'key' },
        h('code', { class: 'id', title: `key id ${key.id}` }, `chatting_live_${key.id}_••••••`),
        key.revoked_at ? badge('revoked', 'failed') : '',
        button('Copy id', () => copy(key.id, 'Key id'), { class: 'small' }),
        key.revoked_at ? '' : button('Revoke', () => revokeKey(key.id), { class: 'small' }),
      ),
      revealedKeys.has(key.id) ? newKeyLine(revealedKeys.get(key.id)) : '',
    ),
  );
  const counts = [
    [w.counts.contacts, 'contact', 'contacts'],
    [w.counts.conversations, 'conversation', 'conversations'],
    [w.counts.active_subscriptions, 'active subscription', 'active subscriptions'],
    [w.counts.deliveries, 'delivery', 'deliveries'],
  ];
  return h(
    'tr',
    {},
    h(
      'td',
      { class: 'workspace' },
      h('span', { class: 'team' }, w.team_name),
      h('span', { class: 'sub' }, id(w.id)),
      h('span', { class: 'sub email' }, w.owner_email),
    ),
    h(
      'td',
      {},
      w.sites.length
        ? h(
            'ul',
            { class: 'sites' },
            w.sites.map((s) =>
              h(
                'li',
                { class: 'nowrap' },
                id(s.domain),
                s.id === w.primary_site_id ? [' ', badge('primary', 'info')] : '',
              ),
            ),
          )
        : badge('no site', 'failed'),
    ),
    h(
      'td',
      {},
      h('ul', { class: 'keys' }, keys),
      h(
        'div',
        { class: 'new' },
        button('New key', () => newKey(w.id), { class: 'small' }),
      ),
    ),
    h(
      'td',
      { class: 'counts' },
      h(
        'dl',
        { class: 'holds' },
        counts.flatMap(([n, one, many]) => [
          h('dt', {}, number(n)),
          h('dd', {}, n === 1 ? one : many),
        ]),
      ),
    ),
  );
}

/** A key made here is shown once, masked until asked, with a copy button. */
function newKeyLine(token) {
  const code = h('code', { class: 'secret' }, token.replace(/_[^_]+$/, '_••••••'));
  const show = button(
    'Show',
    () => {
      code.textContent = token;
      show.remove();
    },
    { class: 'small' },
  );
  return h(
    'div',
    { class: 'new-key' },
    'New key: ',
    code,
    show,
    button('Copy key', () => copy(token, 'API key'), { class: 'small' }),
  );
}

async function newKey(workspaceId) {
  await act(async () => {
    const { answer } = await admin('POST', `/workspaces/${encodeURIComponent(workspaceId)}/keys`);
    revealedKeys.set(answer.id, answer.api_key);
    notify(`New key for ${workspaceId}: copy it now, it is shown only on this page.`);
  });
}

async function revokeKey(keyId) {
  await act(async () => {
    await admin('DELETE', `/keys/${encodeURIComponent(keyId)}`);
    notify(`Key ${keyId} revoked.`);
  });
}

// ---- events ----

function prefill() {
  $('fire-data').value = json(contract.examples.get($('fire-event').value) ?? {});
}

async function fire(event) {
  event.preventDefault();
  let data;
  try {
    data = JSON.parse($('fire-data').value || '{}');
  } catch (error) {
    $('fire-result').textContent = `The payload is not JSON: ${error.message}`;
    return;
  }
  const body = {
    workspace_id: $('fire-workspace').value.trim(),
    event: $('fire-event').value,
    data,
  };
  try {
    const { answer } = await admin('POST', '/events', body);
    $('fire-result').textContent =
      `${body.event} happened in ${body.workspace_id}: sent to ` +
      `${plural(answer.deliveries, 'subscription')}.`;
    void refresh();
  } catch (error) {
    $('fire-result').textContent = `Refused: ${error.message}`;
  }
}

// ---- subscriptions ----

function subscriptionRow(s) {
  return h(
    'tr',
    {},
    h('td', {}, id(s.workspace_id)),
    h('td', { class: 'nowrap' }, s.event),
    urlCell(s.target_url),
    h('td', {}, s.active ? badge('active', 'delivered') : badge('inactive', 'cancelled')),
    h('td', {}, when(s.created_at)),
  );
}

// ---- deliveries ----

/** At most this many attempts are drawn in a row; the dialog shows them all. */
const ATTEMPTS_IN_ROW = 6;

const attemptOk = (a) => a.status_code !== null && a.status_code >= 200 && a.status_code < 300;

/** The wait before each attempt: from the end of the one before to its start. */
function waits(history) {
  return history.map((a, i) => {
    if (i === 0) return null;
    const before = history[i - 1];
    return Date.parse(a.started_at) - Date.parse(before.started_at) - before.duration_ms;
  });
}

/** A delivery's attempts as a small timeline: one chip per attempt, the next one dashed. */
function attemptChips(d) {
  const waited = waits(d.history);
  const chips = d.history.map((a, i) =>
    h(
      'span',
      {
        class: `attempt${attemptOk(a) ? ' ok' : ''}`,
        title:
          `Attempt ${a.number}: ${a.status_code ?? a.error ?? 'no answer'} in ${duration(a.duration_ms)}` +
          (waited[i] === null ? '' : `, ${duration(waited[i])} after the one before`),
      },
      a.status_code === null ? 'ERR' : String(a.status_code),
    ),
  );
  if (d.status === 'pending') {
    chips.push(
      h(
        'span',
        {
          class: 'attempt next',
          title: d.next_attempt_at
            ? `Next attempt at ${new Date(d.next_attempt_at).toLocaleString()}`
            : 'Next attempt running',
        },
        '…',
      ),
    );
  }
  const hidden = chips.length - ATTEMPTS_IN_ROW;
  const shown = hidden > 0 ? chips.slice(hidden) : chips;
  const parts = shown.flatMap((chip, i) =>
    i === 0 ? [chip] : [h('span', { class: 'gap' }), chip],
  );
  if (hidden > 0) parts.unshift(h('span', { class: 'count' }, `+${hidden} `));
  return h('div', { class: 'attempts', 'aria-label': plural(d.attempts, 'attempt') }, parts);
}

function deliveryRow(d) {
  return h(
    'tr',
    { 'data-delivery': d.id },
    h('td', {}, when(d.created_at)),
    h('td', { class: 'nowrap' }, d.event, h('span', { class: 'sub' }, id(d.workspace_id))),
    urlCell(d.target_url),
    h('td', { class: 'delivery-status' }, badge(d.status)),
    h('td', {}, attemptChips(d)),
    h(
      'td',
      {},
      button('Open', () => openDelivery(d.id), { class: 'small' }),
    ),
  );
}

/** Every attempt with its status, time taken and the wait before it; then the next one. */
function attemptTimeline(d) {
  const waited = waits(d.history);
  const items = d.history.flatMap((a, i) => [
    waited[i] === null
      ? ''
      : h('li', { class: 'wait' }, h('span', {}, `waited ${duration(waited[i])}`)),
    h(
      'li',
      { class: 'attempt-item' },
      h('strong', {}, `Attempt ${a.number}`),
      h(
        'div',
        { class: 'what' },
        h(
          'span',
          { class: `attempt${attemptOk(a) ? ' ok' : ''}` },
          a.status_code === null ? 'ERR' : String(a.status_code),
        ),
        when(a.started_at),
        h('span', { class: 'count' }, `took ${duration(a.duration_ms)}`),
        a.error ? h('span', {}, a.error) : '',
      ),
    ),
  ]);
  if (d.status === 'pending') {
    items.push(
      h(
        'li',
        {},
        h('strong', {}, 'Next'),
        h(
          'div',
          { class: 'what' },
          h('span', { class: 'attempt next' }, '…'),
          d.next_attempt_at ? when(d.next_attempt_at) : 'running now',
        ),
      ),
    );
  }
  return items.length
    ? h('ol', { class: 'timeline' }, items)
    : h('p', { class: 'count' }, 'No attempt yet.');
}

async function openDelivery(deliveryId) {
  await act(async () => {
    const { answer } = await admin('GET', `/deliveries/${encodeURIComponent(deliveryId)}`);
    const d = answer.delivery;
    showDetail(
      `Delivery ${d.id}`,
      h(
        'p',
        { class: 'summary' },
        badge(d.status),
        h('strong', {}, d.event),
        'to',
        h('code', {}, d.target_url),
        d.redelivery_of ? h('span', { class: 'count' }, `redelivery of ${d.redelivery_of}`) : '',
      ),
      h('h3', {}, 'Attempts'),
      attemptTimeline(d),
      h('h3', {}, 'Payload'),
      h('pre', {}, json(d.payload)),
      button(
        'Redeliver',
        () =>
          act(async () => {
            const again = await admin('POST', `/deliveries/${encodeURIComponent(d.id)}/redeliver`);
            $('detail').close();
            notify(`Redelivering as ${again.answer.delivery.id}.`);
          }),
        { class: 'primary' },
      ),
    );
  });
}

// ---- request journal ----

/** The entries last listed, by id, for opening one. */
let journal = new Map();

function journalRow(e) {
  const request = `${e.method} ${e.path}`;
  return h(
    'tr',
    { 'data-entry': e.id },
    h('td', {}, when(e.at)),
    h(
      'td',
      { class: 'fill' },
      h('span', { class: 'clip', title: request }, h('strong', {}, e.method), ' ', e.path),
    ),
    h('td', {}, badge(String(e.status), e.status < 400 ? 'delivered' : 'failed')),
    h('td', { class: 'number' }, e.ms.toFixed(1)),
    h('td', {}, e.workspace_id ? id(e.workspace_id) : '—'),
    h(
      'td',
      {},
      button('Open', () => openEntry(e.id), { class: 'small' }),
    ),
  );
}

const headerList = (headers) =>
  h(
    'dl',
    { class: 'headers' },
    Object.entries(headers).flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]),
  );

/** A body as sent: pretty when it is JSON, as is otherwise. */
function bodyText(text) {
  if (text === null) return '(no body)';
  try {
    return json(JSON.parse(text));
  } catch {
    return text;
  }
}

function openEntry(entryId) {
  const e = journal.get(entryId);
  if (!e) return;
  showDetail(
    `${e.method} ${e.path} → ${e.status}`,
    h(
      'p',
      { class: 'summary' },
      when(e.at),
      h('span', { class: 'count' }, `${e.ms.toFixed(1)} ms`),
      h('span', {}, 'workspace ', e.workspace_id ? h('code', {}, e.workspace_id) : '—'),
    ),
    h('h3', {}, 'Request headers'),
    headerList(e.request.headers),
    h('h3', {}, 'Request body'),
    h('pre', {}, bodyText(e.request.body)),
    h('h3', {}, 'Response headers'),
    headerList(e.response.headers),
    h('h3', {}, 'Response body'),
    h('pre', {}, bodyText(e.response.body)),
  );
}

// ---- fault rules ----

function faultRow(rule) {
  const fault = [
    rule.error ? `error ${rule.error}` : '',
    rule.status ? `status ${rule.status}` : '',
    rule.retry_after !== undefined ? `Retry-After ${rule.retry_after}` : '',
    rule.delay_ms ? `delay ${rule.delay_ms} ms` : '',
    rule.drop ? 'drop the connection' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return h(
    'li',
    { 'data-fault': rule.id },
    h(
      'div',
      { class: 'rule' },
      h('strong', {}, rule.method),
      ' ',
      h('code', {}, rule.path),
      h(
        'span',
        { class: 'sub' },
        `${fault || 'no fault'} · ${rule.times === undefined ? 'every request' : `${plural(rule.times, 'request')} left`}`,
      ),
    ),
    button(
      'Remove',
      () =>
        act(async () => {
          await admin('DELETE', `/faults/${encodeURIComponent(rule.id)}`);
          notify(`Fault rule on ${rule.path} removed.`);
        }),
      { class: 'small' },
    ),
  );
}

async function addFault(event) {
  event.preventDefault();
  const value = (fieldId) => ($(fieldId).value === '' ? undefined : Number($(fieldId).value));
  const rule = {
    method: $('fault-method').value,
    path: $('fault-path').value,
    error: $('fault-error').value || undefined,
    status: value('fault-status'),
    delay_ms: value('fault-delay'),
    times: value('fault-times'),
    drop: $('fault-drop').checked || undefined,
  };
  await act(async () => {
    await admin('POST', '/faults', rule);
    notify(`Fault rule on ${rule.path} added.`);
  });
}

// ---- details, actions, polling, token ----

function showDetail(title, ...content) {
  $('detail-title').textContent = title;
  $('detail-body').replaceChildren(...content);
  if (!$('detail').open) $('detail').showModal();
}

/** Runs a user's action, says why it failed, and shows its effect at once. */
async function act(action) {
  try {
    await action();
  } catch (error) {
    notify(`Refused: ${error.message}`, 'error');
  }
  await refresh();
}

let timer;
let running = false;
/** A refresh asked for while one runs (after an action) follows it at once. */
let again = false;

/** One poll: every list at once, each one request; the poll is measured as POLL_MEASURE. */
async function refresh() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  again = false;
  clearTimeout(timer);
  const started = performance.now();
  try {
    const all = Object.values(lists);
    const results = await Promise.allSettled(all.map(readList));
    const failed = results.flatMap((result, i) => {
      if (result.status === 'fulfilled') return [];
      showListError(all[i], result.reason);
      return [result.reason];
    });
    // No answer at all: what is shown is what the mock last answered, dimmed until it answers.
    const unanswered = failed.length === all.length && !(failed[0] instanceof AdminError);
    document.querySelector('.board').classList.toggle('stale', unanswered);
    if (failed.length) showRefusal(failed[0]);
    else showUpdated();
  } finally {
    performance.measure(POLL_MEASURE, { start: started, end: performance.now() });
    running = false;
    if (again) timer = setTimeout(refresh, 0);
    else if ($('live').checked && $('token-form').hidden && !document.hidden) {
      timer = setTimeout(refresh, POLL_MS);
    }
  }
}

function showUpdated() {
  const live = $('live').checked;
  $('live-status').textContent = `${live ? 'Live' : 'Paused'} · updated ${clock(new Date())}`;
  $('live-status').className = live ? '' : 'paused';
}

/**
 * The status line when a poll failed. A missing token is a question (the form asks it), not a
 * failure; a Host the admin API does not answer (a mock bound to loopback, opened by another
 * name such as 0.0.0.0) says which address does; no answer at all says the mock may be gone.
 */
function showRefusal(error) {
  const code = error instanceof AdminError ? String(error.body.error) : '';
  let text =
    error instanceof AdminError
      ? `not updated: ${error.message}`
      : 'not updated: the mock does not answer (is it still running?)';
  if (code.startsWith('admin-token')) text = 'waiting for the admin token';
  if (code === 'admin-origin-forbidden') {
    text = `not updated: this mock answers its admin API on loopback only: open http://127.0.0.1:${window.location.port}/`;
  }
  $('live-status').textContent = text;
  // Waiting for the token is no failure, but nothing is live either: grey, as when paused.
  $('live-status').className = code.startsWith('admin-token') ? 'paused' : 'error';
}

function askForToken(code) {
  $('token-why').textContent =
    code === 'admin-token-invalid'
      ? 'That admin token is not valid: enter the one the server was started with.'
      : 'This server was started with an admin token: enter it to use the dashboard.';
  $('token-form').hidden = false;
  $('token-input').focus();
  // The cards not loaded yet say what they wait for, rather than "Loading…" for good.
  for (const placeholder of document.querySelectorAll('.empty')) {
    if (placeholder.textContent.startsWith('Loading')) {
      placeholder.textContent = 'Waiting for the admin token…';
    }
  }
}

/** A filter changed: its list starts again at its first page. */
function filtered(list) {
  return () => {
    list.offset = 0;
    void refresh();
  };
}

function start() {
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token-input').value);
    $('token-form').hidden = true;
    void refresh();
  });
  $('live').addEventListener('change', () => void refresh());
  $('fire-form').addEventListener('submit', fire);
  $('fire-event').addEventListener('change', prefill);
  $('fault-form').addEventListener('submit', addFault);
  $('subscription-workspace').addEventListener('change', filtered(lists.subscriptions));
  $('subscription-active').addEventListener('change', filtered(lists.subscriptions));
  $('journal-status').addEventListener('change', filtered(lists.journal));
  $('journal-path').addEventListener('input', filtered(lists.journal));
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void refresh();
  });

  $('fire-event').replaceChildren(...contract.events.map((e) => h('option', { value: e }, e)));
  prefill();
  $('fault-method').replaceChildren(...contract.faultMethods.map((m) => h('option', {}, m)));
  $('fault-error').append(...contract.errorCodes.map((c) => h('option', {}, c)));
  void refresh();
}

loadContract().then(start, (error) =>
  notify(`Could not read /openapi.json: ${error.message}`, 'error'),
);
