// The QA dashboard: it reads and changes the mock only through the admin API (/__admin), with
// the admin token when the server has one, and polls it for live updates. Everything shown is
// built as DOM text, never as HTML: the journal holds whatever clients sent.

const POLL_MS = 1500;
const TOKEN_KEY = 'chatting-mock-admin-token';
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

const time = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '');
const plural = (count, word) => `${count} ${word}${count === 1 ? '' : 's'}`;
const json = (value) => JSON.stringify(value, null, 2);
const badge = (text, kind = text) => h('span', { class: `badge ${kind}` }, text);
const emptyRow = (columns, text) =>
  h('tr', {}, h('td', { colspan: columns, class: 'empty' }, text));

function notify(text, kind = 'info') {
  const notice = $('notice');
  notice.textContent = text;
  notice.className = `notice ${kind}`;
  notice.hidden = false;
}

/** Replaces a table body only when its data changed, so focus and scrolling survive a poll. */
const shown = new Map();
function renderRows(id, data, row, empty) {
  const text = JSON.stringify(data);
  if (shown.get(id) === text) return;
  shown.set(id, text);
  const rows = data.items.map(row);
  $(id).replaceChildren(...(rows.length ? rows : [emptyRow(row.columns ?? 7, empty)]));
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

// ---- workspaces ----

let workspaces = [];
const revealedKeys = new Map();

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    notify(`${what} copied.`);
  } catch {
    notify(`Copy it by hand: ${text}`);
  }
}

async function countOf(collection, workspaceId) {
  const { answer, response } = await admin(
    'GET',
    `/db/${collection}?workspace_id=${encodeURIComponent(workspaceId)}&_limit=1`,
  );
  return Number(response.headers.get('x-total-count') ?? answer.length);
}

async function refreshWorkspaces(subscriptions, deliveries) {
  const { answer } = await admin('GET', '/workspaces');
  workspaces = answer.items;
  const counts = await Promise.all(
    workspaces.map(async (w) => ({
      contacts: await countOf('contacts', w.id),
      conversations: await countOf('conversations', w.id),
      subscriptions: subscriptions.filter((s) => s.workspace_id === w.id && s.active).length,
      deliveries: deliveries.filter((d) => d.workspace_id === w.id).length,
    })),
  );
  const data = {
    items: workspaces.map((w, i) => ({ ...w, counts: counts[i] })),
    revealed: [...revealedKeys.keys()],
  };
  renderRows('workspace-rows', data, workspaceRow, 'No workspaces.');
  fillWorkspaceSelect($('fire-workspace'), false);
  fillWorkspaceSelect($('subscription-workspace'), true);
}

function workspaceRow(w) {
  const keys = w.keys.map((key) =>
    h(
      'li',
      {},
      h('code', {}, `chatting_live_${key.id}_••••••`),
      key.revoked_at ? badge('revoked', 'failed') : '',
      ' ',
      h('button', { type: 'button', onclick: () => copy(key.id, 'Key id') }, 'Copy id'),
      key.revoked_at
        ? ''
        : h('button', { type: 'button', onclick: () => revokeKey(key.id) }, 'Revoke'),
      revealedKeys.has(key.id) ? newKeyLine(revealedKeys.get(key.id)) : '',
    ),
  );
  return h(
    'tr',
    {},
    h('td', {}, h('strong', {}, w.team_name), h('br'), h('code', {}, w.id), h('br'), w.owner_email),
    h(
      'td',
      {},
      w.sites.length
        ? h(
            'ul',
            {},
            w.sites.map((s) =>
              h('li', {}, s.domain, s.id === w.primary_site_id ? badge('primary', 'info') : ''),
            ),
          )
        : badge('no site', 'failed'),
    ),
    h(
      'td',
      {},
      h('ul', {}, keys),
      h('button', { type: 'button', onclick: () => newKey(w.id) }, 'New key'),
    ),
    h(
      'td',
      { class: 'counts' },
      [
        plural(w.counts.contacts, 'contact'),
        plural(w.counts.conversations, 'conversation'),
        plural(w.counts.subscriptions, 'active subscription'),
        `${w.counts.deliveries} ${w.counts.deliveries === 1 ? 'delivery' : 'deliveries'}`,
      ].join(', '),
    ),
  );
}
workspaceRow.columns = 4;

