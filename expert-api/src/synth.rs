//! Synthetic expert rosters for tests, demos and benchmarks: realistic Hubei
//! experts that pass every admission rule, the same for the same seed.
//!
//! Randomness is the raw ChaCha20 stream (`next_u64` only, whole-number
//! arithmetic, no `powf`), so a seed gives the same roster on every machine
//! and every version of the rand crates (see the pitfalls on rand).
//!
//! Realism, roughly: Wuhan holds about half the pool; employers (about one
//! per ten experts) are skewed, a few large institutes employing many;
//! specialties follow the `pool_experts` counts of a real provincial pool;
//! titles are mostly 副高级 and 正高级; about 15 % are civil servants.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate};
use expert_core::identity::{with_check_char, with_check_digit};
use expert_core::reference::{Regions, SpecialtyTree};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use crate::import::columns::Column;

/// One generated roster row, in the importer's columns.
#[derive(Clone, PartialEq, Eq)]
pub struct SynthExpert {
    pub name: String,
    pub resident_id: String,
    pub mobile: String,
    pub region: String,
    pub employer_name: String,
    pub employer_code: String,
    pub employed_since: NaiveDate,
    pub specialties: Vec<String>,
    /// The API's snake_case title.
    pub title: &'static str,
    pub senior_equivalent: bool,
    pub years_in_field: u32,
    pub civil_servant: bool,
    pub employer_contact_name: Option<String>,
    pub employer_contact_phone: Option<String>,
    pub employer_contact_address: Option<String>,
    pub integrity_pledge: String,
    pub no_criminal_record: String,
}

impl std::fmt::Debug for SynthExpert {
    // Synthetic, but shaped like personal data: print it masked all the same.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SynthExpert")
            .field("name", &self.name)
            .field(
                "resident_id",
                &expert_core::identity::mask_resident_id(&self.resident_id),
            )
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

impl SynthExpert {
    /// The cell text for `column`, as a roster would hold it.
    pub fn cell(&self, column: Column) -> String {
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        match column {
            Column::Name => self.name.clone(),
            Column::ResidentId => self.resident_id.clone(),
            Column::Mobile => self.mobile.clone(),
            Column::Region => self.region.clone(),
            Column::EmployerName => self.employer_name.clone(),
            Column::EmployerCode => self.employer_code.clone(),
            Column::EmployedSince => self.employed_since.to_string(),
            Column::Specialties => self.specialties.join(";"),
            Column::Title => self.title.to_owned(),
            Column::SeniorEquivalent => yes_no(self.senior_equivalent).to_owned(),
            Column::YearsInField => self.years_in_field.to_string(),
            Column::CivilServant => yes_no(self.civil_servant).to_owned(),
            Column::EmployerContactName => opt(&self.employer_contact_name),
            Column::EmployerContactPhone => opt(&self.employer_contact_phone),
            Column::EmployerContactAddress => opt(&self.employer_contact_address),
            Column::IntegrityPledge => self.integrity_pledge.clone(),
            Column::NoCriminalRecord => self.no_criminal_record.clone(),
        }
    }
}

/// Regions with their share of the pool (per mille of the total weight)
/// and their telephone area code.
const REGIONS: [(&str, u64, &str); 18] = [
    ("420100", 470, "027"),
    ("420000", 30, "027"),
    ("420500", 60, "0717"),
    ("420600", 60, "0710"),
    ("421000", 40, "0716"),
    ("421100", 35, "0713"),
    ("420900", 30, "0712"),
    ("420300", 30, "0719"),
    ("420800", 25, "0724"),
    ("420200", 25, "0714"),
    ("421200", 20, "0715"),
    ("422800", 20, "0718"),
    ("421300", 15, "0722"),
    ("420700", 15, "0711"),
    ("429004", 10, "0728"),
    ("429005", 10, "0728"),
    ("429006", 10, "0728"),
    ("429021", 5, "0719"),
];

/// Real county-level address codes per prefecture, for resident IDs.
fn counties(region: &str) -> &'static [&'static str] {
    match region {
        "420100" | "420000" => &[
            "420102", "420103", "420104", "420105", "420106", "420107", "420111", "420112",
            "420113", "420114", "420115", "420116", "420117",
        ],
        "420200" => &["420202", "420203", "420204", "420222", "420281"],
        "420300" => &["420302", "420303", "420304", "420322", "420381"],
        "420500" => &["420502", "420503", "420504", "420506", "420581", "420582"],
        "420600" => &["420602", "420606", "420607", "420624", "420682", "420684"],
        "420700" => &["420702", "420703", "420704"],
        "420800" => &["420802", "420804", "420822", "420881", "420882"],
        "420900" => &["420902", "420921", "420981", "420982", "420984"],
        "421000" => &["421002", "421003", "421022", "421087", "421088"],
        "421100" => &["421102", "421122", "421123", "421181", "421182"],
        "421200" => &["421202", "421221", "421223", "421281"],
        "421300" => &["421303", "421321", "421381"],
        "422800" => &["422801", "422802", "422822", "422823"],
        "429004" => &["429004"],
        "429005" => &["429005"],
        "429006" => &["429006"],
        _ => &["429021"],
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "龙", "史", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "覃", "欧阳",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "文", "辉", "力", "鹏", "斌", "宇",
    "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "波", "宏", "峰", "志", "海", "红", "玲", "萍",
    "燕", "琳", "雪", "梅", "晨", "欣", "佳", "婷", "博", "彬", "亮", "晶", "慧", "蓉", "雯", "琴",
    "新", "春", "德", "荣", "林", "清", "忠", "东", "兵", "卫", "昌", "松", "武", "祥", "汉", "楚",
];

const INDUSTRIES: &[&str] = &[
    "建筑设计",
    "市政工程",
    "交通规划",
    "水利水电",
    "电力勘测",
    "信息技术",
    "工程咨询",
    "造价咨询",
    "环境科学",
    "测绘地理信息",
    "地质勘察",
    "建设监理",
    "医疗器械",
    "化工设计",
    "机械装备",
    "城市规划",
    "公路勘察",
    "招标代理",
];

const KINDS: &[(&str, bool)] = &[
    ("研究院有限公司", false),
    ("设计院有限公司", false),
    ("咨询有限公司", false),
    ("集团有限公司", false),
    ("工程有限公司", false),
    ("研究院", true),
    ("事务中心", true),
    ("职业技术学院", true),
];

const CONTACTS: &[&str] = &["人事处", "组织人事处", "人事科", "办公室", "干部人事处"];

const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "180", "181", "182",
    "183", "185", "186", "187", "188", "189", "191", "198", "199",
];

