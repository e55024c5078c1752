// A learner's pages (workers, employers' principals and OSH managers, and the
// supervisors taking the courses of their audience): my
// courses, a course's lessons, its quiz graded by the server, and the
// certificate a completed course earns (verifiable by anyone).
import { api, requestId } from '../api';
import { currentClaims } from '../auth';
import { cstDateTime } from '../format';
import { t, word } from '../i18n';
import { empty, errorBox, field, fill, h, link, select } from '../ui';
import type { Page } from '../main';

interface Choice { id: string; text: string }
interface Question { id: string; text: string; kind: string; choices?: Choice[] }
interface Course { id: string; content: { title: string; summary?: string; targetRoles?: string[]; lessons?: Array<{ id: string; title: string; body?: string }>; quiz?: { questions?: Question[]; passMarkPercent?: number } } }
interface Certificate { verificationCode: string; courseTitle?: string; issueDate?: string; expiryDate?: string; holderNameMasked?: string; status?: string }
interface Attempt { number: number; correctCount?: number; questionCount?: number; scorePercent?: number; passed?: boolean }
interface Enrollment {
  id: string; courseId: string; courseVersion: string; status: string; viewedLessonIds?: string[]; lessonCount?: number;
  attempts?: Attempt[]; maxAttempts?: number; quizPassed?: boolean; certificate?: Certificate; enrollTime?: string;
}

export const myCourses: Page = async (main) => {
  const mine = h('section', { 'aria-live': 'polite', 'aria-label': t('learn.mine') });
  const catalogue = h('section', { 'aria-live': 'polite', 'aria-label': t('courses.title') });
  main.append(h('h1', {}, t('learn.mine')), mine, h('h2', {}, t('learn.enroll')), catalogue);
  const [enrollments, courses] = await Promise.all([
    api.get<{ enrollments?: Enrollment[] }>('/v1/enrollments', { page_size: 50, mine: true }).catch((e) => e as Error),
    api.get<{ courses?: Course[] }>('/v1/courses', { page_size: 50 }).catch((e) => e as Error),
  ]);
  const titles = new Map(courses instanceof Error ? [] : (courses.courses ?? []).map((c) => [c.id, c.content.title]));
  await fill(mine, async () => {
    if (enrollments instanceof Error) throw enrollments;
    const list = enrollments.enrollments ?? [];
    if (!list.length) return empty();
    return h('ol', { class: 'hits enrollments' }, ...list.map((e) => h('li', { class: 'hit enrollment', 'data-enrollment': e.id },
      h('h3', {}, link(`/learn/enrollments/${e.id}`, titles.get(e.courseId) ?? e.courseId)),
      h('p', { class: 'meta' }, `${word(e.status)} · ${(e.viewedLessonIds ?? []).length}/${e.lessonCount ?? 0} ${t('courses.lessons')}` +
        (e.certificate ? ` · ${t('learn.certificate')} ${e.certificate.verificationCode}` : '')))));
  });
  await fill(catalogue, async () => {
    if (courses instanceof Error) throw courses;
    // Only the courses this role may take (a worker does not see the inspectors' course).
    const mayTake = AUDIENCES[currentClaims()?.role ?? 'worker'] ?? AUDIENCES.worker;
    const list = (courses.courses ?? []).filter((c) => (c.content.targetRoles ?? []).some((r) => mayTake.includes(r.replace('TARGET_ROLE_', ''))));
    if (!list.length) return empty();
    return h('ol', { class: 'queue' }, ...list.map((c) => enrollForm(c)));
  });
};

// The audiences a role may take a course as (osh-training checks it again).
const AUDIENCES: Record<string, string[]> = {
  employer: ['EMPLOYER_PRINCIPAL', 'OSH_MANAGER'],
  worker: ['WORKER', 'OSH_MANAGER'],
  inspector: ['INSPECTOR'],
  institution: ['INSTITUTION_STAFF'],
  province_admin: ['DISTRICT_LEADER'],
};

function enrollForm(course: Course): HTMLElement {
  const name = h('input', { name: 'holder_name', maxlength: 64, autocomplete: 'name' });
  const role = select('target_role', (AUDIENCES[currentClaims()?.role ?? 'worker'] ?? AUDIENCES.worker)
    .map((r): [string, string] => [`TARGET_ROLE_${r}`, word(`TARGET_ROLE_${r}`)]));
  const outcome = h('div', { 'aria-live': 'polite' });
  const enroll = async () => {
    try {
      const e = await api.post<Enrollment>(`/v1/courses/${course.id}:enroll`, { targetRole: role.value, holderName: name.value.trim(), requestId: requestId() });
      history.pushState(null, '', `/learn/enrollments/${e.id}`);
      dispatchEvent(new PopStateEvent('popstate'));
    } catch (e) {
      outcome.replaceChildren(errorBox(e));
    }
  };
  return h('li', { class: 'review course-offer', 'data-course': course.id }, h('h3', {}, course.content.title),
    course.content.summary ? h('p', { class: 'meta' }, course.content.summary) : null,
    h('form', { class: 'inline', onsubmit: (ev: Event) => { ev.preventDefault(); void enroll(); } },
      field(t('learn.holder'), name), field(t('learn.role'), role), h('button', { type: 'submit', class: 'enroll' }, t('learn.enroll'))),
    outcome);
}

