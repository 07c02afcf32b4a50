// One expert: the application form (申请入库) an operator fills in for a
// single expert, the record as the caller's role may see it, and the
// admission decision (准入审核) of a regulator or an admin. Every rule is
// the API's: the form sends what was typed and places the problem+json
// next to the fields it names.
import { api, ApiProblem } from './api.js';
import { h, put, field, table, status, clearErrors, showProblem, formError, onSubmit } from './dom.js';
import { t, lang, showTime } from './i18n.js';

const TITLES = ['none', 'junior', 'intermediate', 'associate_senior', 'senior'];

function checkbox(label, name) {
  return h('div', { class: 'field' }, h('label', {}, h('input', { type: 'checkbox', name }), ` ${label}`));
}

/** Regions as `<option>`s (code and name), the caller's own first. */
async function regionOptions(own) {
  const regions = await api('GET', '/api/v1/reference/regions');
  return regions
    .filter((r) => !own || r.code === own || String(r.code).startsWith(own.replace(/0+$/, '')))
    .map((r) => h('option', { value: r.code, selected: r.code === own }, `${r.code} ${r.name}`));
}

/** Specialties deep enough to be held (level 3 and below), with the tree
 * above them as `<optgroup>` labels. */
async function specialtyOptions() {
  const tree = await api('GET', '/api/v1/reference/specialties');
  const groups = [];
  for (const s of tree) {
    if (s.level < 3) {
      if (s.level === 2) groups.push(h('optgroup', { label: `${s.code} ${s.name}` }));
    } else {
      const option = h('option', { value: s.code }, `${'\u3000'.repeat(s.level - 3)}${s.code} ${s.name}`);
      if (groups.length) groups[groups.length - 1].append(option); else groups.push(option);
    }
  }
  return groups;
}

export async function addExpert(main, ctx) {
  const [regions, specialties] = await Promise.all([regionOptions(ctx.session.region), specialtyOptions()]);
  const form = h('form', { class: 'grid', novalidate: true, id: 'expert-form' },
    h('div', { class: 'actions' }, h('h3', {}, t('identity'))),
    field(t('name'), 'name', 'input', { required: true, autocomplete: 'off' }),
    field(t('residentId'), 'resident_id', 'input', { required: true, autocomplete: 'off', spellcheck: 'false', maxlength: 18 }),
    field(t('mobile'), 'mobile', 'input', { required: true, inputmode: 'tel', autocomplete: 'off', maxlength: 11 }),
    field(t('region'), 'region', 'select', { required: true }, regions),
    h('div', { class: 'actions' }, h('h3', {}, t('work'))),
    field(t('employerName'), 'employer/name', 'input', { required: true, autocomplete: 'off' }),
    field(t('employerCode'), 'employer/code', 'input', { required: true, autocomplete: 'off', spellcheck: 'false', maxlength: 18 }),
    field(t('employedSince'), 'employed_since', 'input', { type: 'date' }),
    field(t('specialtiesHeld'), 'specialties', 'select', { required: true, multiple: true, size: 8 }, specialties),
    field(t('titleLevel'), 'title', 'select', { required: true }, TITLES.map((x) => h('option', { value: x, selected: x === 'senior' }, t(`titles.${x}`)))),
    checkbox(t('seniorEquivalent'), 'senior_equivalent'),
    field(t('yearsInField'), 'years_in_field', 'input', { type: 'number', min: 0, required: true }),
    checkbox(t('isCivilServant'), 'civil_servant'),
    h('div', { class: 'actions' }, h('h3', {}, t('employerContact'))),
    h('p', { class: 'actions muted' }, t('employerContactHint')),
    field(t('contactName'), 'employer_contact/name', 'input', { autocomplete: 'off' }),
    field(t('contactPhone'), 'employer_contact/phone', 'input', { inputmode: 'tel', autocomplete: 'off' }),
    field(t('contactAddress'), 'employer_contact/address', 'input', { autocomplete: 'off' }),
    h('div', { class: 'actions' }, h('h3', {}, t('documents'))),
    field(t('integrityPledge'), 'documents/integrity_pledge', 'input', { autocomplete: 'off' }),
    field(t('noCriminalRecord'), 'documents/no_criminal_record', 'input', { autocomplete: 'off' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'expert-submit' }, t('submitApplication'))),
    formError());
  onSubmit(form, async (v) => {
    const chosen = [...form.elements.specialties.selectedOptions].map((o) => o.value);
    const years = v('years_in_field');
    const body = {
      name: v('name'),
      resident_id: v('resident_id').toUpperCase(),
      mobile: v('mobile'),
      region: v('region'),
      employer: { name: v('employer/name'), code: v('employer/code').toUpperCase() },
      specialties: chosen,
      title: v('title'),
      senior_equivalent: form.elements.senior_equivalent.checked,
      years_in_field: /^\d+$/.test(years) ? Number(years) : -1,
      civil_servant: form.elements.civil_servant.checked,
      employer_contact: null,
      documents: {},
    };
    if (v('employed_since')) body.employed_since = v('employed_since');
    if (v('employer_contact/name') || v('employer_contact/phone') || v('employer_contact/address')) {
      body.employer_contact = { name: v('employer_contact/name') };
      if (v('employer_contact/phone')) body.employer_contact.phone = v('employer_contact/phone');
      if (v('employer_contact/address')) body.employer_contact.address = v('employer_contact/address');
    }
    for (const k of ['integrity_pledge', 'no_criminal_record']) {
      if (v(`documents/${k}`)) body.documents[k] = v(`documents/${k}`);
    }
    if (body.years_in_field < 0) {
      showProblem(form, new ApiProblem(400, { errors: [{ field: 'years_in_field', message: t('wholeNumber'), message_en: t('wholeNumber') }] }), lang);
      return;
    }
    const created = await api('POST', '/api/v1/experts', { body });
    location.hash = `#/experts/${encodeURIComponent(created.id)}`;
  });
  put(main, h('h2', {}, t('addExpertTitle')), h('p', { class: 'muted' }, t('addExpertHint')), form);
  form.elements.name.focus();
}

