// The cutover dashboard: plain JavaScript, served by `cutover serve`.
// It signs in with a token kept in this tab (sessionStorage), reads
// /v1/dashboard, listens to /v1/stream (server-sent events, read through
// fetch so the token goes in a header, never in a URL) and reads the
// dashboard again on every change. Operators act through
// /v1/operations/*; the server decides who may, the page only hides what
// a viewer could not do anyway. Everything is rendered with textContent:
// the only markup inserted is the plan's SVG chart, made by the server.
'use strict';

const TOKEN_KEY = 'cutover-token';
const state = { token: null, caller: null, data: null, filter: {}, refreshing: false, again: false, stream: null, link: null };

const $ = (id) => document.getElementById(id);

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function headers(extra) {
  return Object.assign({ Authorization: `Bearer ${state.token}` }, extra || {});
}

async function call(path, options) {
  const response = await fetch(path, Object.assign({ cache: 'no-store' }, options, { headers: headers(options && options.headers) }));
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (_) { body = { error: text }; }
  return { status: response.status, ok: response.ok, body };
}

function when(text) {
  if (!text) return '';
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function modeText(mode, percent) {
  return mode === 'canary' ? `canary ${percent}%` : mode;
}

function modeBadge(mode, percent) {
  return element('span', { class: `mode mode-${mode}`, 'data-mode': mode, 'data-percent': percent }, modeText(mode, percent));
}

function number(value, digits) {
  return value === null || value === undefined ? '–' : Number(value).toFixed(digits).replace(/\.?0+$/, '') || '0';
}

// ---- signing in -------------------------------------------------------------

function tokenFromFragment() {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) return null;
  history.replaceState(null, '', window.location.pathname + window.location.search);
  return decodeURIComponent(match[1]);
}

async function signIn(token) {
  state.token = token;
  const answer = await call('/v1/whoami');
  if (!answer.ok) {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    showSignIn(answer.status === 401 ? 'That token is not known to this server.' : `The server answered ${answer.status}.`);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  state.caller = answer.body;
  $('sign-in').hidden = true;
  $('board').hidden = false;
  $('sign-out').hidden = false;
  const caller = $('caller');
  caller.hidden = false;
  caller.textContent = `${answer.body.name} (${answer.body.role})`;
  caller.setAttribute('data-role', answer.body.role);
  $('act').hidden = answer.body.role !== 'operator';
  listen();
  refresh();
  showLink();
}

function showSignIn(message) {
  $('board').hidden = true;
  $('sign-out').hidden = true;
  $('caller').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message || '';
}

function signOut() {
  if (state.stream) state.stream.abort();
  state.stream = null;
  state.token = null;
  state.caller = null;
  sessionStorage.removeItem(TOKEN_KEY);
  setLive(false);
  showSignIn('');
}

// ---- live updates -----------------------------------------------------------

function setLive(on) {
  const live = $('live');
  live.textContent = on ? 'live' : 'offline';
  live.classList.toggle('on', on);
}

async function listen() {
  if (state.stream) state.stream.abort();
  const controller = new AbortController();
  state.stream = controller;
  while (state.stream === controller) {
    try {
      const response = await fetch('/v1/stream', { headers: headers(), cache: 'no-store', signal: controller.signal });
      if (response.status === 401) { signOut(); return; }
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      setLive(true);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.split('\n').some((line) => line.startsWith('data:'))) refresh();
        }
      }
    } catch (_) {
      if (controller.signal.aborted) return;
    }
    setLive(false);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

// Coalesced: one read at a time, and one more if changes came meanwhile.
async function refresh() {
  if (!state.token) return;
  if (state.refreshing) { state.again = true; return; }
  state.refreshing = true;
  try {
    do {
      state.again = false;
      const query = new URLSearchParams(Object.entries(state.filter).filter(([, v]) => v));
      const answer = await call(`/v1/dashboard${query.toString() ? `?${query}` : ''}`);
      if (answer.status === 401) { signOut(); return; }
      if (!answer.ok) { notice(answer.body && answer.body.error ? answer.body.error : `The server answered ${answer.status}.`); continue; }
      notice('');
      state.data = answer.body;
      render(answer.body);
    } while (state.again);
  } finally {
    state.refreshing = false;
  }
}

