// The insights page: reads the filters from the URL, fetches the figures from the JSON API next to
// it, and refreshes when the server says new events were stored (server-sent events, else polling).
// Every value is written with textContent: event data never becomes markup.

const FILTERS = ['channel', 'assistant', 'from', 'to', 'customer'];
const PAGE = 25;
let offset = 0;
let total = 0;

const $ = (id) => document.getElementById(id);
const fmt = {
  int: (n) => (n === null || n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US')),
  dec: (n, d = 1) => (n === null || n === undefined ? 'n/a' : Number(n).toFixed(d)),
  pct: (n) => (n === null || n === undefined ? 'n/a' : `${(n * 100).toFixed(1)}%`),
  ms: (n) => (n === null || n === undefined ? 'n/a' : `${Math.round(n).toLocaleString('en-US')} ms`),
  usd: (n) => (n === null || n === undefined ? 'n/a' : `$${Number(n).toFixed(4)}`),
};
const TYPE_NAMES = {
  whatsapp: 'WhatsApp',
  web_widget: 'Web Widget',
  test: 'Test',
  api: 'API',
  voice: 'Voice',
};

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') node.textContent = value;
    else if (key === 'className') node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function currentFilters() {
  const params = new URLSearchParams(location.search);
  const filters = new URLSearchParams();
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) filters.set(name, value);
  }
  return filters;
}

function fillForm() {
  const filters = currentFilters();
  for (const name of FILTERS) $(`f-${name}`).value = filters.get(name) ?? '';
}

function exportLinks() {
  for (const format of ['csv', 'jsonl']) {
    const query = currentFilters();
    query.set('format', format);
    $(`export-${format}`).href = `api/export?${query}`;
  }
}

