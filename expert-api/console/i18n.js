// The console's messages: zh-CN by default, English on request. Times are
// shown in Asia/Shanghai; the API speaks UTC.

const messages = {
  'zh-CN': {
    title: '专家抽取控制台', skip: '跳到正文', signOut: '退出', switchLang: 'English', navLabel: '主导航',
    tzNote: '时间均为北京时间（Asia/Shanghai）；接口使用 UTC。',
    signIn: '登录', token: '访问令牌', signInHint: '令牌只保存在本标签页（sessionStorage），关闭即清除。',
    signedInAs: '已登录：{role}{region}', roles: { admin: '管理员', operator: '操作员', supervisor: '监督员', regulator: '监管员' },
    badToken: '令牌无效或已过期。', required: '此项必填。', fieldInvalid: '此项有误：{detail}',
    nav: { pool: '专家库', draws: '抽取记录', newDraw: '申请抽取', import: '导入名册', addExpert: '申请入库', admissions: '入库审核', cases: '案件', penalties: '处罚公示', audit: '审计日志', checkpoint: '检查点与验证', oversight: '监督分析报告', replay: '复核抽取', public: '中标项目公示', panelCheck: '评标委员会核验', signIn: '登录' },
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
    rosterFile: '名册文件（CSV 或 XLSX）', importMode: '导入方式', modeAll: '全部有效才导入', modeValid: '只导入有效行', dryRun: '仅校验，不写入',
    importRun: '上传并导入', phaseRead: '读取文件…', phaseUpload: '上传中…', phaseCheck: '服务器校验与写入中…', phaseDone: '完成',
    importTitle: '导入专家名册', importHint: '每一行按与“申请入库”相同的规则校验；导入的专家为申请人，须经审核入库。操作员只能导入本地区专家。',
    importSummary: '共 {rows} 行：有效 {valid} 行，拒绝 {rejected} 行，已导入 {imported} 人。', dryRunNote: '仅校验：未写入任何数据。',
    ignoredColumns: '未识别的列', row: '行', column: '列', rule: '规则', message: '说明', importedIds: '已导入的专家编号',
    avoidAgency: '回避招标代理机构（信用代码）', avoidExperts: '回避专家（每行：编号 理由）',
    policyTitle: '抽取规则（可选）', policyHint: '收紧规则可直接提交；放宽（外地权重更低、本地上限或同单位上限更高）须监督人员在下方输入本人令牌批准。',
    remoteWeight: '外地专家权重', localMax: '本地专家上限', maxPerEmployer: '同单位上限',
    approvalTitle: '监督人员批准（放宽规则或同一标段并行抽取时）', approvalHint: '由监督人员本人输入其令牌；令牌只随本次请求发送，服务器核验后记录批准（draw.approve_relaxation）。',
    supervisorToken: '监督人员令牌', approvalReason: '批准理由',
    awaiting: '待答复', deadline: '答复期限', undelivered: '通知未送达', unsealedShort: '已解封', supplementary: '补充抽取',
    changeSeated: '{p} 递补入席（{s}）', changeLeft: '{p} 退出（{s}）', changeState: '{p}：{s}', changes: '实时变化（每 3 秒刷新）',
    phoneDecline: '登记电话拒绝', evidence: '证据编号（通话记录、录音）', reasonOptional: '理由（可空）', conflictOfInterest: '存在利害关系',
    recordDecline: '登记拒绝并自动替补', declineRecorded: '{p} 已登记拒绝，替补：{r}',
    printRecord: '打印抽取记录表', recordTitle: '评标专家抽取记录表', qrAlt: '抽取回执链接二维码',
    recordServed: '评标委员会成员', recordOthers: '其他被抽中人员（拒绝、候补未入席）', recordPrinted: '打印时间：{at}（北京时间）',
    signOperator: '经办人签字', signSupervisor: '监督人员签字', print: '打印', back: '返回',
    respondTitle: '评标邀请答复', respondUnknown: '链接无效或已失效。', respondQuestion: '您被抽取参加以下评标，请答复是否参加（项目名称保密，签到时告知）。',
    accept: '参加', decline: '不参加', thanksAccept: '已确认参加，谢谢。', thanksDecline: '已登记不参加，系统将自动替补。', respondAnswered: '此邀请已答复。',
    penaltiesTitle: '专家处罚公示', penaltiesHint: '已作出决定并公示的处罚；未决或未公示的案件不在此列。',
    caseNo: '案件编号', employerName: '工作单位', violations: '违规行为', sanction: '处理', decidedOn: '决定日期', effectiveOn: '生效日期', publishedOn: '公示日期', revoked: '已撤销',
    approvalEntry: '监督人员批准', onlyMarked: '只看需关注的记录', replayReading: '已读取日志 {n} 条，正在复核…',
    stage: '阶段', stages: { all: '全部', opened: '已立案', notice_served: '已告知', decided: '已决定', effective: '已生效', published: '已公示', closed: '已结案', withdrawn: '已撤销' },
    openedOn: '立案日期', updatedAt: '更新时间', proposals: '待立案的处理建议', grounds: '事由', openCase: '立案', casesTitle: '案件（违规到决定）',
    recordViolation: '登记违规', violationCode: '违规代码（裁量基准）', occurredOn: '发生日期', drawIdOptional: '抽取编号（可空）', evidenceLines: '证据（每行一项）',
    record: '登记', violationRecorded: '已登记违规，记 {points} 分。', summary: '摘要',
    measureKind: '处理种类', measures: { suspension: '暂停评标资格', warning: '警告', removal: '清除出库' }, months: '暂停月数',
    restoreMode: '恢复方式', restore: { after_test: '考试合格后恢复', automatic: '期满自动恢复', on_application: '申请并审核后恢复' },
    banYears: '禁入年数（空为终身）', fineYuan: '罚款（元，可空）', submitStep: '提交', onDate: '日期',
    noticePreview: '公示预览', noticeText: '{case}：{name}（{employer}），经查存在{grounds}行为，{decided}决定给予{sanction}，自{effective}起执行。',
    noSanction: '不予处理', servedOn: '告知日期', defenceWindow: '陈述申辩期限', defenceUntil: '至 {day}（尚余 {left} 个工作日）', waived: '已放弃',
    decisionFrom: '最早可决定日期', hearing: '听证', hearings: { not_required: '不适用', offered: '已告知听证权利', requested: '已申请', held: '已举行', waived: '已放弃' },
    baselineRange: '裁量基准范围', position: '序号', stepCol: '步骤', employerLetter: '单位通报函', recipient: '收件单位', deliveredOn: '送达日期', notDelivered: '尚未送达',
    step: { notice: '送达告知书（拟处理）', statements: '收到陈述申辩', defenceWaiver: '放弃陈述申辩', hearingRequest: '申请听证', hearing: '举行听证', hearingWaiver: '放弃听证',
      decision: '作出决定', withdrawal: '撤销案件', letter: '生成单位通报函（预览）', delivery: '登记通报函送达', effect: '决定生效', publication: '公示', close: '结案', review: '复议或诉讼' },
    facts: '事实', legalBasisLines: '依据（每行一条）', receivedOn: '收到日期', reference: '文号或编号', hearingRecord: '听证笔录编号', outcome: '结果',
    withSanction: '给予处理', reasons: '理由', authority: '发函机关', issuedOn: '发函日期', generateLetter: '生成并预览', channel: '送达方式',
    channels: { post: '邮寄', hand: '直接送达', official_system: '公文系统' }, previewThenPublish: '预览公示内容', confirmPublish: '请核对以上公示内容，确认后发布。', confirmPublishButton: '确认发布',
    reviewKind: '类型', reviews: { reconsideration: '行政复议', appeal: '行政诉讼' }, filedOn: '提起日期', reviewBody: '受理机关',
    case: '案件', civilServant: '国家工作人员', proposed: '拟处理', decision: '决定', publishedNote: '已于 {on} 公示。', nextSteps: '下一步', history: '历程',
    measure: { warning: '警告', suspension: '暂停评标资格 {months} 个月（{restore}）', removalYears: '清除出库，{years} 年内不得再入库', removalPermanent: '清除出库，终身不得再入库', fine: '，并处罚款 {yuan} 元' },
    pointsGround: '累计记分达到 {points} 分', lowCredit: '信用评价低于基准',
    violationNames: { accept_property: '收受投标人财物或者其他好处', leak_evaluation_information: '透露评审和比较、中标候选人推荐等评标情况',
      conceal_conflict_of_interest: '应当回避而不回避', private_contact_with_bidder: '私下接触投标人', ignore_evaluation_criteria: '不按照招标文件规定的评标标准和方法评标',
      leave_early: '擅离职守、提前离场', phone_in_room: '评标期间违规使用通讯工具', late_arrival: '迟到' },
    addExpertTitle: '申请入库（单个专家）', addExpertHint: '按与名册导入相同的规则校验；提交后为申请人，须经监管员或管理员审核入库。身份证号与手机号为个人信息，仅管理员可见完整号码。',
    identity: '身份信息', work: '工作与专业', residentId: '身份证号', employerCode: '工作单位统一社会信用代码', employedSince: '入职日期（空为今天）',
    specialtiesHeld: '评标专业（可多选，三级及以下）', titleLevel: '职称', titles: { none: '无', junior: '初级', intermediate: '中级', associate_senior: '副高级', senior: '正高级' },
    seniorEquivalent: '具有同等专业水平（无高级职称）', yearsInField: '从事专业年限', isCivilServant: '国家工作人员（受处理时通报其单位）',
    employerContact: '单位联系人（通报函收件人）', employerContactHint: '国家工作人员须填写：受到处理时，通报函寄往此处。', contactName: '联系人或部门', contactPhone: '联系电话', contactAddress: '通讯地址',
    documents: '证明材料（档案编号）', integrityPledge: '廉洁自律承诺书', noCriminalRecord: '无犯罪记录证明', submitApplication: '提交申请', wholeNumber: '请填写整数。',
    expertTitle: '专家 {id}', term: '聘期序号', employmentHistory: '工作经历', since: '起', until: '止',
    admissionsTitle: '入库审核（申请人）', admissionDecision: '审核决定', approve: '准予入库', reject: '不予入库', reasonLines: '理由（每行一条；不予入库时必填）',
    admitted: '已准予入库。', refused: '已决定不予入库。',
    phases: { reading: '读取', parsing: '解析各行', checking: '与专家库比对校验', writing: '写入' },
    notAllowed: '当前身份无权访问此页面。', loading: '加载中…', failed: '请求失败：{detail}', created: '已创建',
    yes: '是', no: '否', download: '下载',
    states: { committed: '已承诺', revealed: '已揭示', short: '人数不足', superseded: '已被替代', primary: '正选', reserve: '候补',
      invited: '已邀请', accepted: '已接受', declined: '已拒绝', accept: '参加', decline: '不参加', cancelled: '已取消', not_invited: '未邀请', open: '待答复', no_answer: '未答复', signed_in: '已签到', void: '作废', called_in: '已递补' },
  },
  en: {
    title: 'Expert draw console', skip: 'Skip to content', signOut: 'Sign out', switchLang: '中文', navLabel: 'Main navigation',
    tzNote: 'Times are China Standard Time (Asia/Shanghai); the API uses UTC.',
    signIn: 'Sign in', token: 'Access token', signInHint: 'The token is kept in this tab only (sessionStorage) and cleared when it closes.',
    signedInAs: 'Signed in: {role}{region}', roles: { admin: 'admin', operator: 'operator', supervisor: 'supervisor', regulator: 'regulator' },
    badToken: 'The token is invalid or expired.', required: 'Required.', fieldInvalid: 'Invalid: {detail}',
    nav: { pool: 'Pool', draws: 'Draws', newDraw: 'Request a draw', import: 'Import a roster', addExpert: 'Add an expert', admissions: 'Admissions', cases: 'Cases', penalties: 'Penalties', audit: 'Audit log', checkpoint: 'Checkpoint & verify', oversight: 'Oversight report', replay: 'Replay a draw', public: 'Awarded projects', panelCheck: 'Panel check', signIn: 'Sign in' },
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
    rosterFile: 'Roster file (CSV or XLSX)', importMode: 'Mode', modeAll: 'All or nothing', modeValid: 'Valid rows only', dryRun: 'Check only, write nothing',
    importRun: 'Upload and import', phaseRead: 'Reading the file…', phaseUpload: 'Uploading…', phaseCheck: 'The server checks and writes…', phaseDone: 'Done',
    importTitle: 'Import a roster', importHint: 'Every row is checked by the rules of an application; imported experts are applicants until admitted. Operators import their own region only.',
    importSummary: '{rows} rows: {valid} valid, {rejected} rejected, {imported} imported.', dryRunNote: 'Check only: nothing was written.',
    ignoredColumns: 'Unrecognised columns', row: 'Row', column: 'Column', rule: 'Rule', message: 'Message', importedIds: 'Imported expert ids',
    avoidAgency: 'Tendering agency to avoid (credit code)', avoidExperts: 'Experts to avoid (one per line: id reason)',
    policyTitle: 'Draw policy (optional)', policyHint: 'Tightening needs nothing; loosening needs a supervisor to approve below with their own token.',
    remoteWeight: 'Remote weight', localMax: 'Local maximum', maxPerEmployer: 'Maximum per employer',
    approvalTitle: "Supervisor's approval (looser policy, or a second open draw)", approvalHint: 'The supervisor types their own token; it goes with this request only and the server checks it (draw.approve_relaxation).',
    supervisorToken: "Supervisor's token", approvalReason: 'Reason',
    awaiting: 'awaiting answer', deadline: 'deadline', undelivered: 'not delivered', unsealedShort: 'unsealed', supplementary: 'Supplementary draws',
    changeSeated: '{p} takes a seat ({s})', changeLeft: '{p} left ({s})', changeState: '{p}: {s}', changes: 'Live changes (every 3 s)',
    phoneDecline: 'Record a decline taken by phone', evidence: 'Evidence reference (call log, recording)', reasonOptional: 'Reason (optional)', conflictOfInterest: 'Conflict of interest',
    recordDecline: 'Record and substitute', declineRecorded: '{p} declined; replacement: {r}',
    printRecord: 'Print the panel record', recordTitle: 'Panel draw record', qrAlt: 'QR code of the receipt link',
    recordServed: 'Panel members', recordOthers: 'Others drawn (declined, unseated reserves)', recordPrinted: 'Printed {at} (Beijing time)',
    signOperator: 'Operator', signSupervisor: 'Supervisor', print: 'Print', back: 'Back',
    respondTitle: 'Answer an evaluation invitation', respondUnknown: 'This link is unknown or no longer valid.', respondQuestion: 'You were drawn for the evaluation below. Will you attend? (The project stays confidential until sign-in.)',
    accept: 'Attend', decline: 'Decline', thanksAccept: 'Thank you: you are confirmed.', thanksDecline: 'Recorded: a substitute is drawn automatically.', respondAnswered: 'This invitation has been answered.',
    penaltiesTitle: 'Published penalties', penaltiesHint: 'Decided penalties after their public notice; undecided or unpublished cases are not listed.',
    caseNo: 'Case', employerName: 'Employer', violations: 'Violations', sanction: 'Sanction', decidedOn: 'Decided', effectiveOn: 'Effective', publishedOn: 'Published', revoked: 'revoked',
    approvalEntry: "Supervisor's approval", onlyMarked: 'Only entries needing attention', replayReading: 'Read {n} entries; replaying…',
    stage: 'Stage', stages: { all: 'All', opened: 'opened', notice_served: 'notice served', decided: 'decided', effective: 'in effect', published: 'published', closed: 'closed', withdrawn: 'withdrawn' },
    openedOn: 'Opened', updatedAt: 'Updated', proposals: 'Proposals without a case', grounds: 'Grounds', openCase: 'Open a case', casesTitle: 'Cases (violation to decision)',
    recordViolation: 'Record a violation', violationCode: 'Violation code (baseline)', occurredOn: 'Occurred on', drawIdOptional: 'Draw id (optional)', evidenceLines: 'Evidence (one per line)',
    record: 'Record', violationRecorded: 'Violation recorded: {points} points.', summary: 'Summary',
    measureKind: 'Measure', measures: { suspension: 'suspension', warning: 'warning', removal: 'removal' }, months: 'Months',
    restoreMode: 'Restored', restore: { after_test: 'after a test', automatic: 'automatically', on_application: 'on application' },
    banYears: 'Ban years (empty: for good)', fineYuan: 'Fine (yuan, optional)', submitStep: 'Submit', onDate: 'Date',
    noticePreview: 'Public notice preview', noticeText: '{case}: {name} ({employer}) was found to have committed {grounds}; decided {decided}: {sanction}, from {effective}.',
    noSanction: 'no sanction', servedOn: 'Notice served', defenceWindow: 'Defence window', defenceUntil: 'until {day} ({left} working days left)', waived: 'waived',
    decisionFrom: 'Decision possible from', hearing: 'Hearing', hearings: { not_required: 'not applicable', offered: 'offered', requested: 'requested', held: 'held', waived: 'waived' },
    baselineRange: 'Baseline range', position: '#', stepCol: 'Step', employerLetter: 'Employer letter', recipient: 'Recipient', deliveredOn: 'delivered', notDelivered: 'not delivered yet',
    step: { notice: 'Serve the notice (proposed sanction)', statements: 'Statement received', defenceWaiver: 'Defence waived', hearingRequest: 'Hearing requested', hearing: 'Hearing held', hearingWaiver: 'Hearing waived',
      decision: 'Decide', withdrawal: 'Withdraw the case', letter: 'Generate the employer letter (preview)', delivery: 'Letter delivered', effect: 'Takes effect', publication: 'Publish', close: 'Close', review: 'Reconsideration or appeal' },
    facts: 'Facts', legalBasisLines: 'Legal basis (one per line)', receivedOn: 'Received on', reference: 'Reference', hearingRecord: 'Hearing record', outcome: 'Outcome',
    withSanction: 'sanction', reasons: 'Reasons', authority: 'Issuing authority', issuedOn: 'Issued on', generateLetter: 'Generate and preview', channel: 'Channel',
    channels: { post: 'post', hand: 'by hand', official_system: 'official system' }, previewThenPublish: 'Preview the notice', confirmPublish: 'Check the notice above, then confirm.', confirmPublishButton: 'Confirm and publish',
    reviewKind: 'Kind', reviews: { reconsideration: 'reconsideration', appeal: 'appeal' }, filedOn: 'Filed on', reviewBody: 'Body',
    case: 'Case', civilServant: 'civil servant', proposed: 'Proposed', decision: 'Decision', publishedNote: 'Published on {on}.', nextSteps: 'Next steps', history: 'History',
    measure: { warning: 'warning', suspension: 'suspension for {months} months ({restore})', removalYears: 'removal, barred for {years} years', removalPermanent: 'removal, barred for good', fine: ', fine of {yuan} yuan' },
    pointsGround: '{points} points reached', lowCredit: 'credit below the baseline',
    violationNames: { accept_property: 'accepting property or other benefits from a bidder', leak_evaluation_information: 'disclosing the review, comparison or recommendation of candidates',
      conceal_conflict_of_interest: 'hiding a conflict of interest instead of stepping aside', private_contact_with_bidder: 'private contact with a bidder',
      ignore_evaluation_criteria: "not following the tender's evaluation criteria and method", leave_early: 'leaving the evaluation early without leave',
      phone_in_room: 'using a phone in the evaluation room', late_arrival: 'arriving late' },
    addExpertTitle: 'Apply for one expert', addExpertHint: 'Checked by the same rules as a roster import; the expert is an applicant until a regulator or an admin admits them. Resident ID and mobile are personal data: only admins see them in full.',
    identity: 'Identity', work: 'Work and specialties', residentId: 'Resident ID', employerCode: "Employer's unified social credit code", employedSince: 'Employed since (empty: today)',
    specialtiesHeld: 'Specialties (several allowed, level 3 or deeper)', titleLevel: 'Professional title', titles: { none: 'none', junior: 'junior', intermediate: 'intermediate', associate_senior: 'associate senior', senior: 'senior' },
    seniorEquivalent: 'Equivalent to a senior title (without one)', yearsInField: 'Years in the field', isCivilServant: 'Civil servant (their employer is notified of sanctions)',
    employerContact: "Employer's contact (for notices)", employerContactHint: 'Required for civil servants: a sanction notice is sent here.', contactName: 'Contact or department', contactPhone: 'Phone', contactAddress: 'Postal address',
    documents: 'Documents (file references)', integrityPledge: 'Integrity pledge', noCriminalRecord: 'Certificate of no criminal record', submitApplication: 'Submit the application', wholeNumber: 'A whole number, please.',
    expertTitle: 'Expert {id}', term: 'Term', employmentHistory: 'Employment history', since: 'From', until: 'Until',
    admissionsTitle: 'Admissions (applicants)', admissionDecision: 'Decision', approve: 'Admit', reject: 'Refuse', reasonLines: 'Reasons (one per line; required to refuse)',
    admitted: 'Admitted.', refused: 'Refused.',
    phases: { reading: 'Reading', parsing: 'Parsing rows', checking: 'Checking against the pool', writing: 'Writing' },
    notAllowed: 'Your role may not open this page.', loading: 'Loading…', failed: 'Request failed: {detail}', created: 'Created',
    yes: 'yes', no: 'no', download: 'Download',
    states: { committed: 'committed', revealed: 'revealed', short: 'short', superseded: 'superseded', primary: 'primary', reserve: 'reserve',
      invited: 'invited', accepted: 'accepted', declined: 'declined', accept: 'accept', decline: 'decline', cancelled: 'cancelled', not_invited: 'not invited', open: 'open', no_answer: 'no answer', signed_in: 'signed in', void: 'void', called_in: 'called in' },
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
