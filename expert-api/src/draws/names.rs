//! Names as printed on an award notice, compared with the names of the
//! experts who served: the rule of the public panel check.
//!
//! Two names are the same when they are equal after Unicode NFC and after
//! removing every whitespace character (Unicode `White_Space`, so also the
//! ideographic space U+3000): notices often pad two-character names to the
//! width of three (`张  三`), and text pasted from a PDF may be decomposed.
//! A panel matches a notice when the two lists are equal as multisets: order
//! does not matter, repetition does.

use icu_normalizer::ComposingNormalizerBorrowed;

/// The comparable form of a name.
pub fn normalize(name: &str) -> String {
    ComposingNormalizerBorrowed::new_nfc()
        .normalize(name)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Whether `notice` names exactly the people of `served` (both compared in
/// their [`normalize`]d form, as multisets).
pub fn same_people(notice: &[String], served: &[String]) -> bool {
    let sorted = |names: &[String]| {
        let mut v: Vec<String> = names.iter().map(|n| normalize(n)).collect();
        v.sort_unstable();
        v
    };
    notice.len() == served.len() && sorted(notice) == sorted(served)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn normal_form() {
        assert_eq!(normalize(" 张  三\u{3000}"), "张三");
        assert_eq!(normalize("e\u{301}"), "\u{e9}");
        assert_eq!(normalize("阿依古丽·买买提"), "阿依古丽·买买提");
        assert_eq!(normalize(" \t\u{3000}"), "");
    }

    #[test]
    fn multisets() {
        let served = names(&["张三", "李四", "王五"]);
        assert!(same_people(&names(&["王五", "张 三", "李四"]), &served));
        assert!(!same_people(&names(&["王五", "张三"]), &served));
        assert!(!same_people(
            &names(&["王五", "张三", "李四", "李四"]),
            &served
        ));
        assert!(!same_people(&names(&["王五", "张三", "张三"]), &served));
        assert!(!same_people(&names(&["王五", "张三", "赵六"]), &served));
        let twins = names(&["张三", "张三"]);
        assert!(same_people(&names(&["张三", " 张三"]), &twins));
        assert!(same_people(
            &names(&["Jos\u{e9}"]),
            &names(&["Jose\u{301}"])
        ));
    }
}
