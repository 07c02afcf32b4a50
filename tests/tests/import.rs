//! `expert-api import` against a running server on each backend: clean CSV
//! and XLSX imports, the two modes, unusable files, in-file duplicates,
//! `--admit` and `--dry-run`, checked over HTTP and in the audit log.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use expert_api::synth::{self, SynthExpert};
use expert_draw_tests::{Backend, Server, both_backends, cli, cli_ok};
use serde_json::Value;

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn experts(n: usize, seed: u64) -> Vec<SynthExpert> {
    synth::roster(n, seed, today())
}

fn write_csv(path: &Path, rows: &[SynthExpert]) -> PathBuf {
    let file = std::fs::File::create(path).expect("create roster");
    synth::write_csv(file, rows).expect("write roster");
    path.to_owned()
}

/// The same ID with a wrong check character.
fn break_check_digit(id: &str) -> String {
    let (head, last) = id.split_at(17);
    let other = if last == "0" { "1" } else { "0" };
    format!("{head}{other}")
}

/// Every log entry as JSON, in order.
fn log(s: &Server) -> Vec<Value> {
    let r = s.admin().get("/api/v1/audit/entries?limit=10000");
    assert_eq!(r.status, 200, "{}", r.text);
    r.text
        .lines()
        .map(|l| serde_json::from_str(l).expect("entry JSON"))
        .collect()
}