/// GB 32100's alphabet (no I, O, Z, S, V).
const CREDIT_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

struct Gen {
    rng: ChaCha20Rng,
}

impl Gen {
    fn u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Uniform in `0..n` (`n` > 0); the modulo bias is far below anything a
    /// roster can show.
    fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
        usize::try_from(self.u64() % n).unwrap_or(0)
    }

    /// True with probability `per_mille`/1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.u64() % 1000 < per_mille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len());
        items.get(i)
    }

    /// Index `0..n` skewed toward 0: the square of a uniform fraction, so
    /// the first tenth of the items gets about a third of the draws.
    fn skewed(&mut self, n: usize) -> usize {
        let n64 = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
        let a = self.u64() % n64;
        let b = self.u64() % n64;
        usize::try_from(a * b / n64).unwrap_or(0)
    }

    /// An index drawn with the weights whose running totals are `cumulative`.
    fn weighted(&mut self, cumulative: &[u64]) -> usize {
        let total = cumulative.last().copied().unwrap_or(0);
        if total == 0 {
            return 0;
        }
        let x = self.u64() % total;
        cumulative.partition_point(|&c| c <= x)
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + u8::try_from(self.below(10)).unwrap_or(0)))
            .collect()
    }
}

fn cumulative(weights: impl Iterator<Item = u64>) -> Vec<u64> {
    weights
        .scan(0u64, |acc, w| {
            *acc += w;
            Some(*acc)
        })
        .collect()
}

/// Leaf specialties (level 3 or deeper) weighted by `pool_experts`, and the
/// same grouped by their level-2 ancestor.
struct Specialties {
    codes: Vec<(String, String)>,
    cumulative: Vec<u64>,
    groups: std::collections::BTreeMap<String, (Vec<usize>, Vec<u64>)>,
}