async function getJson(path, query) {
  const response = await fetch(`${path}${query && `${query}` ? `?${query}` : ''}`, {
    headers: { accept: 'application/json' },
  });
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

function setText(id, text) {
  $(id).textContent = text;
}

function bars(container, items) {
  const max = Math.max(1, ...items.map((i) => i.count));
  container.replaceChildren(
    ...items.map((i) =>
      el('div', { className: 'bar', title: `${i.name}: ${i.count}` }, [
        el('span', { className: 'count', text: String(i.count) }),
        (() => {
          const fill = el('span', { className: 'fill' });
          fill.style.height = `${(i.count / max) * 100}%`;
          return fill;
        })(),
        el('span', { className: 'name', text: i.name }),
      ]),
    ),
  );
  container.setAttribute(
    'aria-label',
    `${container.getAttribute('aria-label').split(':')[0]}: ${items.map((i) => `${i.name} ${i.count}`).join(', ') || 'no data'}`,
  );
}

function rows(tbody, items, cells) {
  tbody.replaceChildren(
    ...(items.length
      ? items.map((item) =>
          el(
            'tr',
            {},
            cells(item).map((c) => (c instanceof Node ? el('td', {}, [c]) : el('td', { text: String(c) }))),
          ),
        )
      : [el('tr', {}, [el('td', { text: 'No data for these filters', colspan: '8' })])]),
  );
}

function badge(channel) {
  const known = channel && TYPE_NAMES[channel];
  return el('span', { className: `badge ${known ? channel : 'other'}`, text: known ?? channel ?? 'unknown' });
}

function renderOverview(o) {
  const a = o.aiAgent;
  setText('c-classifications', fmt.int(a.classifications));
  setText('c-accuracy', fmt.dec(a.accuracy, 3));
  setText('c-latency', fmt.ms(a.avgLatencyMs));
  setText('c-error-rate', fmt.pct(a.errorRate));
  setText('c-errors', `${a.errors} of ${a.requests} AI requests`);
  bars(
    $('latency-histogram'),
    a.latencyDistribution.map((b) => ({ name: b.bucket, count: b.count })),
  );
  rows($('top-intents').tBodies[0], a.topIntents, (r) => [r.intent, r.count]);
  rows($('errors-over-time').tBodies[0], a.overTime, (r) => [
    r.day,
    r.requests,
    r.errors,
    fmt.pct(r.error_rate),
  ]);
  const c = o.conversations;
  setText('c-conversations', fmt.int(c.total));
  setText('c-messages', fmt.dec(c.messagesPerConversation));
  setText('c-response-rate', fmt.pct(c.responseRate));
  setText('c-answered', `${c.answered} of ${c.customerMessages} customer messages answered`);
  setText('c-response-time', fmt.ms(c.avgResponseTimeMs));
  setText('c-cost', fmt.usd(c.costPerConversation));
  bars(
    $('conversations-over-time'),
    c.overTime.map((d) => ({ name: d.day, count: d.conversations })),
  );
  const s = o.customerSignals;
  setText('s-handling', `${s.handling.auto} / ${s.handling.assisted} / ${s.handling.human}`);
  setText('s-escalated', fmt.int(s.handling.escalated));
  setText('s-severe', fmt.int(s.severeNegatives));
  setText('s-dissatisfaction', `${s.dissatisfaction} dissatisfaction signals`);
  setText('s-kb-gaps', fmt.int(s.kbGaps));
  setText('s-resolved', `${s.outcomes.resolved} / ${s.outcomes.recovered}`);
  setText('s-reopened', fmt.int(s.outcomes.reopened));
  setText('s-handoffs', fmt.int(s.outcomes.handoff_completed));
  rows($('top-themes').tBodies[0], s.topThemes, (r) => [r.theme_id, r.count]);
}

function renderList(list) {
  total = list.total;
  const tbody = $('conversation-list').tBodies[0];
  rows(tbody, list.conversations, (r) => [
    el('button', {
      type: 'button',
      className: 'open',
      'data-id': r.conversation_id,
      text: r.conversation_id,
    }),
    badge(r.channel),
    r.assistant ?? '–',
    r.customer ?? '–',
    r.started_at.slice(0, 19).replace('T', ' '),
    r.messages,
    r.tool_calls,
    fmt.usd(r.cost_usd),
  ]);
  const last = Math.min(offset + PAGE, total);
  setText('page-info', total ? `${offset + 1}–${last} of ${total}` : 'No conversations');
  $('prev').disabled = offset === 0;
  $('next').disabled = last >= total;
}

function describe(m) {
  if (m.event === 'Message Sent') return ['customer', 'Customer message'];
  if (m.event === 'Message Received') return ['agent', 'AI response'];
  if (m.event === 'Action Invoked') return ['tool', `Function call: ${m.action ?? 'unknown'}`];
  return ['event', m.event];
}

async function openConversation(id, focus) {
  const detail = await getJson(`api/conversations/${encodeURIComponent(id)}`);
  setText('detail-id', id);
  const messages = detail.messages.filter((m) =>
    ['Message Sent', 'Message Received'].includes(m.event),
  ).length;
  setText('detail-summary', `${messages} messages, total cost ${fmt.usd(detail.totalCostUsd)}`);
  $('history').replaceChildren(
    ...detail.messages.map((m) => {
      const [kind, title] = describe(m);
      const meta = [m.ts.slice(0, 23).replace('T', ' ')];
      if (m.role) meta.push(`role ${m.role}`);
      if (m.length !== null) meta.push(`${m.length} characters`);
      if (m.model) meta.push(`model ${m.model}`);
      if (m.prompt_tokens !== null || m.completion_tokens !== null) {
        meta.push(`tokens ${m.prompt_tokens ?? '?'} in / ${m.completion_tokens ?? '?'} out`);
      }
      if (m.cost_usd !== null) meta.push(`cost ${fmt.usd(m.cost_usd)}`);
      const children = [
        el('strong', { text: title }),
        el('div', { className: 'meta', text: meta.join(' · ') }),
      ];
      if (m.content !== null) children.push(el('div', { className: 'text', text: m.content }));
      return el('li', { className: kind }, children);
    }),
  );
  $('detail').hidden = false;
  if (location.hash !== `#conversation=${encodeURIComponent(id)}`) {
    history.replaceState(null, '', `${location.search}#conversation=${encodeURIComponent(id)}`);
  }
  if (focus) $('detail').focus();
}

function openFromHash(focus) {
  const match = /^#conversation=(.+)$/.exec(location.hash);
  if (!match) {
    $('detail').hidden = true;
    return Promise.resolve();
  }
  return openConversation(decodeURIComponent(match[1]), focus);
}

let loading = null;
let again = false;
async function load() {
  if (loading) {
    // New events arrived while loading: load once more when this load ends.
    again = true;
    return loading;
  }
  loading = (async () => {
    const filters = currentFilters();
    const page = new URLSearchParams(filters);
    page.set('limit', String(PAGE));
    page.set('offset', String(offset));
    try {
      const [overview, list] = await Promise.all([
        getJson('api/overview', filters),
        getJson('api/conversations', page),
      ]);
      renderOverview(overview);
      renderList(list);
      await openFromHash(false).catch(() => {});
      $('error').hidden = true;
      setText('status', `Updated ${new Date().toLocaleTimeString('en-GB')}`);
      document.body.dataset.loaded = String(Number(document.body.dataset.loaded ?? 0) + 1);
    } catch (error) {
      $('error').textContent = `Could not load the figures: ${error.message}`;
      $('error').hidden = false;
      setText('status', 'Update failed');
    } finally {
      loading = null;
      if (again) {
        again = false;
        load();
      }
    }
  })();
  return loading;
}

function applyForm(event) {
  event.preventDefault();
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    const value = $(`f-${name}`).value.trim();
    if (value) query.set(name, value);
  }
  offset = 0;
  history.pushState(null, '', `${query.toString() ? `?${query}` : location.pathname}${location.hash}`);
  exportLinks();
  load();
}

function live() {
  if (!('EventSource' in window)) {
    setInterval(load, 10_000);
    return;
  }
  const source = new EventSource('api/live');
  source.addEventListener('stored', () => load());
  source.onerror = () => {
    // The browser reconnects by itself; meanwhile poll so the page stays current.
    if (source.readyState === EventSource.CLOSED) setInterval(load, 10_000);
  };
}

document.addEventListener('DOMContentLoaded', () => {
  fillForm();
  exportLinks();
  $('filters').addEventListener('submit', applyForm);
  $('f-clear').addEventListener('click', () => {
    for (const name of FILTERS) $(`f-${name}`).value = '';
    $('filters').requestSubmit();
  });
  $('prev').addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE);
    load();
  });
  $('next').addEventListener('click', () => {
    offset += PAGE;
    load();
  });
  $('conversation-list').addEventListener('click', (event) => {
    const button = event.target.closest('button.open');
    if (button)
      openConversation(button.dataset.id, true).catch((error) => {
        $('error').textContent = `Could not open the conversation: ${error.message}`;
        $('error').hidden = false;
      });
  });
  $('detail-close').addEventListener('click', () => {
    $('detail').hidden = true;
    history.replaceState(null, '', location.search || location.pathname);
  });
  window.addEventListener('popstate', () => {
    fillForm();
    exportLinks();
    load();
  });
  load();
  live();
});
