//! Masking of personal identifiers for screens, exports and logs; works on any
//! string, valid or not, because malformed input is exactly what gets logged.

// The rule for an input of the canonical length is the familiar one
// (`420106********1234`, `138****5678`). Shorter input keeps proportionally
// fewer characters, so a truncated ID does not reveal most of itself; longer
// input keeps the canonical head and tail and hides its length. Either way no
// more characters are revealed than for a canonical value.

const STAR: char = '*';

/// Resident ID: first 6 and last 4 characters of 18 visible.
pub fn mask_resident_id(s: &str) -> String {
    mask(
        s,
        Shape {
            len: 18,
            head: 6,
            tail: 4,
        },
    )
}

/// Mobile number: first 3 and last 4 digits of 11 visible.
pub fn mask_mobile(s: &str) -> String {
    mask(
        s,
        Shape {
            len: 11,
            head: 3,
            tail: 4,
        },
    )
}

#[derive(Clone, Copy)]
struct Shape {
    len: usize,
    head: usize,
    tail: usize,
}

fn mask(s: &str, shape: Shape) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let (head, tail, stars) = if n >= shape.len {
        (shape.head, shape.tail, shape.len - shape.head - shape.tail)
    } else {
        let head = n * shape.head / shape.len;
        let tail = n * shape.tail / shape.len;
        (head, tail, n - head - tail)
    };
    let mut out = String::with_capacity(head + stars + tail);
    out.extend(chars.iter().take(head));
    out.extend(std::iter::repeat_n(STAR, stars));
    out.extend(chars.iter().skip(n - tail));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table() {
        let cases = [
            (mask_resident_id("420106199001011234"), "420106********1234"),
            (mask_resident_id("42010619900101123x"), "420106********123x"),
            (mask_resident_id(""), ""),
            (mask_resident_id("4"), "*"),
            (mask_resident_id("420106"), "42***6"),
            (
                mask_resident_id("4201061990010112345"),
                "420106********2345",
            ),
            (
                mask_resident_id("湖北省武汉市武昌区某某路一号二单元三室"),
                "湖北省武汉市********单元三室",
            ),
            (mask_mobile("13812345678"), "138****5678"),
            (mask_mobile("1381234567"), "13*****567"),
            (mask_mobile("+8613812345678"), "+86****5678"),
            (mask_mobile("138"), "**8"),
            (mask_mobile(""), ""),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }

    proptest! {
        #[test]
        fn resident_id_masking_never_reveals_more_than_ten(s in "\\PC{0,40}") {
            let masked = mask_resident_id(&s);
            let kept = masked.chars().filter(|&c| c != STAR).count();
            prop_assert!(kept <= 10);
            // Never more than the canonical share for short input.
            let n = s.chars().count();
            prop_assert!(kept * 18 <= n.max(18) * 10);
        }

        #[test]
        fn mobile_masking_never_reveals_more_than_seven(s in "\\PC{0,30}") {
            let clean = s.replace(STAR, "#");
            let masked = mask_mobile(&clean);
            prop_assert!(masked.chars().filter(|&c| c != STAR).count() <= 7);
            prop_assert!(masked.contains(STAR) || clean.is_empty());
        }
    }
}