impl Specialties {
    fn new(tree: &SpecialtyTree) -> Specialties {
        let mut codes = Vec::new();
        let mut weights = Vec::new();
        for s in tree.iter() {
            if s.level < 3 || s.pool_experts == 0 || tree.children(&s.code).next().is_some() {
                continue;
            }
            let Some(l2) = tree.ancestor_at_level(&s.code, 2) else {
                continue;
            };
            codes.push((s.code.clone(), l2.to_owned()));
            weights.push(s.pool_experts);
        }
        let mut groups: std::collections::BTreeMap<String, (Vec<usize>, Vec<u64>)> =
            std::collections::BTreeMap::new();
        for (i, (_, l2)) in codes.iter().enumerate() {
            let g = groups.entry(l2.clone()).or_default();
            g.0.push(i);
            let last = g.1.last().copied().unwrap_or(0);
            g.1.push(last + weights.get(i).copied().unwrap_or(0));
        }
        Specialties {
            cumulative: cumulative(weights.into_iter()),
            codes,
            groups,
        }
    }

    /// 1-3 distinct codes under at most two level-2 categories (the
    /// first-term caps are 2 level-2 and 6 level-3 categories).
    fn draw(&self, g: &mut Gen) -> Vec<String> {
        let want = match g.below(100) {
            0..50 => 1,
            50..85 => 2,
            _ => 3,
        };
        let mut chosen: Vec<usize> = Vec::new();
        let mut level2: Vec<&str> = Vec::new();
        for _ in 0..want * 8 {
            if chosen.len() == want {
                break;
            }
            let same_group = !level2.is_empty() && (level2.len() == 2 || g.chance(750));
            let i = if same_group {
                let Some(l2) = g.pick(&level2).copied() else {
                    break;
                };
                let Some((members, cum)) = self.groups.get(l2) else {
                    break;
                };
                let k = g.weighted(cum);
                members.get(k).copied().unwrap_or(0)
            } else {
                g.weighted(&self.cumulative)
            };
            let Some((_, l2)) = self.codes.get(i) else {
                continue;
            };
            if chosen.contains(&i) {
                continue;
            }
            if !level2.contains(&l2.as_str()) {
                if level2.len() == 2 {
                    continue;
                }
                level2.push(l2.as_str());
            }
            chosen.push(i);
        }
        chosen
            .into_iter()
            .filter_map(|i| self.codes.get(i).map(|(c, _)| c.clone()))
            .collect()
    }
}

struct EmployerPool {
    /// Per entry of `REGIONS`: (name, credit code) of its employers.
    by_region: Vec<Vec<(String, String)>>,
}

impl EmployerPool {
    fn new(g: &mut Gen, count: usize, regions: &Regions) -> EmployerPool {
        let total_weight: u64 = REGIONS.iter().map(|r| r.1).sum();
        let target = u64::try_from((count / 10).max(1)).unwrap_or(1);
        let mut seen = HashSet::new();
        let mut by_region = Vec::with_capacity(REGIONS.len());
        for (code, weight, _) in REGIONS {
            let n = (target * weight / total_weight).max(1);
            let city = regions.get(code).map_or("湖北省", |r| r.name.as_str());
            let mut list = Vec::new();
            for k in 0..n {
                let industry = g.pick(INDUSTRIES).copied().unwrap_or("工程咨询");
                let (kind, public) = g.pick(KINDS).copied().unwrap_or(("有限公司", false));
                // A number keeps names apart once a region has many employers.
                let name = if k < 40 {
                    format!("{city}{industry}{kind}")
                } else {
                    format!("{city}{industry}第{}{kind}", k / 40 + 1)
                };
                let credit = loop {
                    let head = if public { "12" } else { "91" };
                    let body: String = (0..9)
                        .map(|_| {
                            let i = g.below(CREDIT_ALPHABET.len());
                            char::from(CREDIT_ALPHABET.get(i).copied().unwrap_or(b'0'))
                        })
                        .collect();
                    if let Some(c) = with_check_char(&format!("{head}{code}{body}"))
                        && seen.insert(c.clone())
                    {
                        break c;
                    }
                };
                list.push((name, credit));
            }
            by_region.push(list);
        }
        EmployerPool { by_region }
    }
}

/// The date `years` years before `date` (28 February for 29 February).
fn years_before(date: NaiveDate, years: i32) -> NaiveDate {
    let y = date.year() - years;
    NaiveDate::from_ymd_opt(y, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, date.month(), 28))
        .unwrap_or(date)
}