function notice(text) {
  const node = $('notice');
  node.hidden = !text;
  node.textContent = text;
}

// ---- rendering --------------------------------------------------------------

function render(data) {
  $('title').textContent = `cutover · ${data.migration}`;
  document.title = `cutover · ${data.migration}`;
  $('mode-file').textContent = data.mode_file
    ? `Modes committed in ${data.mode_file} (the server's checkout); overrides from the store apply on top.`
    : 'No mode file yet: modes come from the store until the first advance, rollback or sync writes it.';
  $('components').replaceChildren(...data.components.map(renderComponent));
  renderDecisions(data.decisions);
  renderPlan(data);
  renderRuns(data.runs);
  renderEvents(data);
  renderActChoices(data);
}

function renderComponent(view) {
  const status = view.status;
  const flags = [];
  if (status.override) {
    const held = status.override.in_file ? 'in the mode file' : 'not in the mode file yet: commit, then `cutover sync`';
    flags.push(element('span', { class: 'flag', 'data-override': status.override.mode },
      `override: at most ${modeText(status.override.mode, status.override.canary_percent)} by ${status.override.actor} (${held})`));
  }
  if (view.recorded_elsewhere) {
    flags.push(element('span', { class: 'flag info' },
      `recorded ${modeText(view.recorded.mode, view.recorded.canary_percent)} from another checkout: not in this mode file yet`));
  }
  if (status.held) flags.push(element('span', { class: 'flag' }, 'held by a decision point'));
  if (status.rollback_interrupted) flags.push(element('span', { class: 'flag' }, 'rollback interrupted: resume it'));
  if (status.drift) {
    flags.push(element('span', { class: 'flag' },
      `drift: legacy definition changed since shadow${view.drifted_files.length ? ` (${view.drifted_files.join(', ')})` : ''}`));
  }
  const runs = status.runs;
  const parity = status.parity === null ? 'no runs compared' : `parity ${number(status.parity * 100, 1)}%`;
  return element('article', { class: 'card component', 'data-component': status.id },
    element('header', {},
      element('h3', {}, status.id),
      modeBadge(status.mode, status.canary_percent)),
    element('p', { class: 'muted' },
      `${view.name} · ${view.owner}${view.phase ? ` · phase ${view.phase}` : ''}`,
      status.since ? ` · since ${when(status.since)}` : '',
      status.mode !== status.committed.mode || status.canary_percent !== status.committed.canary_percent
        ? ` · committed ${modeText(status.committed.mode, status.committed.canary_percent)}` : ''),
    flags.length ? element('p', {}, flags) : null,
    element('p', {},
      `${runs.total} runs (legacy ${runs.legacy}, Dagger ${runs.dagger}), ${runs.mismatches} mismatches, ${parity}`,
      runs.incomplete ? `, ${runs.incomplete} incomplete` : ''),
    renderGate(view.gate, view.next));
}

function renderGate(gate, next) {
  if (!gate) return element('p', { class: 'muted' }, 'gate: the plan could not be built');
  return element('details', { class: 'gate' },
    element('summary', {},
      `gate${next ? ` to ${next}` : ''}: `,
      element('span', { class: `verdict verdict-${gate.verdict}` }, gate.verdict),
      ` (${gate.criteria.length} criteria)`,
      gate.note ? element('span', { class: 'muted' }, ` — ${gate.note}`) : null),
    element('ul', { class: 'criteria' }, gate.criteria.map((criterion) => element('li', {},
      element('code', {}, criterion.expr), ' ',
      element('span', { class: `verdict verdict-${criterion.verdict}` }, criterion.verdict),
      criterion.enforce ? '' : ' (observed only)',
      element('span', { class: 'muted' },
        ` · ${criterion.observed === null ? 'no data' : number(criterion.observed, 4)}`,
        criterion.threshold === null ? '' : ` vs ${number(criterion.threshold, 4)}`,
        ` · ${criterion.runs} runs (${criterion.window})`,
        criterion.contended_left_out ? ` · ${criterion.contended_left_out} contended left out` : '')))));
}

