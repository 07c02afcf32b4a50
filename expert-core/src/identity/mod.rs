//! Validated identifiers of people and organisations: citizen ID, unified
//! social credit code, mobile number, and masking for display and logs.

// A value of these types has passed its check-digit and format rules, so the
// rest of the crate never re-validates. `Debug` shows only the masked form:
// personal identifiers must not leak into logs through `{:?}`.

mod credit_code;
mod mask;
mod mobile;
mod resident_id;

pub use credit_code::{CreditCode, with_check_char};
pub use mask::{mask_mobile, mask_resident_id};
pub use mobile::Mobile;
pub use resident_id::{ResidentId, with_check_digit};

/// Which identifier an [`IdentityError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    ResidentId,
    CreditCode,
    Mobile,
}

impl IdKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            IdKind::ResidentId => "居民身份证号码",
            IdKind::CreditCode => "统一社会信用代码",
            IdKind::Mobile => "手机号码",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            IdKind::ResidentId => "resident ID",
            IdKind::CreditCode => "unified social credit code",
            IdKind::Mobile => "mobile number",
        }
    }
}

/// Why a string is not a valid identifier. Positions are 1-based, as people
/// count characters on a form. No variant carries the rejected input, so an
/// error can be logged or returned to a client without leaking it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error(
        "{}应为{expected}位，实际为{found}位 / {} must be {expected} characters, found {found}",
        kind.name_zh(),
        kind.name_en()
    )]
    Length {
        kind: IdKind,
        expected: usize,
        found: usize,
    },
    #[error(
        "{}第{position}位字符不合法 / {}: invalid character at position {position}",
        kind.name_zh(),
        kind.name_en()
    )]
    Character { kind: IdKind, position: usize },
    #[error(
        "居民身份证号码中的出生日期不是有效日期 / resident ID: the birth date (positions 7-14) is not a real date"
    )]
    BirthDate,
    #[error(
        "{}校验位错误 / {}: check character does not match",
        kind.name_zh(),
        kind.name_en()
    )]
    CheckCharacter { kind: IdKind },
    #[error(
        "统一社会信用代码第3-8位应为行政区划码 / credit code: positions 3-8 must be an administrative division code"
    )]
    RegionCode,
    #[error("手机号码号段不合法（应以13-19开头） / mobile number must start with 13-19")]
    MobilePrefix,
}