/// `count` experts, deterministic for (`seed`, `as_of`); ages are 35-64 on
/// `as_of`, so the roster passes admission for a year after it.
pub fn roster(count: usize, seed: u64, as_of: NaiveDate) -> Vec<SynthExpert> {
    let mut g = Gen {
        rng: ChaCha20Rng::seed_from_u64(seed),
    };
    let regions = Regions::builtin();
    let specialties = Specialties::new(SpecialtyTree::builtin());
    let employers = EmployerPool::new(&mut g, count, regions);
    let region_cum = cumulative(REGIONS.iter().map(|r| r.1));
    let mut ids = HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let r = g.weighted(&region_cum);
        let (region, _, area) = REGIONS.get(r).copied().unwrap_or(REGIONS[0]);
        let staff = employers.by_region.get(r).map_or(&[][..], Vec::as_slice);
        let (employer_name, employer_code) = staff
            .get(g.skewed(staff.len()))
            .cloned()
            .unwrap_or_default();

        let age = 35 + g.below(30);
        let age_i = i32::try_from(age).unwrap_or(35);
        let days_back = i64::try_from(1 + g.below(360)).unwrap_or(1);
        let birth = years_before(as_of, age_i) - Duration::days(days_back);
        // Most people work where they were born.
        let home = if g.chance(750) {
            region
        } else {
            REGIONS.get(g.below(REGIONS.len())).map_or(region, |r| r.0)
        };
        let resident_id = loop {
            let county = g.pick(counties(home)).copied().unwrap_or("420106");
            let seq = 1 + g.below(999);
            let first17 = format!("{county}{}{seq:03}", birth.format("%Y%m%d"));
            if let Some(id) = with_check_digit(&first17)
                && ids.insert(id.clone())
            {
                break id;
            }
        };
        let prefix = g.pick(MOBILE_PREFIXES).copied().unwrap_or("138");
        let mobile = format!("{prefix}{}", g.digits(8));

        let (title, senior_equivalent) = match g.below(100) {
            0..30 => ("senior", false),
            30..95 => ("associate_senior", false),
            _ => ("intermediate", true),
        };
        let max_years = (age.saturating_sub(22)).clamp(8, 35);
        let years_in_field = u32::try_from(8 + g.below(max_years - 8 + 1)).unwrap_or(8);
        let at_employer =
            i32::try_from(1 + g.below(usize::try_from(years_in_field).unwrap_or(8))).unwrap_or(1);
        let employed_since = years_before(as_of, at_employer)
            - Duration::days(i64::try_from(g.below(200)).unwrap_or(0));

        let civil_servant = g.chance(150);
        let has_contact = civil_servant || g.chance(200);
        let (contact_name, contact_phone, contact_address) = if has_contact {
            let name = g.pick(CONTACTS).copied().unwrap_or("人事处").to_owned();
            let first = 2 + g.below(7);
            let phone = format!("{area}-{first}{}", g.digits(7));
            let address = g.chance(500).then(|| {
                let city = regions.get(region).map_or("湖北省", |r| r.name.as_str());
                format!("{city}建设大道{}号", 1 + g.below(999))
            });
            (Some(name), Some(phone), address)
        } else {
            (None, None, None)
        };

        let surname = SURNAMES
            .get(g.skewed(SURNAMES.len()))
            .copied()
            .unwrap_or("王");
        let mut name = surname.to_owned();
        let given = if g.chance(700) { 2 } else { 1 };
        for _ in 0..given {
            name.push_str(g.pick(GIVEN).copied().unwrap_or("明"));
        }

        out.push(SynthExpert {
            name,
            resident_id,
            mobile,
            region: region.to_owned(),
            employer_name,
            employer_code,
            employed_since,
            specialties: specialties.draw(&mut g),
            title,
            senior_equivalent,
            years_in_field,
            civil_servant,
            employer_contact_name: contact_name,
            employer_contact_phone: contact_phone,
            employer_contact_address: contact_address,
            integrity_pledge: format!("pledge/{seed:x}/{i:06}.pdf"),
            no_criminal_record: format!("ncr/{seed:x}/{i:06}.pdf"),
        });
    }
    out
}