function renderDecisions(decisions) {
  const node = $('decisions');
  if (!decisions.length) { node.replaceChildren(element('p', { class: 'muted' }, 'None: nothing is held.')); return; }
  node.replaceChildren(...decisions.map((d) => element('div', { class: 'row decision', 'data-component': d.component },
    element('strong', {}, d.component),
    element('span', {}, element('code', {}, d.trigger)),
    element('span', { class: 'muted' }, d.evidence),
    element('span', {}, `opened ${when(d.opened_at)}`),
    element('span', { class: d.overdue ? 'error' : '' }, d.deadline ? `due ${when(d.deadline)}${d.overdue ? ' (overdue)' : ''}` : 'no deadline'),
    element('span', {}, `decider: ${d.decider}`))));
}

function renderPlan(data) {
  const phases = $('phases');
  const gantt = $('gantt');
  if (!data.plan) {
    phases.replaceChildren(element('li', { class: 'error' }, data.plan_error || 'no plan'));
    gantt.replaceChildren();
    return;
  }
  phases.replaceChildren(...data.plan.phases.map((p) => element('li', {},
    element('strong', {}, p.name), ` ${p.start} → ${p.end} · gate ${p.gate} · `, p.components.join(', '))));
  // The chart is the server's own SVG (labels escaped where it is made).
  gantt.innerHTML = data.plan.gantt_svg;
}

function renderRuns(runs) {
  const node = $('runs');
  if (!runs.length) { node.replaceChildren(element('p', { class: 'muted' }, 'No runs recorded yet.')); return; }
  node.replaceChildren(...runs.map((run) => {
    const parity = run.has_parity === null ? 'not compared' : run.parity;
    return element('div', { class: 'row run', 'data-run': run.id },
      element('strong', {}, run.component),
      element('span', {}, when(run.started_at)),
      modeBadge(run.mode, run.canary_percent),
      element('span', {}, `${run.authoritative} authoritative`),
      element('span', {}, `${run.status}${run.exit_code === null ? '' : `, exit ${run.exit_code}`}`),
      element('span', { class: run.has_parity === false ? 'error' : '' }, parity),
      run.difference.length ? element('pre', {}, run.difference.join('\n')) : null);
  }));
}

function describeDetail(detail) {
  if (detail && detail.from && detail.to && detail.from.mode) {
    return `${modeText(detail.from.mode, detail.from.canary_percent)} → ${modeText(detail.to.mode, detail.to.canary_percent)}`;
  }
  const text = JSON.stringify(detail);
  return text && text.length > 240 ? `${text.slice(0, 240)}…` : (text || '');
}

function renderEvents(data) {
  const select = (id, values, current) => {
    const node = $(id);
    node.replaceChildren(element('option', { value: '' }, 'all'),
      ...values.map((v) => element('option', { value: v, selected: v === current }, v)));
  };
  select('filter-component', data.components.map((c) => c.status.id), data.filter.component || '');
  select('filter-kind', data.event_kinds, data.filter.kind || '');
  $('events').replaceChildren(...data.events.map((e) => element('li', { class: 'row event' },
    element('span', {}, when(e.at)),
    element('strong', {}, e.kind),
    e.component ? element('span', {}, e.component) : null,
    element('span', {}, `by ${e.actor}`),
    e.reason ? element('span', { class: 'muted' }, `“${e.reason}”`) : null,
    element('span', { class: 'muted' }, describeDetail(e.detail)))));
  if (!data.events.length) $('events').replaceChildren(element('li', { class: 'muted' }, 'No events match.'));
}

// ---- acting (operators) -----------------------------------------------------

function renderActChoices(data) {
  const target = $('act-target');
  const chosen = target.value;
  const targets = data.components.map((c) => c.status.id)
    .concat(data.plan ? data.plan.phases.map((p) => `phase-${p.number}`) : []);
  target.replaceChildren(...targets.map((t) => element('option', { value: t, selected: t === chosen }, t)));
  const to = $('act-to');
  const toChosen = to.value;
  to.replaceChildren(element('option', { value: '' }, 'next / restore point'),
    ...data.modes.map((m) => element('option', { value: m, selected: m === toChosen }, m)));
}

