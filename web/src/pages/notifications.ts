// Notification management (province staff; osh-notify authorises every call):
// the province's rules with their switch, a new rule from a template and one
// recipient, the templates with a new one, and the latest deliveries.
import { api, requestId } from '../api';
import { cstDateTime } from '../format';
import { t, word } from '../i18n';
import { empty, errorBox, field, fill, h, select, table } from '../ui';
import type { Page } from '../main';

interface Recipient { eventOrganisation?: boolean; provinceRole?: string; subject?: string; webhookUrl?: string; email?: string }
interface Rule {
  id: string; name: string; eventType: string; category?: string; enabled?: boolean; legallyRequired?: boolean; version: string;
  recipients?: Recipient[]; schedule?: { deadline?: string; daysBefore?: number[] }; webhookSecret?: string;
}
interface Template { id: string; name: string; eventType: string; channel: string; locale?: string; version: string; variables?: string[] }
interface Delivery { id: string; eventType: string; channel: string; recipient: string; status: string; createTime?: string }

// Event types a rule commonly answers (the API accepts any osh.events.v1 event).
const EVENT_TYPES = ['EnterpriseRegistered', 'DeclarationSubmitted', 'DeclarationApproved', 'DeclarationRejected',
  'RectificationOpened', 'RectificationClosed', 'HazardTestRecorded', 'CertificateIssued', 'ArticlePublished', 'DeadlineReminder']
  .map((name) => `osh.events.v1.${name}`);
const RECIPIENT_KINDS = ['provinceRole', 'eventOrganisation', 'subject', 'email', 'webhookUrl'] as const;
type RecipientKind = (typeof RECIPIENT_KINDS)[number];

function recipientText(r: Recipient): string {
  if (r.eventOrganisation) return t('rules.to.eventOrganisation');
  if (r.provinceRole) return `${t('rules.to.provinceRole')}: ${r.provinceRole}`;
  if (r.subject) return `${t('rules.to.subject')}: ${r.subject}`;
  if (r.email) return `${t('rules.to.email')}: ${r.email}`;
  return `${t('rules.to.webhookUrl')}: ${r.webhookUrl ?? ''}`;
}