fn kinds(entries: &[Value], kind: &str) -> Vec<Value> {
    entries
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

fn list(s: &Server) -> Vec<Value> {
    let r = s.admin().get("/api/v1/experts?limit=200");
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["items"].as_array().cloned().unwrap_or_default()
}

fn import(s: &Server, file: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["import", file.to_str().expect("path"), "--db", &s.db.url];
    args.extend_from_slice(extra);
    cli(&args)
}

fn clean_csv(backend: Backend) {
    let s = Server::start(backend);
    let rows = experts(25, 1);
    let file = write_csv(&s.db.path("roster.csv"), &rows);
    let before = log(&s).len();
    let out = cli_ok(&["import", file.to_str().unwrap(), "--db", &s.db.url]);
    assert!(out.contains("25 valid, 0 rejected"), "{out}");
    // Nothing personal on the terminal.
    for r in &rows {
        assert!(!out.contains(&r.resident_id) && !out.contains(&r.mobile));
    }

    let items = list(&s);
    assert_eq!(items.len(), 25);
    assert!(items.iter().all(|e| e["status"] == "applicant"));
    let first = &items[0];
    assert_eq!(first["name"], rows[0].name.as_str());
    assert_eq!(first["resident_id"], rows[0].resident_id.as_str());
    assert_eq!(first["region"], rows[0].region.as_str());
    assert_eq!(first["specialties"], serde_json::json!(rows[0].specialties));

    let entries = log(&s);
    assert_eq!(entries.len(), before + 25);
    let applies = kinds(&entries, "expert.apply");
    assert_eq!(applies.len(), 25);
    let ids: Vec<&str> = items.iter().map(|e| e["id"].as_str().unwrap()).collect();
    for (entry, id) in applies.iter().zip(&ids) {
        assert_eq!(entry["data"]["expert_id"], *id);
        assert!(entry["actor"].as_str().unwrap().starts_with("cli:"));
    }
    // The log's stored leaves still match its root.
    cli_ok(&["audit", "check", "--db", &s.db.url]);
}
both_backends!(clean_csv_import, clean_csv);

fn xlsx(backend: Backend) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let s = Server::start(backend);
    let rows = experts(3, 2);
    let path = s.db.path("名册.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("第一页").unwrap();
    let headers = [
        "姓名",
        "身份证号",
        "手机号",
        "地区代码",
        "工作单位",
        "统一社会信用代码",
        "入职日期",
        "专业",
        "职称",
        "从业年限",
        "是否国家工作人员",
        "单位联系人",
        "单位联系电话",
        "廉洁承诺书",
        "无犯罪记录证明",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (i, e) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        sheet.write_string(r, 0, &e.name).unwrap();
        sheet.write_string(r, 1, &e.resident_id).unwrap();
        // A mobile typed as a number survives: 11 digits fit a double.
        sheet
            .write_number(r, 2, e.mobile.parse::<f64>().unwrap())
            .unwrap();
        sheet
            .write_number(r, 3, e.region.parse::<f64>().unwrap())
            .unwrap();
        sheet.write_string(r, 4, &e.employer_name).unwrap();
        sheet.write_string(r, 5, &e.employer_code).unwrap();
        let dt = ExcelDateTime::from_ymd(2015, 3, (i + 1) as u8).unwrap();
        sheet.write_datetime_with_format(r, 6, &dt, &date).unwrap();
        sheet.write_string(r, 7, e.specialties.join("、")).unwrap();
        let title = match e.title {
            "senior" => "正高级",
            "associate_senior" => "副高级",
            _ => "中级",
        };
        sheet.write_string(r, 8, title).unwrap();
        sheet
            .write_number(r, 9, f64::from(e.years_in_field))
            .unwrap();
        sheet.write_boolean(r, 10, true).unwrap();
        sheet.write_string(r, 11, "人事处").unwrap();
        sheet.write_string(r, 12, "027-87654321").unwrap();
        sheet.write_string(r, 13, &e.integrity_pledge).unwrap();
        sheet.write_string(r, 14, &e.no_criminal_record).unwrap();
    }
    book.save(&path).unwrap();
    // Intermediate titles need the senior-equivalent column: there is none
    // here, so those rows must be refused; the others imported.
    let want = rows.iter().filter(|e| e.title != "intermediate").count();
    let (code, out, err) = import(&s, &path, &["--mode", "valid-only"]);
    assert_eq!(code, if want == 3 { 0 } else { 1 }, "{out}\n{err}");
    assert!(out.contains("(XLSX)"), "{out}");
    let items = list(&s);
    assert_eq!(items.len(), want);
    let first = &items[0];
    assert_eq!(first["mobile"], rows[0].mobile.as_str());
    assert_eq!(first["region"], rows[0].region.as_str());
    assert_eq!(first["civil_servant"], true);
    let id = first["id"].as_str().unwrap();
    let one = s.admin().get(&format!("/api/v1/experts/{id}"));
    assert_eq!(
        one.json["employment_history"][0]["from"], "2015-03-01",
        "{}",
        one.text
    );

    // A resident ID stored as a number is refused with advice.
    let path = s.db.path("numbers.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let e = &experts(1, 3)[0];
    sheet
        .write_number(1, 1, e.resident_id[..17].parse::<f64>().unwrap() * 10.0)
        .unwrap();
    book.save(&path).unwrap();
    let (code, out, _) = import(&s, &path, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("number_not_text"), "{out}");
    assert!(out.contains("format the column as Text"), "{out}");
}
both_backends!(xlsx_import, xlsx);

/// Five rows, the fourth with a wrong check character.
fn roster_with_bad_row(s: &Server) -> (Vec<SynthExpert>, PathBuf) {
    let mut rows = experts(5, 4);
    rows[3].resident_id = break_check_digit(&rows[3].resident_id);
    let file = write_csv(&s.db.path("roster.csv"), &rows);
    (rows, file)
}

fn all_or_nothing(backend: Backend) {
    let s = Server::start(backend);
    let (_, file) = roster_with_bad_row(&s);
    let before = log(&s);
    let report = s.db.path("report.csv");
    let (code, out, err) = import(&s, &file, &["--report", report.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("nothing imported"), "{out}");
    let text = std::fs::read_to_string(&report).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "row,column,field,rule,message_zh,message_en");
    // Data row 4 is spreadsheet row 5.
    assert!(
        lines[1].starts_with("5,resident_id,resident_id,check_character,"),
        "{text}"
    );
    assert_eq!(lines.len(), 2, "{text}");
    assert!(list(&s).is_empty());
    assert_eq!(log(&s), before);
}
both_backends!(all_or_nothing_writes_nothing, all_or_nothing);

fn valid_only(backend: Backend) {
    let s = Server::start(backend);
    let (rows, file) = roster_with_bad_row(&s);
    let report = s.db.path("report.csv");
    let (code, out, err) = import(
        &s,
        &file,
        &["--mode", "valid-only", "--report", report.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("imported 已导入 4 expert(s)"), "{out}");
    let names: Vec<String> = list(&s)
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect();
    let want: Vec<String> = rows
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .map(|(_, e)| e.name.clone())
        .collect();
    assert_eq!(names, want);
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.contains("5,resident_id,resident_id,check_character"),
        "{text}"
    );
    assert_eq!(kinds(&log(&s), "expert.apply").len(), 4);
}
both_backends!(valid_only_imports_the_good_rows, valid_only);

fn missing_column(backend: Backend) {
    let s = Server::start(backend);
    let file = s.db.path("roster.csv");
    std::fs::write(
        &file,
        "姓名,身份证号,地区代码,工作单位,统一社会信用代码,专业,职称,从业年限\n张三,420106197001011232,420100,某院,91350100M000100Y43,ENA010101,副高级,15\n",
    )
    .unwrap();
    let (code, out, err) = import(&s, &file, &[]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("mobile (手机号)"), "{err}");
    assert!(err.contains("civil_servant (是否国家工作人员)"), "{err}");
    assert!(!err.contains("resident_id"), "{err}");
    // Unreadable: no such file, unknown extension.
    let (code, _, err) = import(&s, &s.db.path("nope.csv"), &[]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = import(&s, &s.db.path("roster.ods"), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--format"), "{err}");
    // Not a workbook.
    let (code, _, err) = import(&s, &file, &["--format", "xlsx"]);
    assert_eq!(code, 2, "{err}");
    assert!(list(&s).is_empty());
}
both_backends!(missing_column_exits_2, missing_column);

fn not_utf8(backend: Backend) {
    let s = Server::start(backend);
    let file = s.db.path("gbk.csv");
    // "姓名,身份证号" in GBK, then a row.
    let mut bytes = b"\xD0\xD5\xC3\xFB,\xC9\xED\xB7\xDD\xD6\xA4\xBA\xC5\n".to_vec();
    bytes.extend_from_slice(b"\xD5\xC5\xC8\xFD,420106197001011232\n");
    std::fs::write(&file, bytes).unwrap();
    let (code, out, err) = import(&s, &file, &[]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("UTF-8"), "{err}");
    assert!(list(&s).is_empty());
}
both_backends!(non_utf8_csv_exits_2, not_utf8);

fn duplicates(backend: Backend) {
    let s = Server::start(backend);
    let mut rows = experts(4, 5);
    rows[3].resident_id = rows[1].resident_id.clone();
    let file = write_csv(&s.db.path("roster.csv"), &rows);
    let report = s.db.path("report.csv");
    let (code, out, _) = import(&s, &file, &["--report", report.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let text = std::fs::read_to_string(&report).unwrap();
    // Data rows 2 and 4 are spreadsheet rows 3 and 5: both are named.
    assert!(
        text.contains("5,resident_id,resident_id,duplicate_in_file,身份证号与第3行重复"),
        "{text}"
    );
    assert!(text.contains("same resident ID as row 3"), "{text}");
    assert!(list(&s).is_empty());

    let (code, out, _) = import(&s, &file, &["--mode", "valid-only"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(list(&s).len(), 3);
    // Importing again: every row is now already registered.
    let (code, out, _) = import(&s, &file, &["--mode", "valid-only"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("already_registered"), "{out}");
    assert_eq!(list(&s).len(), 3);

    // The API and the importer share the store's rules: an imported person
    // cannot apply again over HTTP, a new one can.
    let r = s.admin().post("/api/v1/experts", &application(&rows[0]));
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.problem()["rule"], "already_registered");
    let fresh = &experts(1, 99)[0];
    let r = s.admin().post("/api/v1/experts", &application(fresh));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["id"], "E0000004");
    assert_eq!(kinds(&log(&s), "expert.apply").len(), 4);
}

/// The API body for a generated expert.
fn application(e: &SynthExpert) -> Value {
    let contact = e.employer_contact_name.as_ref().map(|name| {
        serde_json::json!({
            "name": name,
            "phone": e.employer_contact_phone,
            "address": e.employer_contact_address,
        })
    });
    serde_json::json!({
        "name": e.name,
        "resident_id": e.resident_id,
        "mobile": e.mobile,
        "region": e.region,
        "employer": {"name": e.employer_name, "code": e.employer_code},
        "employed_since": e.employed_since,
        "specialties": e.specialties,
        "title": e.title,
        "senior_equivalent": e.senior_equivalent,
        "years_in_field": e.years_in_field,
        "civil_servant": e.civil_servant,
        "employer_contact": contact,
        "documents": {
            "integrity_pledge": e.integrity_pledge,
            "no_criminal_record": e.no_criminal_record,
        },
    })
}
both_backends!(duplicate_resident_id_in_file, duplicates);

fn admit(backend: Backend) {
    let s = Server::start(backend);
    let file = write_csv(&s.db.path("roster.csv"), &experts(6, 6));
    let out = cli_ok(&[
        "import",
        file.to_str().unwrap(),
        "--admit",
        "--db",
        &s.db.url,
    ]);
    assert!(out.contains("admitted 已准入 6"), "{out}");
    let items = list(&s);
    assert_eq!(items.len(), 6);
    for e in &items {
        assert_eq!(e["status"], "active", "{e}");
        let term = &e["status_detail"]["term"];
        assert_eq!(term["number"], 1, "{e}");
        assert_eq!(term["start"], today().to_string());
    }
    let entries = log(&s);
    let approvals = kinds(&entries, "expert.approve");
    assert_eq!(kinds(&entries, "expert.apply").len(), 6);
    assert_eq!(approvals.len(), 6);
    assert!(approvals.iter().all(|a| {
        a["actor"].as_str().unwrap().starts_with("cli:") && a["data"]["to"] == "active"
    }));
    cli_ok(&["audit", "check", "--db", &s.db.url]);
}
both_backends!(admit_approves_each_import, admit);

fn dry_run(backend: Backend) {
    let s = Server::start(backend);
    let file = write_csv(&s.db.path("roster.csv"), &experts(8, 7));
    let before = log(&s);
    let out = cli_ok(&[
        "import",
        file.to_str().unwrap(),
        "--dry-run",
        "--admit",
        "--db",
        &s.db.url,
    ]);
    assert!(out.contains("8 row(s) would be imported"), "{out}");
    assert!(list(&s).is_empty());
    assert_eq!(log(&s), before);

    let (_, bad) = roster_with_bad_row(&s);
    let (code, out, _) = import(&s, &bad, &["--dry-run"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("check_character"), "{out}");
    assert!(list(&s).is_empty());
    assert_eq!(log(&s), before);
}
both_backends!(dry_run_writes_nothing, dry_run);