function facts(x) {
  const row = (label, value, id = null) => [h('dt', {}, label), h('dd', { id }, value)];
  return h('dl', { id: 'expert-facts' },
    row(t('id'), x.id), row(t('name'), x.name), row(t('residentId'), x.resident_id), row(t('mobile'), x.mobile),
    row(t('region'), x.region), row(t('employer'), `${x.employer.name}（${x.employer.code}）`),
    row(t('specialtiesHeld'), x.specialties.join(' ')), row(t('titleLevel'), t(`titles.${x.title}`)),
    row(t('yearsInField'), String(x.years_in_field)), row(t('civilServant'), x.civil_servant ? t('yes') : t('no')),
    row(t('status'), t(`statuses.${x.status}`), 'expert-status'), row(t('term'), String(x.term_number)),
    x.status_detail?.reasons?.length ? row(t('reasons'), x.status_detail.reasons.join('；')) : null,
    row(t('updatedAt'), showTime(x.updated_at)));
}

/** The admission decision on an applicant: approve, or reject with at
 * least one reason (the API insists; the message comes back next to the
 * field). */
function admissionForm(x, refresh) {
  const form = h('form', { class: 'grid', novalidate: true, id: 'admission-form' },
    h('fieldset', { class: 'actions' }, h('legend', {}, t('admissionDecision')),
      h('label', {}, h('input', { type: 'radio', name: 'decision', value: 'approve', checked: true }), ` ${t('approve')}`), ' ',
      h('label', {}, h('input', { type: 'radio', name: 'decision', value: 'reject' }), ` ${t('reject')}`)),
    field(t('reasonLines'), 'reasons', 'textarea', { rows: 3 }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'admission-submit' }, t('submitStep'))),
    formError());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const decision = form.elements.decision.value;
    const reasons = form.elements.reasons.value.split('\n').map((l) => l.trim()).filter(Boolean);
    try {
      await api('POST', `/api/v1/experts/${encodeURIComponent(x.id)}/admission`, { body: { decision, reasons } });
      await refresh(t(decision === 'approve' ? 'admitted' : 'refused'));
    } catch (e) {
      if (e instanceof ApiProblem) showProblem(form, e, lang); else throw e;
    }
  });
  return form;
}

export async function expertDetail(main, ctx, id) {
  const show = async (note) => {
    const x = await api('GET', `/api/v1/experts/${encodeURIComponent(id)}`);
    const history = x.employment_history ?? [];
    put(main, h('h2', {}, t('expertTitle', { id: x.id })),
      note ? status('good', note, { id: 'expert-note' }) : null,
      facts(x),
      history.length ? [h('h3', {}, t('employmentHistory')), table([t('employer'), t('since'), t('until')],
        history.map((e) => h('tr', {}, h('td', {}, `${e.employer.name}（${e.employer.code}）`), h('td', {}, e.from), h('td', {}, e.to ?? '—'))))] : null,
      x.status === 'applicant' && ctx.caps.admit ? admissionForm(x, show) : null,
      h('p', {}, h('a', { href: ctx.caps.admit ? '#/admissions' : '#/pool' }, t('back'))));
  };
  await show(null);
}