function showOperationFields() {
  const operation = $('act-operation').value;
  for (const label of document.querySelectorAll('#act-form [data-for]')) {
    label.hidden = !label.getAttribute('data-for').split(' ').includes(operation);
  }
  $('act-submit').textContent = $('act-operation').selectedOptions[0].textContent;
}

// The mode changes an operation made, in words (empty when none).
function changesText(done) {
  return done.changes
    .map((c) => `${c.component}: ${modeText(c.from.mode, c.from.canary_percent)} → ${modeText(c.to.mode, c.to.canary_percent)}`)
    .join('; ');
}

async function act(event) {
  event.preventDefault();
  const operation = $('act-operation').value;
  const target = $('act-target').value;
  const reason = $('act-reason').value.trim() || undefined;
  const to = $('act-to').value || undefined;
  let body;
  if (operation === 'advance') {
    const percent = $('act-percent').value ? Number($('act-percent').value) : undefined;
    body = { target, to, percent, reason, force: $('act-force').checked, confirm_retire: $('act-confirm-retire').checked };
  } else if (operation === 'rollback') {
    body = { target, to, reason, cascade: $('act-cascade').checked };
  } else {
    body = { component: target, decision: $('act-decision').value, reason: reason || '' };
  }
  const result = $('act-result');
  result.className = '';
  result.textContent = 'working…';
  const answer = await call(`/v1/operations/${operation}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!answer.ok) {
    result.className = 'error';
    result.textContent = (answer.body && answer.body.error) || `The server answered ${answer.status}.`;
    return;
  }
  result.textContent = [changesText(answer.body) || 'nothing changed', answer.body.note].filter(Boolean).join(' — ');
  refresh();
}

// ---- a signed link (/act?…) -------------------------------------------------
// A stakeholder message's link opens this page at /act. Nothing happens until
// the signed-in operator confirms; the server checks the link again then.

async function showLink() {
  if (window.location.pathname !== '/act') return;
  $('link').hidden = false;
  const link = window.location.search.replace(/^\?/, '');
  const summary = $('link-summary');
  const answer = await call('/v1/links/check', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ link }),
  });
  if (!answer.ok) {
    summary.className = 'error';
    summary.textContent = (answer.body && answer.body.error) || `The server answered ${answer.status}.`;
    return;
  }
  const granted = answer.body;
  state.link = link;
  const allowed = state.caller.role === granted.role;
  summary.className = '';
  summary.textContent = `This link will ${granted.summary}.` +
    (allowed ? '' : ` That needs the ${granted.role} role; you are signed in as ${state.caller.role}.`);
  $('link-form').hidden = !allowed;
  $('link-reason-label').hidden = !granted.needs_reason;
  $('link-reason').required = granted.needs_reason;
}

async function confirmLink(event) {
  event.preventDefault();
  const result = $('link-result');
  result.className = '';
  result.textContent = 'working…';
  const answer = await call('/v1/links/act', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ link: state.link, reason: $('link-reason').value.trim() || undefined }),
  });
  if (!answer.ok) {
    result.className = 'error';
    result.textContent = (answer.body && answer.body.error) || `The server answered ${answer.status}.`;
    return;
  }
  $('link-form').hidden = true;
  result.textContent = [changesText(answer.body), answer.body.note].filter(Boolean).join(' — ');
  refresh();
}

// ---- start ------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  $('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    signIn($('token').value.trim());
    $('token').value = '';
  });
  $('sign-out').addEventListener('click', signOut);
  $('filter').addEventListener('submit', (event) => {
    event.preventDefault();
    state.filter = { component: $('filter-component').value, kind: $('filter-kind').value, actor: $('filter-actor').value.trim() };
    refresh();
  });
  $('act-operation').addEventListener('change', showOperationFields);
  $('act-form').addEventListener('submit', act);
  $('link-form').addEventListener('submit', confirmLink);
  showOperationFields();
  const token = tokenFromFragment() || sessionStorage.getItem(TOKEN_KEY);
  if (token) signIn(token); else showSignIn('');
});