export const notifications: Page = (main) => {
  const rules = h('section', { class: 'rules', 'aria-live': 'polite', 'aria-label': t('rules.title') });
  const templates = h('section', { class: 'templates', 'aria-live': 'polite', 'aria-label': t('templates.title') });
  const deliveries = h('section', { class: 'deliveries', 'aria-live': 'polite', 'aria-label': t('deliveries.title') });
  let known: Template[] = [];

  const loadRules = () => fill(rules, async () => {
    const answer = await api.get<{ rules?: Rule[] }>('/v1/notify/rules', { page_size: 100 });
    const list = answer.rules ?? [];
    if (!list.length) return empty(t('rules.none'));
    return table([t('rules.name'), t('rules.event'), t('rules.category'), t('rules.recipients'), t('rules.state'), ''],
      list.map((r) => [
        r.name,
        h('code', {}, r.eventType.replace('osh.events.v1.', '')),
        r.category ?? '',
        (r.recipients ?? []).map(recipientText).join('；') + (r.schedule?.daysBefore?.length ? ` · ${t('rules.daysBefore', { n: r.schedule.daysBefore.join('/') })}` : ''),
        h('span', { class: 'rule-state', 'data-rule': r.id, 'data-enabled': String(!!r.enabled) },
          r.enabled ? t('rules.enabled') : t('rules.disabled'), r.legallyRequired ? ` · ${t('inbox.legal')}` : ''),
        switchButton(r),
      ]), t('rules.title'));
  });

  // Turns a rule on or off at the version shown; a stale version is the API's
  // error (someone else changed it), shown in place.
  const switchButton = (r: Rule) => {
    const button = h('button', { type: 'button', class: 'toggle-rule', 'data-rule': r.id, onclick: async () => {
      button.disabled = true;
      try {
        await api.post(`/v1/notify/rules/${r.id}:setEnabled`, { version: r.version, enabled: !r.enabled, requestId: requestId() });
        await loadRules();
      } catch (e) {
        button.replaceWith(errorBox(e));
      }
    } }, r.enabled ? t('rules.disable') : t('rules.enable'));
    return button;
  };

  const loadTemplates = () => fill(templates, async () => {
    const answer = await api.get<{ templates?: Template[] }>('/v1/notify/templates', { page_size: 100 });
    known = answer.templates ?? [];
    templateChoice.replaceChildren(...known.map((tp) => h('option', { value: tp.id }, `${tp.name} · ${tp.eventType.replace('osh.events.v1.', '')} · ${word(tp.channel)}`)));
    if (!known.length) return empty(t('templates.none'));
    return table([t('rules.name'), t('rules.event'), t('templates.channel'), t('templates.locale'), t('templates.version')],
      known.map((tp) => [tp.name, h('code', {}, tp.eventType.replace('osh.events.v1.', '')), word(tp.channel), tp.locale ?? '', tp.version]),
      t('templates.title'));
  });

  const loadDeliveries = () => fill(deliveries, async () => {
    const answer = await api.get<{ deliveries?: Delivery[] }>('/v1/notify/deliveries', { page_size: 20 });
    const list = answer.deliveries ?? [];
    if (!list.length) return empty();
    return table([t('deliveries.time'), t('rules.event'), t('templates.channel'), t('deliveries.recipient'), t('deliveries.status')],
      list.map((d) => [cstDateTime(d.createTime), d.eventType.replace('osh.events.v1.', ''), word(d.channel), d.recipient, word(d.status)]),
      t('deliveries.title'));
  });

  // --- a new rule: a template (its event type and channel follow) and one recipient
  const ruleName = h('input', { name: 'rule-name', maxlength: 100, autocomplete: 'off' });
  const templateChoice = h('select', { name: 'rule-template' });
  const kind = select('recipient-kind', RECIPIENT_KINDS.map((k) => [k, t(`rules.to.${k}`)]));
  const target = h('input', { name: 'recipient', autocomplete: 'off', value: 'province_admin' });
  kind.addEventListener('change', () => {
    target.disabled = kind.value === 'eventOrganisation';
    target.value = kind.value === 'provinceRole' ? 'province_admin' : '';
  });
  const category = h('input', { name: 'rule-category', maxlength: 32, autocomplete: 'off', pattern: '[a-z0-9_]*' });
  const legal = h('input', { name: 'legally-required', type: 'checkbox' });
  const ruleOutcome = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const createRule = async () => {
    const template = known.find((tp) => tp.id === templateChoice.value);
    const recipient: Recipient = kind.value === 'eventOrganisation' ? { eventOrganisation: true } : { [kind.value as RecipientKind]: target.value.trim() };
    const channelField = template?.channel === 'CHANNEL_WEBHOOK' ? 'webhookTemplateId' : template?.channel === 'CHANNEL_EMAIL' ? 'emailTemplateId' : 'inboxTemplateId';
    try {
      const rule = await api.post<Rule>('/v1/notify/rules', { requestId: requestId(), rule: {
        name: ruleName.value.trim(), eventType: template?.eventType ?? '', category: category.value.trim(),
        legallyRequired: legal.checked, recipients: [recipient], [channelField]: template?.id ?? '' } });
      // The webhook secret is shown this once; deliveries are signed with it.
      ruleOutcome.replaceChildren(h('p', { class: 'done', role: 'status', 'data-rule': rule.id }, t('rules.created', { name: rule.name })),
        rule.webhookSecret ? h('p', { class: 'secret' }, `${t('rules.secret')}: `, h('code', {}, rule.webhookSecret)) : '');
      ruleName.value = '';
      await loadRules();
    } catch (e) {
      ruleOutcome.replaceChildren(errorBox(e));
    }
  };

  // --- a new template
  const templateName = h('input', { name: 'template-name', maxlength: 100, autocomplete: 'off' });
  const eventType = select('template-event', EVENT_TYPES.map((e) => [e, e.replace('osh.events.v1.', '')]));
  const channel = select('template-channel', [['CHANNEL_INBOX', word('CHANNEL_INBOX')], ['CHANNEL_WEBHOOK', word('CHANNEL_WEBHOOK')], ['CHANNEL_EMAIL', word('CHANNEL_EMAIL')]]);
  const subject = h('input', { name: 'template-subject', maxlength: 200, autocomplete: 'off' });
  const body = h('textarea', { name: 'template-body', rows: 3 });
  const templateOutcome = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const createTemplate = async () => {
    try {
      const created = await api.post<Template>('/v1/notify/templates', { requestId: requestId(), template: {
        name: templateName.value.trim(), eventType: eventType.value, channel: channel.value, locale: 'zh-CN', subject: subject.value, body: body.value } });
      templateOutcome.replaceChildren(h('p', { class: 'done', role: 'status', 'data-template': created.id }, t('templates.created', { name: created.name })),
        created.variables?.length ? h('p', { class: 'meta' }, `${t('templates.variables')}: `, ...created.variables.map((v) => h('code', {}, `{{${v}}} `))) : '');
      await loadTemplates();
      templateChoice.value = created.id;
    } catch (e) {
      templateOutcome.replaceChildren(errorBox(e));
    }
  };

  main.append(h('h1', {}, t('rules.title')), rules,
    h('form', { class: 'card new-rule', onsubmit: (e: Event) => { e.preventDefault(); void createRule(); } },
      h('h2', {}, t('rules.new')), field(t('rules.name'), ruleName), field(t('rules.template'), templateChoice),
      field(t('rules.recipientKind'), kind), field(t('rules.recipient'), target), field(t('rules.category'), category),
      field(t('inbox.legal'), legal), h('button', { type: 'submit', class: 'create-rule' }, t('rules.create')), ruleOutcome),
    h('h2', {}, t('templates.title')), templates,
    h('form', { class: 'card new-template', onsubmit: (e: Event) => { e.preventDefault(); void createTemplate(); } },
      h('h2', {}, t('templates.new')), field(t('rules.name'), templateName), field(t('rules.event'), eventType),
      field(t('templates.channel'), channel), field(t('templates.subject'), subject), field(t('templates.body'), body),
      h('p', { class: 'help' }, t('templates.help')),
      h('button', { type: 'submit', class: 'create-template' }, t('templates.create')), templateOutcome),
    h('h2', {}, t('deliveries.title')), deliveries);
  void loadRules();
  void loadTemplates();
  void loadDeliveries();
};