/// The roster as UTF-8 CSV with English headers.
pub fn write_csv(out: impl Write, experts: &[SynthExpert]) -> Result<(), ::csv::Error> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(Column::ALL.iter().map(|c| c.name()))?;
    for e in experts {
        w.write_record(Column::ALL.iter().map(|&c| e.cell(c)))?;
    }
    w.flush()?;
    Ok(())
}

/// The roster as XLSX: identifiers as text cells (in text-formatted
/// columns, so rows added in Excel stay text), years as numbers, the
/// employment date as a date cell.
pub fn write_xlsx(path: &Path, experts: &[SynthExpert]) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("专家名册")?;
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (col, c) in Column::ALL.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet.write_string(0, col, c.name())?;
        if matches!(
            c,
            Column::ResidentId | Column::Mobile | Column::EmployerCode | Column::Region
        ) {
            sheet.set_column_format(col, &text)?;
        }
    }
    for (i, e) in experts.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for (col, &c) in Column::ALL.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            match c {
                Column::YearsInField => {
                    sheet.write_number(row, col, f64::from(e.years_in_field))?;
                }
                Column::EmployedSince => {
                    let d = e.employed_since;
                    let dt = ExcelDateTime::from_ymd(
                        u16::try_from(d.year()).unwrap_or(2000),
                        u8::try_from(d.month()).unwrap_or(1),
                        u8::try_from(d.day()).unwrap_or(1),
                    )?;
                    sheet.write_datetime_with_format(row, col, &dt, &date)?;
                }
                _ => {
                    let v = e.cell(c);
                    if !v.is_empty() {
                        sheet.write_string(row, col, &v)?;
                    }
                }
            }
        }
    }
    book.save(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::columns::ColumnMap;
    use crate::import::table::{Cell, Row};
    use expert_core::admission::{AdmissionHistory, AdmissionPolicy, check_admission};

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    #[test]
    fn same_seed_same_roster_other_seed_other_roster() {
        let a = roster(200, 7, as_of());
        assert_eq!(a, roster(200, 7, as_of()));
        assert_ne!(a, roster(200, 8, as_of()));
    }

    /// Every generated row passes the importer's parsing and the API's
    /// admission rules, with the default policy.
    #[test]
    fn every_row_passes_admission() {
        let experts = roster(2_000, 42, as_of());
        let headers: Vec<String> = Column::ALL.iter().map(|c| c.name().to_owned()).collect();
        let map = ColumnMap::from_headers(&headers).unwrap();
        let policy = AdmissionPolicy::default();
        for (i, e) in experts.iter().enumerate() {
            let row = Row {
                number: i + 2,
                cells: Column::ALL
                    .iter()
                    .map(|&c| match e.cell(c) {
                        s if s.is_empty() => Cell::Empty,
                        s => Cell::Text(s),
                    })
                    .collect(),
            };
            let intake =
                crate::import::row::parse(&map, &row, as_of(), &AdmissionPolicy::default())
                    .unwrap_or_else(|errs| panic!("row {i}: {errs:?}"));
            check_admission(
                &intake.application,
                &AdmissionHistory::default(),
                &policy,
                as_of(),
            )
            .unwrap_or_else(|errs| panic!("row {i}: {errs:?}"));
        }
    }

    #[test]
    fn the_pool_looks_like_a_pool() {
        let experts = roster(5_000, 1, as_of());
        let ids: HashSet<&str> = experts.iter().map(|e| e.resident_id.as_str()).collect();
        assert_eq!(ids.len(), experts.len());
        let wuhan = experts.iter().filter(|e| e.region == "420100").count();
        assert!((2_200..2_900).contains(&wuhan), "Wuhan {wuhan}");
        let civil = experts.iter().filter(|e| e.civil_servant).count();
        assert!((550..950).contains(&civil), "civil servants {civil}");
        let employers: HashSet<&str> = experts.iter().map(|e| e.employer_code.as_str()).collect();
        assert!(
            employers.len() <= 520 && employers.len() > 250,
            "{}",
            employers.len()
        );
        let senior = experts
            .iter()
            .filter(|e| e.title == "senior" || e.title == "associate_senior")
            .count();
        assert!(senior > 4_500);
        for e in &experts {
            assert!((1..=3).contains(&e.specialties.len()));
            assert!((8..=35).contains(&e.years_in_field));
        }
    }
}
