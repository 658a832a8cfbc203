//! Excerpts: the line a secret is on, with every secret on it replaced by `*`s.
//!
//! A secret keeps only its public prefix (`AKIA`, `ghp_`), which names its kind; at most 16
//! `*`s stand for the rest, so the excerpt does not even give the secret's length away when it
//! is long. Every secret found on the line is masked, not only the one reported, and so is
//! the part of a multi-line secret (a private key's body) that crosses the line. Long lines
//! are cut around the finding.

use std::ops::Range;

/// The longest excerpt, in characters (without the `…` marking a cut).
pub(super) const EXCERPT_MAX: usize = 160;
/// How many `*`s stand for a secret at most.
const STARS_MAX: usize = 16;

/// A secret's bytes in the file, and how many of them are a public prefix that may be shown.
#[derive(Debug, Clone)]
pub(super) struct Mask {
    pub(super) span: Range<usize>,
    pub(super) keep: usize,
}

/// The line `line` of `content` with `masks` applied, cut to [`EXCERPT_MAX`] characters around
/// byte `at`.
pub(super) fn excerpt(content: &[u8], line: Range<usize>, at: usize, masks: &[Mask]) -> String {
    let mut out = String::new();
    let mut at_char = None;
    let mut chars = 0usize;
    let mut pos = line.start;
    let push_text = |out: &mut String, chars: &mut usize, bytes: &[u8]| {
        for c in String::from_utf8_lossy(bytes).chars() {
            out.push(if c.is_control() { ' ' } else { c });
            *chars += 1;
        }
    };
    let mut relevant: Vec<&Mask> = masks
        .iter()
        .filter(|m| m.span.start < line.end && m.span.end > line.start && !m.span.is_empty())
        .collect();
    relevant.sort_by_key(|m| m.span.start);
    for mask in relevant {
        if mask.span.end <= pos {
            continue;
        }
        let start = mask.span.start.max(pos);
        if at_char.is_none() && at < start {
            at_char = Some(chars + at.saturating_sub(pos));
        }
        push_text(
            &mut out,
            &mut chars,
            content.get(pos..start).unwrap_or_default(),
        );
        if at_char.is_none() && at <= mask.span.end {
            at_char = Some(chars);
        }
        let mut hidden = mask.span.end.min(line.end) - start;
        // The public prefix, only where the secret starts on this line.
        if mask.span.start >= pos {
            let keep = mask.keep.min(hidden);
            push_text(
                &mut out,
                &mut chars,
                content.get(start..start + keep).unwrap_or_default(),
            );
            hidden -= keep;
        }
        let stars = hidden.clamp(1, STARS_MAX);
        out.extend(std::iter::repeat_n('*', stars));
        chars += stars;
        pos = mask.span.end.min(line.end);
    }
    if at_char.is_none() {
        at_char = Some(chars + at.saturating_sub(pos));
    }
    push_text(
        &mut out,
        &mut chars,
        content.get(pos..line.end).unwrap_or_default(),
    );
    cut(&out, at_char.unwrap_or(0))
}

/// `text` trimmed, and cut to [`EXCERPT_MAX`] characters around character `at`.
fn cut(text: &str, at: usize) -> String {
    let leading = text.chars().take_while(|c| c.is_whitespace()).count();
    let trimmed = text.trim();
    let at = at.saturating_sub(leading);
    let len = trimmed.chars().count();
    if len <= EXCERPT_MAX {
        return trimmed.to_owned();
    }
    let start = at.saturating_sub(EXCERPT_MAX / 3).min(len - EXCERPT_MAX);
    let mut out = String::with_capacity(EXCERPT_MAX + 8);
    if start > 0 {
        out.push('…');
    }
    out.extend(trimmed.chars().skip(start).take(EXCERPT_MAX));
    if start + EXCERPT_MAX < len {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(text: &str, secret: &str, keep: usize) -> Mask {
        let start = text.find(secret).unwrap();
        Mask {
            span: start..start + secret.len(),
            keep,
        }
    }

    #[test]
    fn masks_secrets_and_keeps_prefixes() {
        let text = "  aws_access_key_id = AKIA2E0A8F3B244C9986 ; secret = qT9/vX2mLk8+Rw4zJc7NsYb1Hd6GpFe3Ua5WoKiE\n";
        let masks = [
            mask(text, "AKIA2E0A8F3B244C9986", 4),
            mask(text, "qT9/vX2mLk8+Rw4zJc7NsYb1Hd6GpFe3Ua5WoKiE", 0),
        ];
        let line = 0..text.len() - 1;
        assert_eq!(
            excerpt(text.as_bytes(), line, 22, &masks),
            "aws_access_key_id = AKIA**************** ; secret = ****************"
        );
    }

    #[test]
    fn masks_the_part_of_a_multi_line_secret_on_the_line() {
        let text = "key: |\n  abcdefgh\n  ijklmnop\nnext: 1\n";
        let start = text.find("abcdefgh").unwrap();
        let end = text.find("\nnext").unwrap();
        let masks = [Mask {
            span: start..end,
            keep: 0,
        }];
        let second = text.find("  ijkl").unwrap();
        // The indentation inside the secret's span is hidden with it.
        assert_eq!(
            excerpt(text.as_bytes(), second..end, second, &masks),
            "**********"
        );
        assert_eq!(excerpt(text.as_bytes(), 0..6, 0, &masks), "key: |");
    }

    #[test]
    fn cuts_long_lines_around_the_finding() {
        let secret = "ghp_R8kT2mQx7LwVd9ZpNc4Hs6JyUb3Fg1AeKo5n";
        let text = format!("{}{secret}{}", "a".repeat(500), "b".repeat(500));
        let masks = [mask(&text, secret, 4)];
        let out = excerpt(text.as_bytes(), 0..text.len(), 500, &masks);
        assert!(out.starts_with('…') && out.ends_with('…'), "{out}");
        assert!(out.contains("ghp_****************"), "{out}");
        assert!(out.chars().count() <= EXCERPT_MAX + 2);
        assert!(!out.contains("R8kT2mQx"));
    }

    #[test]
    fn replaces_control_characters_and_bad_utf8() {
        let text = b"pass\x1b[0m=\xff\xfesecret";
        let masks = [Mask {
            span: 11..17,
            keep: 0,
        }];
        assert_eq!(
            excerpt(text, 0..text.len(), 11, &masks),
            "pass [0m=\u{fffd}\u{fffd}******"
        );
    }
}
