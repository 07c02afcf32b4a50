//! Valid request bodies that differ only where a test needs them to: the
//! n-th applicant has its own resident ID and mobile number.

use serde_json::{Value, json};

/// The resident ID of applicant `n`: born 1970-01-01 + `n / 1000` days
/// (Wuhan Wuchang), sequence `n % 1000`, with a correct check digit.
pub fn resident_id(n: u32) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("date")
        + chrono::Duration::days(i64::from(n / 1000));
    let first17 = format!("420106{}{:03}", birth.format("%Y%m%d"), n % 1000);
    expert_core::identity::with_check_digit(&first17).expect("17 digits")
}

/// The mobile number of applicant `n`.
pub fn mobile(n: u32) -> String {
    format!("139{:08}", 10_000_000 + n)
}

/// A first-term application that passes every admission rule of the
/// default policy.
pub fn application(n: u32) -> Value {
    json!({
        "name": format!("测试专家{n}"),
        "resident_id": resident_id(n),
        "mobile": mobile(n),
        "region": "420100",
        "employer": {"name": "湖北省某设计院", "code": "91350100M000100Y43"},
        "specialties": ["ENA010101"],
        "title": "associate_senior",
        "years_in_field": 15,
        "civil_servant": false,
        "documents": {"integrity_pledge": "doc/1", "no_criminal_record": "doc/2"}
    })
}
