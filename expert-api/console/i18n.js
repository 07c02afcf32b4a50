// The console's messages: zh-CN by default, English on request. Times are
// shown in Asia/Shanghai; the API speaks UTC.

const messages = {
  'zh-CN': {
    title: '专家抽取控制台', skip: '跳到正文', signOut: '退出', switchLang: 'English', navLabel: '主导航',
    tzNote: '时间均为北京时间（Asia/Shanghai）；接口使用 UTC。',
    signIn: '登录', token: '访问令牌', signInHint: '令牌只保存在本标签页（sessionStorage），关闭即清除。',
    signedInAs: '已登录：{role}{region}', roles: { admin: '管理员', operator: '操作员', supervisor: '监督员', regulator: '监管员' },
    badToken: '令牌无效或已过期。', required: '此项必填。', fieldInvalid: '此项有误：{detail}',
    nav: { pool: '专家库', draws: '抽取记录', newDraw: '申请抽取', audit: '审计日志', checkpoint: '检查点与验证', oversight: '监督分析报告', replay: '复核抽取', public: '中标项目公示', panelCheck: '评标委员会核验', signIn: '登录' },
    pool: '专家库', status: '状态', region: '地区', specialty: '专业', employer: '工作单位（信用代码）', q: '姓名或单位', limit: '每页条数',
    search: '查询', next: '下一页', prev: '上一页', first: '第一页', none: '无记录。',
    id: '编号', name: '姓名', mobile: '手机', statuses: { '': '全部', applicant: '申请中', rejected: '未通过', active: '在库', on_leave: '请假', suspended: '暂停', retired: '退出', removed: '除名' },
    newDraw: '申请抽取', projectId: '项目编号', projectName: '项目名称（密封）', tenderer: '招标人信用代码', bidSection: '标段',
    evalStart: '评标开始（北京时间）', evalEnd: '评标结束（北京时间）', venue: '评标地点', representatives: '招标人代表人数',
    groups: '专业组', group: '第 {n} 组', groupCol: '组', count: '人数', reserve: '候补', addGroup: '增加专业组', removeGroup: '删除此组',
    avoidBidders: '回避投标人（信用代码，每行一个）', submitDraw: '提交并承诺（commit）', pickSpecialty: '请选择专业',
    draws: '抽取记录', draw: '抽取 {id}', state: '状态', project: '项目', window: '评标时间', candidates: '候选人数',
    statementHash: '声明哈希', nonceCommitment: 'Nonce 承诺', seed: '种子', checkpoint: '检查点',
    beacon: '公开随机数（beacon，可空）', reveal: '揭示（reveal）', revealed: '已揭示：成员以化名显示，签到全部完成后解封。',
    committed: '已承诺：声明哈希与 nonce 承诺已记入日志，揭示前任何人都无法得知结果。',
    members: '成员', pseudonym: '化名', drawnAs: '抽中方式', seat: '占席', invitation: '邀请', signInAction: '签到',
    signedIn: '{p} 已签到。', unsealed: '全部签到，名单已解封。', sealed: '名单密封中', viewSealed: '查看密封名单（此次读取将记入日志）', viewPanel: '查看名单',
    expertId: '专家编号', audit: '审计日志', from: '起始序号', kind: '类型', actor: '操作者', drawId: '抽取编号', load: '加载',
    seq: '序号', time: '时间', data: '内容', abandoned: '未揭示的承诺（可能被放弃）', sealedRead: '密封数据读取',
    oversightTitle: '监督分析报告（半年度）', periodFrom: '起始日期', periodTo: '截止日期', makeReport: '生成报告', downloadReport: '下载报告', reportCli: '命令行生成',
    checkpointTitle: '检查点与离线验证', vkey: '验证公钥', verifyCmd: '离线验证命令（令牌请自行填入 $TOKEN，切勿写入网址）',
    replayTitle: '在浏览器中复核抽取', replayIntro: '本页用独立的 JavaScript 实现（SHA-256 来自 WebCrypto，ChaCha20、RFC 8785 规范化 JSON 与整数运算均在页面内）按规范第 2–6 节重算，不依赖服务器的计算。',
    replayRun: '复核', replayMatch: '与服务器结果一致', replayDiffer: '与服务器结果不一致：{what}', replayMissing: '日志中未找到该抽取的揭示记录。',
    replayInvalid: '声明无效（规则 {rule}）：{message}', substitutions: '替补', substitutionOk: '{out} → {in}：符合规范第 6 节',
    substitutionBad: '{out}：规范第 6 节给出 {want}，日志记录为 {got}', substitutionSkipped: '{out}：来自补充抽取，请复核补充抽取 {draw}',
    publicTitle: '中标项目公示', awardedAt: '定标时间', results: '评审结果', viewProject: '查看', panel: '评标委员会',
    items: '评分项', bidders: '投标人', rejected: '否决投标', scores: '逐项评分', rank: '名次', score: '得分', total: '合计', reason: '理由',
    panelCheckTitle: '评标委员会核验（中标通知书）', names: '评标委员会成员姓名（每行一个）', check: '核验',
    checkMatch: '名单与记录一致。', checkNoMatch: '名单与记录不一致。', receipts: '抽取回执',
    notAllowed: '当前身份无权访问此页面。', loading: '加载中…', failed: '请求失败：{detail}', created: '已创建',
    yes: '是', no: '否', download: '下载',
    states: { committed: '已承诺', revealed: '已揭示', short: '人数不足', superseded: '已被替代', primary: '正选', reserve: '候补',
      invited: '已邀请', accepted: '已接受', declined: '已拒绝', no_answer: '未答复', signed_in: '已签到', void: '作废', called_in: '已递补' },
  },
  en: {
    title: 'Expert draw console', skip: 'Skip to content', signOut: 'Sign out', switchLang: '中文', navLabel: 'Main navigation',
    tzNote: 'Times are China Standard Time (Asia/Shanghai); the API uses UTC.',
    signIn: 'Sign in', token: 'Access token', signInHint: 'The token is kept in this tab only (sessionStorage) and cleared when it closes.',
    signedInAs: 'Signed in: {role}{region}', roles: { admin: 'admin', operator: 'operator', supervisor: 'supervisor', regulator: 'regulator' },
    badToken: 'The token is invalid or expired.', required: 'Required.', fieldInvalid: 'Invalid: {detail}',
    nav: { pool: 'Pool', draws: 'Draws', newDraw: 'Request a draw', audit: 'Audit log', checkpoint: 'Checkpoint & verify', oversight: 'Oversight report', replay: 'Replay a draw', public: 'Awarded projects', panelCheck: 'Panel check', signIn: 'Sign in' },
    pool: 'Expert pool', status: 'Status', region: 'Region', specialty: 'Specialty', employer: 'Employer (credit code)', q: 'Name or employer', limit: 'Page size',
    search: 'Search', next: 'Next page', prev: 'Previous page', first: 'First page', none: 'Nothing found.',
    id: 'ID', name: 'Name', mobile: 'Mobile', statuses: { '': 'All', applicant: 'Applicant', rejected: 'Rejected', active: 'Active', on_leave: 'On leave', suspended: 'Suspended', retired: 'Retired', removed: 'Removed' },
    newDraw: 'Request a draw', projectId: 'Project ID', projectName: 'Project name (sealed)', tenderer: 'Tenderer credit code', bidSection: 'Bid section',
    evalStart: 'Evaluation start (Beijing time)', evalEnd: 'Evaluation end (Beijing time)', venue: 'Venue', representatives: "Tenderer's representatives",
    groups: 'Panel groups', group: 'Group {n}', groupCol: 'Group', count: 'Count', reserve: 'Reserve', addGroup: 'Add a group', removeGroup: 'Remove this group',
    avoidBidders: 'Bidders to avoid (credit codes, one per line)', submitDraw: 'Submit and commit', pickSpecialty: 'Choose a specialty',
    draws: 'Draws', draw: 'Draw {id}', state: 'State', project: 'Project', window: 'Evaluation window', candidates: 'Candidates',
    statementHash: 'Statement hash', nonceCommitment: 'Nonce commitment', seed: 'Seed', checkpoint: 'Checkpoint',
    beacon: 'Beacon (public randomness, may be empty)', reveal: 'Reveal', revealed: 'Revealed: members are shown by pseudonym until everyone has signed in.',
    committed: 'Committed: the statement hash and nonce commitment are in the log; nobody can know the result before the reveal.',
    members: 'Members', pseudonym: 'Pseudonym', drawnAs: 'Drawn as', seat: 'Seat', invitation: 'Invitation', signInAction: 'Sign in',
    signedIn: '{p} signed in.', unsealed: 'Everyone signed in: the panel is unsealed.', sealed: 'Sealed', viewSealed: 'View the sealed panel (this read is logged)', viewPanel: 'View the panel',
    expertId: 'Expert ID', audit: 'Audit log', from: 'From seq', kind: 'Kind', actor: 'Actor', drawId: 'Draw ID', load: 'Load',
    seq: 'Seq', time: 'Time', data: 'Data', abandoned: 'Commit without reveal (possibly abandoned)', sealedRead: 'Read of sealed data',
    oversightTitle: 'Oversight report (half-yearly)', periodFrom: 'From', periodTo: 'To (included)', makeReport: 'Make the report', downloadReport: 'Download', reportCli: 'From the command line',
    checkpointTitle: 'Checkpoint and offline verification', vkey: 'Verifier key', verifyCmd: 'Offline verification (put your token in $TOKEN; never in a URL)',
    replayTitle: 'Replay a draw in the browser', replayIntro: 'This page recomputes the draw by SPEC sections 2–6 with an independent JavaScript implementation (SHA-256 from WebCrypto; ChaCha20, RFC 8785 canonical JSON and integer arithmetic in the page), not trusting the server\'s computation.',
    replayRun: 'Replay', replayMatch: "matches the server's result", replayDiffer: "differs from the server's result: {what}", replayMissing: 'No reveal of this draw in the log.',
    replayInvalid: 'Invalid statement (rule {rule}): {message}', substitutions: 'Substitutions', substitutionOk: '{out} → {in}: as SPEC section 6 gives',
    substitutionBad: '{out}: SPEC section 6 gives {want}, the log says {got}', substitutionSkipped: '{out}: from a supplementary draw; replay draw {draw}',
    publicTitle: 'Awarded projects', awardedAt: 'Awarded at', results: 'Results', viewProject: 'View', panel: 'Panel',
    items: 'Items', bidders: 'Bidders', rejected: 'Rejected bids', scores: 'Item scores', rank: 'Rank', score: 'Score', total: 'Total', reason: 'Reason',
    panelCheckTitle: 'Panel check (award notice)', names: 'Names of the panel (one per line)', check: 'Check',
    checkMatch: 'The names match the record.', checkNoMatch: 'The names do not match the record.', receipts: 'Draw receipts',
    notAllowed: 'Your role may not open this page.', loading: 'Loading…', failed: 'Request failed: {detail}', created: 'Created',
    yes: 'yes', no: 'no', download: 'Download',
    states: { committed: 'committed', revealed: 'revealed', short: 'short', superseded: 'superseded', primary: 'primary', reserve: 'reserve',
      invited: 'invited', accepted: 'accepted', declined: 'declined', no_answer: 'no answer', signed_in: 'signed in', void: 'void', called_in: 'called in' },
  },
};

const KEY = 'expert-draw.lang';
export let lang = localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';

export function setLang(l) {
  lang = l;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
}

/** A state code of the API in words (the code itself when unknown). */
export function state(code) {
  const m = messages[lang].states?.[code];
  return m ?? code;
}

/** The message `key` (dotted path) with `{name}` filled from `params`. */
export function t(key, params = {}) {
  let m = key.split('.').reduce((o, k) => o?.[k], messages[lang]);
  if (m === undefined) m = key.split('.').reduce((o, k) => o?.[k], messages['zh-CN']) ?? key;
  return String(m).replace(/\{(\w+)\}/g, (_, n) => String(params[n] ?? ''));
}

const shanghai = () => new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});

/** A UTC instant from the API, shown in Asia/Shanghai. */
export function showTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : shanghai().format(d);
}

/** A `datetime-local` value read as Beijing time (UTC+8, no daylight
 * saving since 1991), as the API's UTC `YYYY-MM-DDTHH:MM:SSZ`. */
export function beijingToUtc(local) {
  const d = new Date(`${local.length === 16 ? `${local}:00` : local}+08:00`);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