export const enrollmentPage: Page = async (main, [id]) => {
  const body = h('div');
  main.append(link('/learn', `← ${t('learn.mine')}`), body);
  const render = () => fill(body, async () => {
    const e = await api.get<Enrollment>(`/v1/enrollments/${id}`);
    const course = await api.get<Course>(`/v1/courses/${e.courseId}`, { course_version: e.courseVersion });
    const viewed = new Set(e.viewedLessonIds ?? []);
    const out = h('div', { class: 'enrollment-page', 'data-status': e.status });
    out.append(h('h1', {}, course.content.title), h('p', { class: 'meta' }, `${word(e.status)} · ${cstDateTime(e.enrollTime)}`));
    out.append(h('h2', {}, t('courses.lessons')));
    for (const lesson of course.content.lessons ?? []) {
      const outcome = h('div', { 'aria-live': 'polite' });
      const markViewed = async () => {
        try {
          await api.post(`/v1/enrollments/${id}:viewLesson`, { lessonId: lesson.id, requestId: requestId() });
          await render();
        } catch (err) {
          outcome.replaceChildren(errorBox(err));
        }
      };
      out.append(h('section', { class: 'card lesson', 'data-lesson': lesson.id, 'data-viewed': viewed.has(lesson.id) ? 'true' : 'false' },
        h('h3', {}, lesson.title), ...(lesson.body ?? '').split(/\n{2,}/).filter(Boolean).map((p) => h('p', {}, p)),
        viewed.has(lesson.id) ? h('p', { class: 'done' }, `✓ ${t('learn.viewed')}`)
          : h('button', { type: 'button', class: 'view-lesson', onclick: () => void markViewed() }, t('learn.markViewed')), outcome));
    }
    out.append(h('h2', {}, t('learn.quiz')));
    const last = e.attempts?.at(-1);
    if (last) out.append(h('p', { class: `attempt ${last.passed ? 'meets' : 'misses'}` }, t('learn.score', { n: last.number, score: last.scorePercent ?? 0, correct: last.correctCount ?? 0, total: last.questionCount ?? 0 }) + (last.passed ? ` ✓ ${t('learn.passed')}` : '')));
    if (!e.quizPassed && (e.attempts ?? []).length < (e.maxAttempts ?? 1)) out.append(quizForm(id, course, () => void render()));
    if (e.certificate) {
      const c = e.certificate;
      out.append(h('section', { class: 'card certificate' }, h('h2', {}, t('learn.certificate')),
        h('dl', { class: 'facts' }, h('dt', {}, t('verify.code')), h('dd', { class: 'code' }, c.verificationCode), h('dt', {}, t('verify.holder')), h('dd', {}, c.holderNameMasked ?? ''),
          h('dt', {}, t('verify.issued')), h('dd', {}, c.issueDate ?? ''),
          ...(c.expiryDate ? [h('dt', {}, t('verify.expires')), h('dd', {}, c.expiryDate)] : []),
          h('dt', {}, t('verify.status')), h('dd', {}, word(c.status ?? ''))),
        link(`/certificates/verify?code=${encodeURIComponent(c.verificationCode)}`, t('verify.title'), { class: 'verify-link' })));
    }
    return out;
  });
  await render();
};

function quizForm(enrollmentId: string, course: Course, done: () => void): HTMLElement {
  const outcome = h('div', { 'aria-live': 'polite' });
  const questions = course.content.quiz?.questions ?? [];
  const form = h('form', { class: 'quiz' }, ...questions.map((q, n) => h('fieldset', { class: 'question', 'data-question': q.id },
    h('legend', {}, `${n + 1}. ${q.text}`),
    ...(q.choices ?? []).map((c) => h('label', { class: 'choice' },
      h('input', { type: q.kind === 'QUESTION_KIND_MULTIPLE_CHOICE' ? 'checkbox' : 'radio', name: `q-${q.id}`, value: c.id }), ` ${c.text}`)))),
    h('button', { type: 'submit', class: 'submit-quiz' }, t('learn.submitQuiz')), outcome);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const answers = questions.map((q) => ({ questionId: q.id,
      choiceIds: [...form.querySelectorAll<HTMLInputElement>(`input[name="q-${q.id}"]:checked`)].map((i) => i.value) }));
    try {
      await api.post(`/v1/enrollments/${enrollmentId}:submitQuiz`, { answers, requestId: requestId() });
      done();
    } catch (err) {
      outcome.replaceChildren(errorBox(err));
    }
  });
  return form;
}