/** A key made here is shown once, masked until asked, with a copy button. */
function newKeyLine(token) {
  const code = h('code', { class: 'secret' }, token.replace(/_[^_]+$/, '_••••••'));
  const show = h(
    'button',
    {
      type: 'button',
      onclick: () => {
        code.textContent = token;
        show.remove();
      },
    },
    'Show',
  );
  return h(
    'div',
    { class: 'new-key' },
    'New key: ',
    code,
    show,
    h('button', { type: 'button', onclick: () => copy(token, 'API key') }, 'Copy key'),
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

function fillWorkspaceSelect(select, withAll) {
  const ids = workspaces.map((w) => w.id);
  const current = [...select.options].map((o) => o.value).filter(Boolean);
  if (JSON.stringify(ids) === JSON.stringify(current)) return;
  const chosen = select.value;
  select.replaceChildren(
    ...(withAll ? [h('option', { value: '' }, 'all')] : []),
    ...workspaces.map((w) => h('option', { value: w.id }, `${w.team_name} (${w.id})`)),
  );
  if (chosen) select.value = chosen;
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
  const body = { workspace_id: $('fire-workspace').value, event: $('fire-event').value, data };
  try {
    const { answer } = await admin('POST', '/events', body);
    $('fire-result').textContent =
      `${body.event} happened in ${body.workspace_id}: sent to ${answer.deliveries} ` +
      `subscription${answer.deliveries === 1 ? '' : 's'}.`;
    void refresh();
  } catch (error) {
    $('fire-result').textContent = `Refused: ${error.message}`;
  }
}

// ---- subscriptions ----

async function refreshSubscriptions() {
  const query = new URLSearchParams({ limit: '1000' });
  if ($('subscription-workspace').value)
    query.set('workspace_id', $('subscription-workspace').value);
  if ($('subscription-active').value) query.set('active', $('subscription-active').value);
  const { answer } = await admin('GET', `/subscriptions?${query}`);
  // Grouped by workspace and event, newest first within each.
  const items = [...answer.items].sort(
    (a, b) => a.workspace_id.localeCompare(b.workspace_id) || a.event.localeCompare(b.event),
  );
  renderRows('subscription-rows', { items }, subscriptionRow, 'No subscriptions.');
  if ($('subscription-workspace').value || $('subscription-active').value) {
    return (await admin('GET', '/subscriptions?limit=1000')).answer.items;
  }
  return answer.items;
}

function subscriptionRow(s) {
  return h(
    'tr',
    {},
    h('td', {}, h('code', {}, s.workspace_id)),
    h('td', {}, s.event),
    h('td', { class: 'url' }, s.target_url),
    h('td', {}, s.active ? badge('active', 'delivered') : badge('inactive', 'cancelled')),
    h('td', { title: s.created_at }, time(s.created_at)),
  );
}
subscriptionRow.columns = 5;

// ---- deliveries ----

async function refreshDeliveries() {
  const { answer } = await admin('GET', '/deliveries?limit=50');
  renderRows('delivery-rows', answer, deliveryRow, 'No deliveries yet: fire an event.');
  return answer.items;
}

function deliveryRow(d) {
  return h(
    'tr',
    { 'data-delivery': d.id },
    h('td', { title: d.created_at }, time(d.created_at)),
    h('td', {}, d.event),
    h('td', {}, h('code', {}, d.workspace_id)),
    h('td', { class: 'url' }, d.target_url),
    h('td', { class: 'delivery-status' }, badge(d.status)),
    h('td', {}, `${d.attempts}${d.last_status_code ? ` · last ${d.last_status_code}` : ''}`),
    h('td', {}, h('button', { type: 'button', onclick: () => openDelivery(d.id) }, 'Open')),
  );
}
deliveryRow.columns = 7;

async function openDelivery(id) {
  await act(async () => {
    const { answer } = await admin('GET', `/deliveries/${encodeURIComponent(id)}`);
    const d = answer.delivery;
    const attempts = d.history.map((a) =>
      h(
        'tr',
        {},
        h('td', {}, a.number),
        h('td', {}, time(a.started_at)),
        h('td', {}, a.status_code ?? '—'),
        h('td', {}, a.duration_ms.toFixed(1)),
        h('td', {}, a.error ?? ''),
      ),
    );
    showDetail(
      `Delivery ${d.id}`,
      h(
        'p',
        {},
        badge(d.status),
        ` ${d.event} to `,
        h('code', {}, d.target_url),
        d.redelivery_of ? ` (redelivery of ${d.redelivery_of})` : '',
      ),
      h('h3', {}, 'Attempts'),
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['#', 'Started', 'Status code', 'ms', 'Error'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        h('tbody', {}, attempts.length ? attempts : emptyRow(5, 'No attempt yet.')),
      ),
      h('h3', {}, 'Payload'),
      h('pre', {}, json(d.payload)),
      h(
        'button',
        {
          type: 'button',
          onclick: () =>
            act(async () => {
              const again = await admin(
                'POST',
                `/deliveries/${encodeURIComponent(d.id)}/redeliver`,
              );
              $('detail').close();
              notify(`Redelivering as ${again.answer.delivery.id}.`);
            }),
        },
        'Redeliver',
      ),
    );
  });
}

// ---- request journal ----

/** The entries last listed, by id, for opening one. */
let journal = new Map();

async function refreshJournal() {
  const { answer } = await admin('GET', '/journal?limit=200');
  const status = $('journal-status').value;
  const path = $('journal-path').value.trim();
  const items = answer.items.filter(
    (e) => (!status || String(e.status).startsWith(status)) && (!path || e.path.includes(path)),
  );
  journal = new Map(answer.items.map((e) => [e.id, e]));
  renderRows('journal-rows', { items }, journalRow, 'No requests match.');
}

function journalRow(e) {
  return h(
    'tr',
    { 'data-entry': e.id },
    h('td', { title: e.at }, time(e.at)),
    h('td', {}, e.method),
    h('td', { class: 'url' }, e.path),
    h('td', {}, badge(String(e.status), e.status < 400 ? 'delivered' : 'failed')),
    h('td', {}, e.ms.toFixed(1)),
    h('td', {}, e.workspace_id ? h('code', {}, e.workspace_id) : '—'),
    h('td', {}, h('button', { type: 'button', onclick: () => openEntry(e.id) }, 'Open')),
  );
}
journalRow.columns = 7;

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

function openEntry(id) {
  const e = journal.get(id);
  if (!e) return;
  showDetail(
    `${e.method} ${e.path} → ${e.status}`,
    h('p', {}, `${e.at} · ${e.ms.toFixed(1)} ms · workspace ${e.workspace_id ?? '—'}`),
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

async function refreshFaults() {
  const { answer } = await admin('GET', '/faults');
  renderRows('fault-rows', answer, faultRow, 'No fault rules: every request is answered normally.');
}

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
    'tr',
    { 'data-fault': rule.id },
    h('td', {}, rule.method),
    h('td', { class: 'url' }, rule.path),
    h('td', {}, fault || 'none'),
    h('td', {}, rule.times ?? 'all'),
    h(
      'td',
      {},
      h(
        'button',
        {
          type: 'button',
          onclick: () =>
            act(async () => {
              await admin('DELETE', `/faults/${encodeURIComponent(rule.id)}`);
              notify(`Fault rule on ${rule.path} removed.`);
            }),
        },
        'Remove',
      ),
    ),
  );
}
faultRow.columns = 5;

async function addFault(event) {
  event.preventDefault();
  const number = (id) => ($(id).value === '' ? undefined : Number($(id).value));
  const rule = {
    method: $('fault-method').value,
    path: $('fault-path').value,
    error: $('fault-error').value || undefined,
    status: number('fault-status'),
    delay_ms: number('fault-delay'),
    times: number('fault-times'),
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

async function refresh() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  again = false;
  clearTimeout(timer);
  try {
    const [subscriptions, deliveries] = await Promise.all([
      refreshSubscriptions(),
      refreshDeliveries(),
      refreshJournal(),
      refreshFaults(),
    ]);
    await refreshWorkspaces(subscriptions, deliveries);
    $('live-status').textContent = `updated ${time(new Date().toISOString())}`;
    $('live-status').className = '';
  } catch (error) {
    showRefusal(error);
  } finally {
    running = false;
    if (again) timer = setTimeout(refresh, 0);
    else if ($('live').checked && $('token-form').hidden && !document.hidden) {
      timer = setTimeout(refresh, POLL_MS);
    }
  }
}

/**
 * The status line when a refresh failed. A missing token is a question (the form asks it), not
 * a failure; a Host the admin API does not answer (a mock bound to loopback, opened by another
 * name such as 0.0.0.0) says which address does.
 */
function showRefusal(error) {
  const code = error instanceof AdminError ? String(error.body.error) : '';
  let text = `not updated: ${error.message}`;
  if (code.startsWith('admin-token')) text = 'waiting for the admin token';
  if (code === 'admin-origin-forbidden') {
    text = `not updated: this mock answers its admin API on loopback only: open http://127.0.0.1:${window.location.port}/`;
  }
  $('live-status').textContent = text;
  $('live-status').className = code.startsWith('admin-token') ? '' : 'error';
}

function askForToken(code) {
  $('token-why').textContent =
    code === 'admin-token-invalid'
      ? 'That admin token is not valid: enter the one the server was started with.'
      : 'This server was started with an admin token: enter it to use the dashboard.';
  $('token-form').hidden = false;
  $('token-input').focus();
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
  for (const id of ['subscription-workspace', 'subscription-active', 'journal-status']) {
    $(id).addEventListener('change', () => void refresh());
  }
  $('journal-path').addEventListener('input', () => void refresh());
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
